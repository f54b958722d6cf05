package io.rollstream.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigWriterTest {

    @ParameterizedTest
    @ValueSource(strings = {"full.yaml", "distill.yaml"})
    void examplesSurviveARoundTrip(String example) {
        RunConfig config = ConfigLoader.load(ConfigLoaderTest.example(example));
        assertThat(ConfigLoader.parse(ConfigWriter.toYaml(config), List.of())).isEqualTo(config);
    }

    @Test
    void defaultsSurviveARoundTrip() {
        RunConfig defaults = RunConfig.defaults();
        assertThat(ConfigLoader.parse(ConfigWriter.toYaml(defaults))).isEqualTo(defaults);
    }

    /** Each section's optional forms: every loss, a Hugging Face model with LoRA, a Hugging Face teacher. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "learner: {loss: gspo}",
                "learner: {loss: cispo}",
                "learner: {loss: {name: ppo_clip, clip_high: 0.3}}",
                "learner: {loss: {masking: token_ratio}, kl_to_reference: {coefficient: 0.1, estimator: k1}}",
                "model: {source: huggingface, path: /m, lora: {rank: 4, targets: [q_proj, v_proj]}}",
                "model: {architecture: llama, lora: {}}",
                "learner: {algorithm: reverse_kl}\nteacher: {source: huggingface, path: /t}\nrollout: {seed: 3}",
                "buffer: {soft_overlong_punishment: {cache_tokens: 2}, advantage: rloo, zero_advantage_filter: false}",
                "slots: {default: {cpu_cores: 1, task_heap_mb: 64}, teacher: {cpu_cores: 2, task_heap_mb: 64, gpus: 1}}"
            })
    void everyOptionalFormSurvivesARoundTrip(String yaml) {
        RunConfig config = ConfigLoader.parse(yaml);
        assertThat(ConfigLoader.parse(ConfigWriter.toYaml(config))).isEqualTo(config);
    }

    @Test
    void awkwardStringsSurviveARoundTrip() {
        RunConfig config = ConfigLoader.parse("""
                job: {name: "123"}
                data: {task_options: {operators: "+-"}, fields: {id: "null", prompt: "yes", answer: "a: b", task: "#t"}}
                model: {tokenizer: {type: char, alphabet: " +-=0123456789'\\"\\\\é"}, init: "~"}
                policy_store: {path: "C:\\\\runs\\\\p"}
                """);
        assertThat(config.model().tokenizer().alphabet()).isEqualTo(" +-=0123456789'\"\\é");
        assertThat(ConfigLoader.parse(ConfigWriter.toYaml(config))).isEqualTo(config);
    }

    @Test
    void everyKeyIsWrittenInSnakeCaseWithEnumsInLowerCase() throws Exception {
        String yaml = ConfigWriter.toYaml(RunConfig.defaults());
        JsonNode tree = ConfigLoader.YAML.readTree(yaml);
        assertThat(names(tree))
                .containsExactly(
                        "job",
                        "data",
                        "model",
                        "sft",
                        "rollout",
                        "buffer",
                        "async",
                        "learner",
                        "teacher",
                        "eval",
                        "policy_store",
                        "output",
                        "slots");
        assertThat(names(tree.get("buffer")))
                .containsExactly(
                        "batch_size",
                        "oversampling_factor",
                        "oversampling",
                        "easy_threshold",
                        "hard_threshold",
                        "online_difficulty_filtering",
                        "zero_advantage_filter",
                        "advantage",
                        "soft_overlong_punishment",
                        "filter_truncated",
                        "easy_fraction",
                        "hard_fraction");
        assertThat(names(tree.get("learner").get("loss")))
                .containsExactly(
                        "name",
                        "clip_low",
                        "clip_high",
                        "masking",
                        "dppo_mask_low",
                        "dppo_mask_high",
                        "ratio_low",
                        "ratio_high",
                        "kl_tau");
        assertThat(tree.get("learner").get("loss").get("clip_low").isNull()).isTrue(); // dppo does not clip
        assertThat(names(tree.get("learner").get("importance_correction")))
                .containsExactly("truncate", "cap", "mask", "mask_low", "mask_high");
        assertThat(names(tree.get("learner").get("kl_to_reference"))).containsExactly("coefficient", "estimator");
        assertThat(tree.get("model").has("tokenizer")).isTrue();
        assertThat(tree.get("model").get("tokenizer").isNull()).isTrue();
        assertThat(tree.get("learner").get("optimizer_step").asText()).isEqualTo("per_batch");
        assertThat(tree.get("rollout").get("device").asText()).isEqualTo("auto");
        assertThat(tree.get("buffer").get("oversampling").asText()).isEqualTo("fixed");
        assertThat(yaml).doesNotContain("problems_per_batch").doesNotContain("eval_max_new_tokens");
        assertThat(yaml).startsWith("#");
    }

    @Test
    void everyKeyTheWriterWritesIsOneTheLoaderReads() throws Exception {
        RunConfig full = ConfigLoader.load(ConfigLoaderTest.example("full.yaml"));
        List<String> overrides = new ArrayList<>();
        flatten("", ConfigLoader.YAML.readTree(ConfigWriter.toYaml(full)), overrides);
        assertThat(overrides).hasSizeGreaterThan(80);
        assertThat(ConfigLoader.parse("", overrides)).isEqualTo(full);
    }

    /** One {@code key.path=value} per leaf of {@code node}. */
    private static void flatten(String path, JsonNode node, List<String> out) {
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(
                            e -> flatten(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), out));
        } else {
            out.add(path + "=" + node.asText());
        }
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void writtenFilesLoadBack(@TempDir Path dir) {
        RunConfig config = ConfigLoader.parse("rollout: {temperature: 0.7}\nbuffer: {easy_threshold: 0.8}");
        Path file = dir.resolve("resolved.yaml");
        ConfigWriter.write(config, file);
        assertThat(ConfigLoader.load(file)).isEqualTo(config);
    }
}
