package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.rollstream.checkpoint.Adapter;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.Checkpoints;
import io.rollstream.config.ConfigLoader;
import io.rollstream.config.RunConfig;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.TokenLogprobs;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that starts from a Hugging Face directory ({@code model.source: huggingface}) publishes the
 * directory's model as version 0: a policy that records the decoder config, rebuilds to the same
 * log-probabilities, and names the directory's tokenizer.
 */
@Tag("djl")
class HuggingFaceStartTest {

    @TempDir
    Path dir;

    /** A copy of the fixture that comes with its tokenizer. */
    private Path modelWithTokenizer() throws Exception {
        Path model = dir.resolve("qwen3");
        Files.createDirectories(model);
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/hf-models/qwen3-headdim"))) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
        return model;
    }

    private RunConfig config(Path model) {
        return ConfigLoader.parse("model: {source: huggingface, path: " + model + "}\n"
                + "data: {source: jsonl, path: src/test/resources/data/problems.jsonl}\n");
    }

    @Test
    void versionZeroIsTheDirectorysModel() throws Exception {
        Path model = modelWithTokenizer();
        LocalRun.Prepared prepared;
        try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
            prepared = LocalRun.prepare(config(model), dir.resolve("run"), null, quiet, PreFlight.Mode.LOCAL_RUN);
        }
        assertThat(prepared.model()).isInstanceOf(DecoderConfig.class);
        Checkpoint v0 = prepared.store().load(0);
        assertThat(v0.model()).isEqualTo(HfModelDirectory.config(model).decoder());
        assertThat(v0.tokenizer()).isEqualTo(HfModelDirectory.tokenizer(model));
        assertThat(v0.metadata().get("origin")).contains(model.toString());
        assertSameLogprobs(v0, model);
    }

    /**
     * With {@code model.lora}, version 0 is fresh adapters on the directory itself (by path and
     * checksum; nothing copied), which give exactly the directory's log-probabilities.
     */
    @Test
    void withLoraVersionZeroIsFreshAdaptersOnTheDirectory() throws Exception {
        Path model = modelWithTokenizer();
        RunConfig config = ConfigLoader.parse("model: {source: huggingface, path: " + model + ", lora: {rank: 2}}\n"
                + "data: {source: jsonl, path: src/test/resources/data/problems.jsonl}\n");
        LocalRun.Prepared prepared;
        try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
            prepared = LocalRun.prepare(config, dir.resolve("run"), null, quiet, PreFlight.Mode.LOCAL_RUN);
        }
        Checkpoint v0 = prepared.store().load(0);
        assertThat(v0.adapter().lora()).isEqualTo(config.model().lora());
        assertThat(v0.adapter().base())
                .isEqualTo(new Adapter.Base(
                        Adapter.Base.HUGGINGFACE, model.toString(), HfModelDirectory.fingerprint(model)));
        assertThat(v0.weights().names()).allMatch(name -> name.contains(".lora_"));
        try (Stream<Path> files = Files.list(dir.resolve("run/policy"))) {
            assertThat(files.map(f -> f.getFileName().toString())).doesNotContain("base-model.rsckpt");
        }
        assertSameLogprobs(v0, model);
    }

    /** A builtin llama with {@code model.lora}: its initial weights become the base, written once beside the versions. */
    @Test
    void aBuiltinLlamaWithLoraPublishesItsBaseOnce() throws Exception {
        RunConfig config = ConfigLoader.parse("model: {architecture: llama, layers: 1, heads: 2, d_model: 16,"
                + " mlp_width: 32, context_length: 16, lora: {rank: 2, targets: [q_proj, v_proj]}}\n"
                + "data: {task: arithmetic, difficulty: 1}\nsft: {steps: 0}\neval: {problems: 20}\n");
        LocalRun.Prepared prepared;
        try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
            prepared = LocalRun.prepare(config, dir.resolve("run"), null, quiet, PreFlight.Mode.LOCAL_RUN);
        }
        Checkpoint v0 = prepared.store().load(0);
        assertThat(v0.adapter().base().source()).isEqualTo(Adapter.Base.CHECKPOINT);
        assertThat(Path.of(v0.adapter().base().path())).isEqualTo(dir.resolve("run/policy/base-model.rsckpt"));
        assertThat(v0.weights().names()).hasSize(4);
        try (LanguageModel policy = Checkpoints.model(v0, Device.cpu())) {
            assertThat(policy.parameters()).hasSize(4);
        }
    }

    /** The published version gives exactly the log-probabilities of the model in {@code model}. */
    private static void assertSameLogprobs(Checkpoint version, Path model) throws Exception {
        List<int[]> prompts = List.of(new int[] {356, 40, 50});
        List<int[]> completions = List.of(new int[] {60, 70, 358});
        try (LanguageModel published = Checkpoints.model(version, Device.cpu());
                LanguageModel original = HfModelDirectory.load(model, Device.cpu())) {
            assertThat(TokenLogprobs.score(published, prompts, completions, 0, 1.0)[0])
                    .containsExactly(TokenLogprobs.score(original, prompts, completions, 0, 1.0)[0]);
        }
    }

    @Test
    void aModelDirectoryWithoutConfigIsRefusedBeforeAnythingIsPublished() throws Exception {
        Path model = modelWithTokenizer();
        Files.delete(model.resolve("config.json"));
        try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
            assertThatThrownBy(() ->
                            LocalRun.prepare(config(model), dir.resolve("run"), null, quiet, PreFlight.Mode.LOCAL_RUN))
                    .hasMessageContaining("has no config.json");
        }
    }

    @Test
    void preFlightNamesAMissingDirectoryAndATeacherWithOtherIds() throws Exception {
        assertThatThrownBy(() -> PreFlight.check(config(Path.of("/nope")), PreFlight.Mode.LOCAL_RUN, false))
                .hasMessageContaining("model.path ('/nope') does not exist: give a Hugging Face model directory");
        Path teacher = dir.resolve("teacher");
        Files.createDirectories(teacher);
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/hf-models/llama-tied"))) {
            for (Path f : files.toList()) {
                Files.copy(f, teacher.resolve(f.getFileName()));
            }
        }
        Files.copy(
                Path.of("src/test/resources/tokenizers/wordlevel-tokenizer.json"), teacher.resolve("tokenizer.json"));
        RunConfig distill = ConfigLoader.parse("model: {source: huggingface, path: " + modelWithTokenizer() + "}\n"
                + "data: {source: jsonl, path: src/test/resources/data/problems.jsonl}\n"
                + "learner: {algorithm: reverse_kl}\nbuffer: {online_difficulty_filtering: false}\n"
                + "teacher: {source: huggingface, path: " + teacher + "}\n");
        assertThatThrownBy(() -> PreFlight.check(distill, PreFlight.Mode.LOCAL_RUN, false))
                .hasMessageContaining("the teacher uses tokenizer");
        Files.delete(teacher.resolve("tokenizer.json"));
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/hf-tokenizer"))) {
            for (Path f : files.toList()) {
                Files.copy(f, teacher.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        assertThat(PreFlight.check(distill, PreFlight.Mode.LOCAL_RUN, false).model())
                .isInstanceOf(DecoderConfig.class);
    }
}
