package io.rollstream.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromptCodecTest {

    private final CharTokenizer tokenizer = new CharTokenizer("0123456789+=");
    private final PromptCodec codec = new PromptCodec(tokenizer, PromptFormat.RAW);

    @Test
    void promptsStartWithBosAndTargetsEndWithEos() {
        int[] prompt = codec.prompt("12+3=");
        assertThat(prompt[0]).isEqualTo(tokenizer.bosId());
        assertThat(tokenizer.decode(prompt)).isEqualTo("12+3=");
        int[] target = codec.targetCompletion("15");
        assertThat(target[target.length - 1]).isEqualTo(tokenizer.eosId());
        assertThat(codec.completionText(target)).isEqualTo("15");
    }

    @Test
    void completionTextStopsAtTheFirstEos() {
        int[] tokens = {tokenizer.encode("4")[0], tokenizer.eosId(), tokenizer.encode("9")[0]};
        assertThat(codec.completionText(tokens)).isEqualTo("4");
        assertThat(codec.completionText(new int[0])).isEmpty();
    }
}
