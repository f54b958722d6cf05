package io.rollstream.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CharTokenizerTest {

    private final CharTokenizer tokenizer = new CharTokenizer("0123456789+=");

    @Test
    void specialIdsComeFirstAndAlphabetFollowsInDeclaredOrder() {
        assertThat(tokenizer.padId()).isZero();
        assertThat(tokenizer.bosId()).isEqualTo(1);
        assertThat(tokenizer.eosId()).isEqualTo(2);
        assertThat(tokenizer.vocabSize()).isEqualTo(3 + 12);
        assertThat(tokenizer.encode("0")).containsExactly(3);
        assertThat(tokenizer.encode("=")).containsExactly(14);
        assertThat(new CharTokenizer("ba").encode("ab")).containsExactly(4, 3);
    }

    @Test
    void roundTripsTextWithoutAddingSpecialTokens() {
        int[] ids = tokenizer.encode("37+48=85");
        assertThat(ids).hasSize(8).doesNotContain(0, 1, 2);
        assertThat(tokenizer.decode(ids)).isEqualTo("37+48=85");
        assertThat(tokenizer.encode("")).isEmpty();
    }

    @Test
    void decodeSkipsPadBosAndEos() {
        int[] ids = tokenizer.encode("12");
        assertThat(tokenizer.decode(new int[] {1, ids[0], 0, ids[1], 2, 0})).isEqualTo("12");
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        assertThatThrownBy(() -> tokenizer.decode(new int[] {15}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("15");
        assertThatThrownBy(() -> tokenizer.decode(new int[] {-1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void worksOnCodePointsNotUtf16Units() {
        CharTokenizer emoji = new CharTokenizer("a😀é");
        assertThat(emoji.vocabSize()).isEqualTo(6);
        int[] ids = emoji.encode("😀a😀é");
        assertThat(ids).containsExactly(4, 3, 4, 5);
        assertThat(emoji.decode(ids)).isEqualTo("😀a😀é");
    }

    @Test
    void unencodableCharacterIsNamedWithCodePointAndIndex() {
        assertThatThrownBy(() -> tokenizer.encode("12*3"))
                .isInstanceOf(UnencodableTextException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'*'")
                .hasMessageContaining("U+002A")
                .hasMessageContaining("index 2")
                .satisfies(e -> {
                    UnencodableTextException u = (UnencodableTextException) e;
                    assertThat(u.index()).isEqualTo(2);
                    assertThat(u.codePoint()).isEqualTo('*');
                });
    }

    @Test
    void unencodableSupplementaryCharacterIsReportedWhole() {
        assertThatThrownBy(() -> tokenizer.encode("1😀"))
                .isInstanceOf(UnencodableTextException.class)
                .hasMessageContaining("'😀'")
                .hasMessageContaining("U+1F600")
                .hasMessageContaining("index 1");
    }

    @Test
    void rejectsDuplicateCharacters() {
        assertThatThrownBy(() -> new CharTokenizer("abca"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a'")
                .hasMessageContaining("more than once");
    }

    @Test
    void rejectsEmptyAlphabet() {
        assertThatThrownBy(() -> new CharTokenizer(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one character");
    }

    @Test
    void specRecreatesAnEquivalentTokenizer() {
        Tokenizer copy = Tokenizers.create(tokenizer.spec());
        assertThat(copy.spec()).isEqualTo(TokenizerSpec.chars("0123456789+="));
        assertThat(copy.encode("9+1=")).containsExactly(tokenizer.encode("9+1="));
        assertThat(copy.vocabSize()).isEqualTo(tokenizer.vocabSize());
    }
}
