package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.checkpoint.Adapter;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.Checkpoints;
import io.rollstream.common.Json;
import io.rollstream.config.ConfigLoader;
import io.rollstream.config.RunConfig;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.model.LanguageModel;
import io.rollstream.policy.PolicyStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two "post-train your own Hugging Face model" recipes end to end on a local mini-cluster, as
 * {@code configs/hf-gsm8k.yaml} and {@code configs/hf-distill.yaml} are, pointed at the tiny Qwen3
 * fixture (with its byte-level tokenizer and chat template) and a few made-up problems: GRPO with
 * LoRA and distillation from a Hugging Face teacher. Each trains its adapters (and nothing else),
 * publishes adapter-sized versions on the directory as base, and exports its final policy as a
 * Hugging Face directory and a PEFT adapter by itself.
 */
@Tag("djl")
class HfRecipesITCase {

    private static final Path FIXTURES = Path.of("src/test/resources/hf-models");
    private static final Path PROBLEMS = Path.of("src/test/resources/data/made-up-gsm8k.jsonl");

    @TempDir
    Path dir;

    /** A copy of {@code fixture}, with the byte-level tokenizer when it has none. */
    private Path model(String fixture) throws IOException {
        Path copy = Files.createDirectories(dir.resolve(fixture));
        for (Path source : List.of(FIXTURES.resolve(fixture), Path.of("src/test/resources/hf-tokenizer"))) {
            try (Stream<Path> files = Files.list(source)) {
                for (Path f : files.toList()) {
                    if (!Files.exists(copy.resolve(f.getFileName()))) {
                        Files.copy(f, copy.resolve(f.getFileName()));
                    }
                }
            }
        }
        return copy;
    }

    /** What CI overrides in the recipes to run them on the fixtures in well under a minute. */
    private List<String> tiny(Path student) {
        return List.of(
                "model.path=" + student,
                "data.path=" + PROBLEMS.toAbsolutePath(),
                "data.epochs=40",
                "data.system_prompt=null",
                "model.lora.rank=2",
                "model.lora.alpha=8",
                "job.max_steps=3",
                "job.max_minutes=3",
                "job.web_ui=false",
                "job.web_ui_port=0",
                "job.checkpoint_interval_s=2",
                "rollout.max_new_tokens=12",
                "learner.micro_batch_size=16",
                "learner.learning_rate=5.0e-2");
    }

    private static List<JsonNode> rlMetrics(Path run) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode m = Json.mapper().readTree(line);
            if ("rl".equals(m.path("phase").asText())) {
                lines.add(m);
            }
        }
        return lines;
    }

    /**
     * GRPO with LoRA: a random model never writes "#### N", so the made-up problems are scored by
     * their last number against the plain number of each (some groups then carry a gradient); everything
     * else is the recipe's.
     */
    @Test
    void theGsm8kRecipeTrainsAdaptersAndExportsTheResult() throws Exception {
        Path student = model("qwen3-headdim");
        List<String> overrides = new ArrayList<>(tiny(student));
        overrides.addAll(List.of(
                "data.verifier=last_number_match",
                "data.fields={prompt: question, answer: number}",
                "rollout.rollouts_per_example=8",
                "buffer.batch_size=16"));
        RunConfig config = ConfigLoader.load(Path.of("configs/hf-gsm8k.yaml"), overrides);
        assertThat(config.model().lora()).isNotNull();
        Path run = dir.resolve("grpo");
        assertThat(LocalRun.run(config, run, null, System.out).status()).isEqualTo(JobStatus.FINISHED);

        List<JsonNode> metrics = rlMetrics(run);
        assertThat(metrics).extracting(m -> m.path("step").asLong()).containsExactly(0L, 1L, 2L);
        assertThat(metrics)
                .anySatisfy(m -> assertThat(m.path("optimizer_steps").asLong()).isPositive());
        assertTrainedAdaptersAndExports(run, student);
    }

    @Test
    void theDistillationRecipeTrainsAdaptersFromAHuggingFaceTeacher() throws Exception {
        Path student = model("qwen3-headdim");
        Path teacher = model("llama-tied");
        List<String> overrides = new ArrayList<>(tiny(student));
        overrides.addAll(List.of("teacher.path=" + teacher, "rollout.rollouts_per_example=4", "buffer.batch_size=8"));
        RunConfig config = ConfigLoader.load(Path.of("configs/hf-distill.yaml"), overrides);
        Path run = dir.resolve("distill");
        assertThat(LocalRun.run(config, run, null, System.out).status()).isEqualTo(JobStatus.FINISHED);

        List<JsonNode> metrics = rlMetrics(run);
        assertThat(metrics).extracting(m -> m.path("step").asLong()).containsExactly(0L, 1L, 2L);
        assertThat(metrics).allSatisfy(m -> {
            assertThat(m.has("kl_mean")).isTrue();
            assertThat(m.path("optimizer_steps").asLong()).isPositive();
        });
        assertTrainedAdaptersAndExports(run, student);
    }

    /**
     * Versions hold adapters on the directory itself (no copy of the base), the last differs from
     * version 0, the run directory has both exports, and the merged export agrees with the adapters
     * applied beside the base.
     */
    private static void assertTrainedAdaptersAndExports(Path run, Path student) throws Exception {
        Path invalid = run.resolve("invalid-records.jsonl");
        assertThat(Files.exists(invalid) ? Files.readString(invalid) : "")
                .as("invalid records")
                .isBlank();
        PolicyStore store = new PolicyStore(run.resolve("policy").toString());
        Checkpoint first = store.load(0);
        Checkpoint last = store.load(3);
        assertThat(last.adapter().base())
                .isEqualTo(new Adapter.Base(
                        Adapter.Base.HUGGINGFACE, student.toString(), HfModelDirectory.fingerprint(student)));
        assertThat(last.weights().names()).allMatch(name -> name.contains(".lora_"));
        assertThat(last.weights().names().stream()
                        .anyMatch(name -> !Arrays.equals(
                                last.weights().floats(name), first.weights().floats(name))))
                .isTrue();
        assertThat(run.resolve("policy/base-model.rsckpt")).doesNotExist();
        assertThat(run.resolve("final-adapter-peft/adapter_config.json")).exists();
        assertThat(run.resolve("final-adapter-peft/adapter_model.safetensors")).exists();
        Path exported = run.resolve("final-model-hf");
        assertThat(exported.resolve("tokenizer.json")).exists();
        long[][] ids = {{356, 40, 50, 60, 70, 80, 90}};
        try (LanguageModel adapted = Checkpoints.model(last, Device.cpu());
                LanguageModel merged = HfModelDirectory.load(exported, Device.cpu());
                NDManager m = NDManager.newBaseManager(Device.cpu())) {
            float[] want = adapted.logits(m.create(ids)).logSoftmax(-1).toFloatArray();
            float[] got = merged.logits(m.create(ids)).logSoftmax(-1).toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertThat(got[i]).isCloseTo(want[i], within(1e-4f));
            }
        }
        assertThat(Files.readString(run.resolve("config.yaml"))).contains("lora");
    }
}
