package io.rollstream.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HuggingFaceTokenizerAdapterTest {

    private HuggingFaceTokenizerAdapter tokenizer;

    static String fixture(String name) {
        try {
            return Path.of(HuggingFaceTokenizerAdapterTest.class
                            .getResource("/tokenizers/" + name)
                            .toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void load() {
        tokenizer = HuggingFaceTokenizerAdapter.load(fixture("wordlevel-tokenizer.json"));
    }

    @AfterEach
    void close() {
        tokenizer.close();
    }

    @Test
    void looksUpSpecialIdsByName() {
        assertThat(tokenizer.padId()).isZero();
        assertThat(tokenizer.bosId()).isEqualTo(1);
        assertThat(tokenizer.eosId()).isEqualTo(2);
        assertThat(tokenizer.vocabSize()).isEqualTo(14);
    }

    @Test
    void encodesWordsWithoutAddingSpecialTokens() {
        assertThat(tokenizer.encode("hello world")).containsExactly(4, 5);
        assertThat(tokenizer.encode("the cat sat!")).containsExactly(6, 7, 8, 9);
        assertThat(tokenizer.encode("café")).containsExactly(12);
        assertThat(tokenizer.encode("")).isEmpty();
    }

    @Test
    void decodeSkipsPadBosEos() {
        assertThat(tokenizer.decode(new int[] {1, 4, 5, 2, 0, 0})).isEqualTo("hello world");
        assertThat(tokenizer.decode(tokenizer.encode("the cat"))).isEqualTo("the cat");
        assertThatThrownBy(() -> tokenizer.decode(new int[] {14}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("14");
    }

    @Test
    void unknownCharacterIsNamedWithItsIndex() {
        assertThatThrownBy(() -> tokenizer.encode("hello zebra"))
                .isInstanceOf(UnencodableTextException.class)
                .hasMessageContaining("'z'")
                .hasMessageContaining("U+007A")
                .hasMessageContaining("index 6")
                .hasMessageContaining("unknown token");
    }

    @Test
    void unknownIndexIsAUtf16IndexEvenAfterSupplementaryCharacters() {
        assertThatThrownBy(() -> tokenizer.encode("café 😀 x"))
                .isInstanceOf(UnencodableTextException.class)
                .hasMessageContaining("'😀'")
                .hasMessageContaining("U+1F600")
                .satisfies(
                        e -> assertThat(((UnencodableTextException) e).index()).isEqualTo(5));
    }

    @Test
    void wordUnknownOnlyAsAWholeIsReportedAtItsFirstCharacter() {
        // "a" and "t" are in the vocabulary on their own, the word "at" is not.
        assertThatThrownBy(() -> tokenizer.encode("the cat at"))
                .isInstanceOf(UnencodableTextException.class)
                .hasMessageContaining("'a'")
                .hasMessageContaining("index 8");
    }

    @Test
    void charactersSilentlyDroppedByTheModelAreReported() {
        try (HuggingFaceTokenizerAdapter bpe = HuggingFaceTokenizerAdapter.load(fixture("bpe-no-unk-tokenizer.json"))) {
            assertThat(bpe.encode("abc ab c")).containsExactly(6, 4, 5);
            assertThat(bpe.padId()).isZero();
            assertThat(bpe.bosId()).isEqualTo(1).isEqualTo(bpe.eosId());
            assertThatThrownBy(() -> bpe.encode("ab xc"))
                    .isInstanceOf(UnencodableTextException.class)
                    .hasMessageContaining("'x'")
                    .hasMessageContaining("index 3")
                    .hasMessageContaining("dropped");
            // The runtime shifts the offsets of tokens after a dropped character; the culprit is still found.
            assertThatThrownBy(() -> bpe.encode("ab cxxab"))
                    .isInstanceOf(UnencodableTextException.class)
                    .hasMessageContaining("'x'")
                    .hasMessageContaining("index 4");
        }
    }

    @Test
    void missingSpecialTokenFailsListingTheCandidates() {
        assertThatThrownBy(() -> HuggingFaceTokenizerAdapter.load(fixture("no-eos-tokenizer.json")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("EOS")
                .hasMessageContaining("</s>")
                .hasMessageContaining("<|endoftext|>");
    }

    @Test
    void missingFileIsReported() {
        assertThatThrownBy(() -> HuggingFaceTokenizerAdapter.load("/nonexistent/tokenizer.json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/nonexistent/tokenizer.json");
    }

    @Test
    void specRecreatesTheTokenizerThroughTokenizers() {
        TokenizerSpec spec = tokenizer.spec();
        assertThat(spec).isEqualTo(TokenizerSpec.huggingFace(fixture("wordlevel-tokenizer.json")));
        Tokenizer copy = Tokenizers.create(spec);
        try {
            assertThat(copy).isInstanceOf(HuggingFaceTokenizerAdapter.class);
            assertThat(copy.encode("hello cat")).containsExactly(4, 7);
        } finally {
            ((HuggingFaceTokenizerAdapter) copy).close();
        }
    }
}
