package io.rollstream.config;

import static io.rollstream.config.ConfigFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.model.LoraConfig;
import io.rollstream.model.ModelConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** model.source / model.path / model.architecture and teacher.source / teacher.path. */
class ModelSourceConfigTest {

    private static final String HF = "model: {source: huggingface, path: /models/qwen3}\n"
            + "data: {source: jsonl, path: /data/problems.jsonl}\n";

    @Test
    void aHuggingFaceModelHasNoBuiltinShapeAndRoundTrips() {
        RunConfig c = ConfigLoader.parse(HF);
        assertThat(c.model()).isEqualTo(ModelSection.huggingFace("/models/qwen3"));
        assertThat(c.model().layers()).isNull();
        assertThat(ConfigLoader.parse(ConfigWriter.toYaml(c))).isEqualTo(c);
    }

    @Test
    void builtinKeysAreRefusedForAHuggingFaceModel() {
        InvalidConfigException e = failure("model: {source: huggingface, path: /m, layers: 8, d_model: 64,"
                + " tokenizer: {type: char, alphabet: ab}, init: x.rsckpt}");
        assertThat(e.getMessage())
                .contains(
                        "model.layers (8) does not apply to model.source huggingface",
                        "model.d_model (64)",
                        "model.tokenizer",
                        "model.init ('x.rsckpt') does not apply");
        assertThat(failure("model: {source: huggingface}").getMessage())
                .contains("model.path (null) is required with model.source huggingface");
        assertThat(failure("model: {path: /m}").getMessage())
                .contains("model.path ('/m') only applies to model.source huggingface");
    }

    @Test
    void theBuiltinLlamaArchitectureIsRotary() {
        RunConfig c = ConfigLoader.parse("model: {architecture: llama}");
        assertThat(c.model().positions()).isEqualTo(ModelConfig.Positions.ROTARY);
        ModelConfig config = c.model().toModelConfig(20);
        assertThat(config.architecture()).isEqualTo(ModelConfig.Architecture.LLAMA);
        assertThat(config.parameterShapes()).containsKey("model.layers.3.mlp.gate_proj.weight");
        assertThat(ConfigLoader.parse(ConfigWriter.toYaml(c))).isEqualTo(c);
        assertThat(failure("model: {architecture: llama, positions: learned}").getMessage())
                .contains("model.positions", "must be rotary");
    }

    @Test
    void aHuggingFaceTeacherNeedsItsPathAndNoCheckpoint() {
        RunConfig c = ConfigLoader.parse(HF + "learner: {algorithm: reverse_kl}\n"
                + "buffer: {online_difficulty_filtering: false}\n"
                + "teacher: {source: huggingface, path: /models/qwen3-8b}");
        assertThat(c.teacher().location()).isEqualTo("/models/qwen3-8b");
        assertThat(ConfigLoader.parse(ConfigWriter.toYaml(c))).isEqualTo(c);
        assertThat(failure("teacher: {source: huggingface, checkpoint: t.rsckpt}")
                        .getMessage())
                .contains("teacher.path (null) is required", "teacher.checkpoint ('t.rsckpt') does not apply");
        assertThat(failure("teacher: {path: /t}").getMessage()).contains("teacher.path ('/t') only applies");
    }

    @Test
    void loraAdaptersAreReadWithDefaultsRoundTripAndNeedALlamaFamilyDecoder() {
        RunConfig c = ConfigLoader.parse(HF.replace("/models/qwen3}", "/models/qwen3, lora: {rank: 16}}"));
        LoraConfig lora = c.model().lora();
        assertThat(lora).isEqualTo(new LoraConfig(16, 16, 0.0, LoraConfig.TARGETS));
        assertThat(lora.scale()).isEqualTo(1.0);
        assertThat(ConfigLoader.parse(ConfigWriter.toYaml(c))).isEqualTo(c);
        assertThat(ConfigLoader.parse("model: {architecture: llama, lora: {targets: [v_proj, q_proj], alpha: 32,"
                                + " dropout: 0.05}}")
                        .model()
                        .lora())
                .isEqualTo(new LoraConfig(8, 32, 0.05, List.of("q_proj", "v_proj")));
        assertThat(ConfigLoader.parse("model: {architecture: llama}", List.of("model.lora.targets=q_proj,o_proj"))
                        .model()
                        .lora()
                        .targets())
                .containsExactly("q_proj", "o_proj");
        assertThat(failure("model: {lora: {rank: 4}}").getMessage())
                .contains("model.lora needs a Llama-family decoder: set model.architecture: llama");
        assertThat(failure("model: {architecture: llama, lora: {rank: 0, targets: [qkv]}}")
                        .getMessage())
                .contains("model.lora.rank must be >= 1");
        assertThat(failure("model: {architecture: llama, lora: {targets: [qkv]}}")
                        .getMessage())
                .contains("model.lora.targets has qkv, which is not a projection of the decoder: choose from [q_proj,");
        assertThat(failure("model: {architecture: llama, lora: {rnak: 4}}").getMessage())
                .contains("unknown key model.lora.rnak");
    }
}
