package io.rollstream.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whether a teacher's tokenizer gives ids the student's meaning. */
class TokenizerIdentityTest {

    private static final Path BPE = Path.of("src/test/resources/hf-tokenizer");
    private static final Path WORDS = Path.of("src/test/resources/tokenizers/wordlevel-tokenizer.json");

    @Test
    void copiesOfOneVocabularyAreTheSameTokenizerWhateverTheirPathOrPromptFormat(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("teacher");
        Files.createDirectories(copy);
        Files.copy(BPE.resolve("tokenizer.json"), copy.resolve("tokenizer.json"));
        TokenizerSpec student = TokenizerSpec.huggingFaceModel(BPE.toString()).withPrompt(PromptFormat.chat(null));
        assertThat(TokenizerIdentity.sameIds(TokenizerSpec.huggingFaceModel(copy.toString()), student))
                .isTrue();
        assertThat(TokenizerIdentity.sameIds(
                        TokenizerSpec.huggingFace(copy.resolve("tokenizer.json").toString()), student))
                .isTrue();
    }

    @Test
    void anotherVocabularyOrKindIsAnotherTokenizer() {
        TokenizerSpec bpe = TokenizerSpec.huggingFaceModel(BPE.toString());
        assertThat(TokenizerIdentity.sameIds(TokenizerSpec.huggingFace(WORDS.toString()), bpe))
                .isFalse();
        assertThat(TokenizerIdentity.sameIds(TokenizerSpec.chars("abc"), bpe)).isFalse();
        assertThat(TokenizerIdentity.sameIds(TokenizerSpec.chars("abc"), TokenizerSpec.chars("abc")))
                .isTrue();
        assertThat(TokenizerIdentity.sameIds(TokenizerSpec.chars("abc"), TokenizerSpec.chars("abd")))
                .isFalse();
    }
}
