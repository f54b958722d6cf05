package io.rollstream.config;

import static io.rollstream.config.ConfigFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.model.ModelConfig;

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
        assertThat(e.getMessage()).contains("model.layers (8) does not apply to model.source huggingface",
                "model.d_model (64)", "model.tokenizer", "model.init ('x.rsckpt') does not apply");
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
        assertThat(failure("teacher: {source: huggingface, checkpoint: t.rsckpt}").getMessage())
                .contains("teacher.path (null) is required", "teacher.checkpoint ('t.rsckpt') does not apply");
        assertThat(failure("teacher: {path: /t}").getMessage()).contains("teacher.path ('/t') only applies");
    }
}
