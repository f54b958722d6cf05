package io.rollstream.huggingface;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.RopeScaling;
import io.rollstream.safetensors.SafetensorsDtype;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** config.json keys: what is read, what is refused (naming the key), and what is accepted with a note. */
class HfConfigReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode llama() {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama")
                .put("vocab_size", 384)
                .put("hidden_size", 16)
                .put("intermediate_size", 24)
                .put("num_hidden_layers", 2)
                .put("num_attention_heads", 4)
                .put("num_key_value_heads", 2)
                .put("hidden_act", "silu")
                .put("max_position_embeddings", 128)
                .put("rms_norm_eps", 1e-5)
                .put("rope_theta", 10000.0)
                .put("tie_word_embeddings", true)
                .put("attention_bias", false)
                .put("mlp_bias", false)
                .put("torch_dtype", "bfloat16")
                .put("bos_token_id", 1)
                .put("eos_token_id", 2);
        c.putNull("rope_scaling");
        return c;
    }

    private static ObjectNode with(Consumer<ObjectNode> change) {
        ObjectNode c = llama();
        change.accept(c);
        return c;
    }

    @Test
    void readsALlamaConfig() {
        HfConfig config = HfConfigReader.parse(llama());
        DecoderConfig d = config.decoder();
        assertThat(d.architecture()).isEqualTo(DecoderConfig.LLAMA);
        assertThat(d.headDim()).isEqualTo(4);
        assertThat(d.kvHeads()).isEqualTo(2);
        assertThat(d.tieWordEmbeddings()).isTrue();
        assertThat(d.ropeScaling()).isNull();
        assertThat(config.bosTokenId()).isEqualTo(1);
        assertThat(config.eosTokenIds()).containsExactly(2);
        assertThat(config.notes()).isEmpty();
    }

    @Test
    void readsEosListsLlama3ScalingAndTransformers5RopeParameters() {
        HfConfig config = HfConfigReader.parse(with(c -> {
            c.putArray("eos_token_id").add(2).add(7);
            c.putObject("rope_scaling")
                    .put("rope_type", "llama3")
                    .put("factor", 8.0)
                    .put("low_freq_factor", 1.0)
                    .put("high_freq_factor", 4.0)
                    .put("original_max_position_embeddings", 64);
        }));
        assertThat(config.eosTokenIds()).containsExactly(2, 7);
        assertThat(config.decoder().ropeScaling()).isEqualTo(new RopeScaling("llama3", 8.0, 1.0, 4.0, 64));
        HfConfig v5 = HfConfigReader.parse(with(c -> {
            c.remove("rope_theta");
            c.remove("rope_scaling");
            c.putObject("rope_parameters")
                    .put("rope_type", "linear")
                    .put("rope_theta", 500000.0)
                    .put("factor", 4.0);
        }));
        assertThat(v5.decoder().ropeTheta()).isEqualTo(500000.0);
        assertThat(v5.decoder().ropeScaling().type()).isEqualTo("linear");
    }

    @Test
    void refusesWhatChangesTheMathsNamingTheKey() {
        assertRefused(c -> c.putArray("architectures").add("GPT2LMHeadModel"), "GPT2LMHeadModel");
        assertRefused(c -> c.put("hidden_act", "gelu"), "hidden_act");
        assertRefused(c -> c.put("attention_bias", true), "attention_bias");
        assertRefused(c -> c.put("mlp_bias", true), "mlp_bias");
        assertRefused(c -> c.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0), "yarn");
        assertRefused(c -> c.putObject("rope_scaling").put("type", "dynamic").put("factor", 2.0), "dynamic");
        assertRefused(c -> c.put("partial_rotary_factor", 0.5), "partial_rotary_factor");
        assertRefused(c -> c.put("rope_interleaved", true), "rope_interleaved");
        assertRefused(c -> c.putObject("quantization_config").put("quant_method", "gptq"), "quantization_config");
        assertRefused(c -> c.put("attention_dropout", 0.1), "attention_dropout");
        assertRefused(c -> c.put("model_type", "qwen2"), "model_type");
        assertRefused(c -> c.put("num_key_value_heads", 3), "multiple of num_key_value_heads");
        assertRefused(c -> c.remove("hidden_size"), "hidden_size is required");
        assertRefused(c -> c.put("vocab_size", "big"), "vocab_size must be an integer");
        assertRefused(
                c -> {
                    c.putArray("architectures").add("Qwen3ForCausalLM");
                    c.put("model_type", "qwen3").put("use_sliding_window", true);
                },
                "sliding_window is not set");
    }

    @Test
    void aSlidingWindowBoundsTheContextAndUnknownKeysAreNamed() {
        HfConfig mistral = HfConfigReader.parse(with(c -> {
            c.putArray("architectures").add("MistralForCausalLM");
            c.put("model_type", "mistral").put("sliding_window", 32).put("new_fancy_switch", 3);
            c.remove("attention_bias");
            c.remove("mlp_bias");
        }));
        assertThat(mistral.decoder().contextLength()).isEqualTo(32);
        assertThat(mistral.notes())
                .anyMatch(n -> n.contains("sliding_window 32"))
                .anyMatch(n -> n.contains("new_fancy_switch"));
        HfConfig qwen3 = HfConfigReader.parse(with(c -> {
            c.putArray("architectures").add("Qwen3ForCausalLM");
            c.put("model_type", "qwen3")
                    .put("use_sliding_window", false)
                    .put("sliding_window", 16)
                    .put("head_dim", 6);
        }));
        assertThat(qwen3.decoder().contextLength()).isEqualTo(128);
        assertThat(qwen3.decoder().headDim()).isEqualTo(6);
        assertThat(qwen3.decoder().qkNorm()).isTrue();
    }

    @Test
    void qwen2HasBiasesWhateverAttentionBiasSays() {
        HfConfig qwen2 = HfConfigReader.parse(with(c -> {
            c.putArray("architectures").add("Qwen2ForCausalLM");
            c.put("model_type", "qwen2");
        }));
        assertThat(qwen2.decoder().qkvBias()).isTrue();
        assertThat(qwen2.decoder().parameterShapes()).containsKey("model.layers.1.self_attn.v_proj.bias");
    }

    private static void assertRefused(Consumer<ObjectNode> change, String naming) {
        assertThatThrownBy(() -> HfConfigReader.parse(with(change)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(naming);
    }

    @Test
    void whatTheWriterWritesReadsBackAsTheSameConfig() {
        for (DecoderConfig c : List.of(
                new DecoderConfig(
                        DecoderConfig.LLAMA,
                        50,
                        16,
                        24,
                        2,
                        4,
                        2,
                        4,
                        1e-5,
                        5e5,
                        new RopeScaling("llama3", 8, 1.0, 4.0, 64),
                        512,
                        true),
                new DecoderConfig(DecoderConfig.MISTRAL, 50, 16, 24, 1, 4, 1, 4, 1e-6, 1e6, null, 64, false),
                new DecoderConfig(
                        DecoderConfig.QWEN2,
                        50,
                        16,
                        24,
                        1,
                        4,
                        2,
                        4,
                        1e-6,
                        1e4,
                        new RopeScaling("linear", 2, null, null, null),
                        64,
                        false),
                new DecoderConfig(DecoderConfig.QWEN3, 50, 16, 24, 1, 4, 2, 6, 1e-6, 1e6, null, 64, true))) {
            HfConfig read = HfConfigReader.parse(HfModelWriter.configJson(c, SafetensorsDtype.BF16, 1, List.of(2, 3)));
            assertThat(read.decoder()).isEqualTo(c);
            assertThat(read.eosTokenIds()).containsExactly(2, 3);
            assertThat(read.notes()).isEmpty();
        }
    }
}
