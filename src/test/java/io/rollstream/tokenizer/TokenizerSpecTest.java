package io.rollstream.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class TokenizerSpecTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void charSpecRoundTripsThroughJackson() throws Exception {
        TokenizerSpec spec = TokenizerSpec.chars("ab😀=\"\\");
        String json = mapper.writeValueAsString(spec);
        assertThat(json).contains("\"type\":\"char\"").doesNotContain("path");
        assertThat(mapper.readValue(json, TokenizerSpec.class)).isEqualTo(spec);
    }

    @Test
    void huggingFaceSpecRoundTripsThroughJackson() throws Exception {
        TokenizerSpec spec = TokenizerSpec.huggingFace("/models/tok/tokenizer.json");
        String json = mapper.writeValueAsString(spec);
        assertThat(json).contains("\"type\":\"huggingface\"").doesNotContain("alphabet");
        assertThat(mapper.readValue(json, TokenizerSpec.class)).isEqualTo(spec);
    }

    @Test
    void factoriesFillTheFieldOfTheirType() {
        assertThat(TokenizerSpec.chars("xy")).isEqualTo(new TokenizerSpec("char", "xy", null, null));
        assertThat(TokenizerSpec.huggingFace("p")).isEqualTo(new TokenizerSpec("huggingface", null, "p", null));
    }

    @Test
    void createRejectsUnknownTypeAndMissingFields() {
        assertThatThrownBy(() -> Tokenizers.create(new TokenizerSpec("sentencepiece", null, "x", null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sentencepiece")
                .hasMessageContaining("char")
                .hasMessageContaining("huggingface");
        assertThatThrownBy(() -> Tokenizers.create(new TokenizerSpec("char", null, null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alphabet");
        assertThatThrownBy(() -> Tokenizers.create(new TokenizerSpec("huggingface", null, null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("path");
    }
}
