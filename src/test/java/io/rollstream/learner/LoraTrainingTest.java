package io.rollstream.learner;

import static io.rollstream.learner.TrainerFixtures.rlBatch;
import static io.rollstream.learner.TrainerFixtures.trainer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.rollstream.checkpoint.Adapter;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.checkpoint.Checkpoints;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.DecoderModel;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.LoraConfig;
import io.rollstream.model.LoraLayout;
import io.rollstream.model.LoraModel;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ModelSpec;
import io.rollstream.model.TensorSource;
import io.rollstream.tokenizer.TokenizerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training with LoRA: a step changes the adapters and nothing else, the learner's state and a
 * policy version hold only the adapters (a tenth of the full state or less on the tests' models),
 * and a checkpoint of adapters rebuilds the same model on its base — which must be the base they
 * were made from.
 */
@Tag("djl")
class LoraTrainingTest {

    private static final Path FIXTURES = Path.of("src/test/resources/hf-models");
    /** The adapters the end-to-end recipes use on the fixtures (hidden size 16). */
    static final LoraConfig FIXTURE_LORA = new LoraConfig(2, 4, 0.0, List.of());

    @TempDir
    Path dir;

    @Test
    void aLoraStepChangesOnlyTheAdapters() throws IOException {
        for (String fixture : List.of("llama-tied", "qwen2-bf16-sharded")) {
            try (DecoderModel base = HfModelDirectory.load(FIXTURES.resolve(fixture), Device.cpu());
                    LoraModel model = LoraModel.initialize(base, false, FIXTURE_LORA, 5)) {
                Map<String, float[]> baseBefore = base.weights();
                Map<String, float[]> adaptersBefore = model.weights();
                PolicyTrainer trainer = trainer(model, 4, PolicyTrainer.OptimizerStep.PER_BATCH, 1e-2);
                StepResult r = trainer.step(rlBatch(8, 2, 3), new DppoLoss(DppoLoss.Config.defaults()));
                assertThat(r.optimizerSteps()).as(fixture).isEqualTo(1);
                base.weights().forEach((name, w) -> assertThat(w).as(name).containsExactly(baseBefore.get(name)));
                Map<String, float[]> adaptersAfter = model.weights();
                assertThat(adaptersAfter.keySet()).isEqualTo(adaptersBefore.keySet());
                assertThat(adaptersAfter.keySet().stream().filter(n -> n.contains("lora_B")))
                        .as("every B left zero")
                        .allMatch(n -> !Arrays.equals(adaptersAfter.get(n), adaptersBefore.get(n)));
            }
        }
    }

    /** The DJL scalar pitfall: adapter gradients are finite and repeatable with a GC between forward and backward. */
    @Test
    void adapterGradientsSurviveAGcBetweenForwardAndBackward() throws IOException {
        List<TrainingExample> batch = rlBatch(8, 2, 21);
        Loss pg = new DppoLoss(DppoLoss.Config.defaults());
        try (DecoderModel base = HfModelDirectory.load(FIXTURES.resolve("qwen3-headdim"), Device.cpu());
                LoraModel model = LoraModel.initialize(base, false, new LoraConfig(2, 16, 0.0, List.of()), 9)) {
            PolicyTrainer trainer = trainer(model, 4, PolicyTrainer.OptimizerStep.PER_BATCH);
            trainer.step(batch, pg); // B leaves zero, so every adapter gets a gradient
            trainer.setBeforeBackward(() -> {
                System.gc();
                System.runFinalization();
            });
            Map<String, float[]> first = TrainerFixtures.gradients(trainer, batch, pg);
            for (int round = 0; round < 5; round++) {
                Map<String, float[]> again = TrainerFixtures.gradients(trainer, batch, pg);
                for (String name : first.keySet()) {
                    assertThat(again.get(name)).as("round %d, %s", round, name).containsExactly(first.get(name));
                    float largest = 0;
                    for (float g : again.get(name)) {
                        assertThat(Float.isFinite(g)).as(name).isTrue();
                        largest = Math.max(largest, Math.abs(g));
                    }
                    assertThat(largest).as(name).isPositive();
                }
            }
        }
    }

    /**
     * The learner's checkpointed state — the trained weights and both AdamW moments — with LoRA
     * (rank 2 on every projection, as the recipes run the fixtures) against full training, on the
     * tests' models; and a real learner's capture holds exactly the adapters.
     */
    @Test
    void theLearnerStateWithLoraIsATenthOfTheFullOneOrLess() throws IOException {
        List<ModelSpec> models = new ArrayList<>();
        for (String fixture :
                List.of("llama-tied", "llama3-rope", "mistral-f16", "qwen2-bf16-sharded", "qwen3-headdim")) {
            models.add(HfModelDirectory.config(FIXTURES.resolve(fixture)).decoder());
        }
        models.add(new ModelConfig(40, 2, 4, 64, 128, 64, null, ModelConfig.Architecture.LLAMA));
        for (ModelSpec model : models) {
            assertThat(stateValues(model, FIXTURE_LORA))
                    .as(model.describe())
                    .isLessThanOrEqualTo(stateValues(model, null) / 10);
        }
        // The ~100M-parameter Llama shape of the model benchmark, with rank 8 on every projection: under 2%.
        ModelSpec bench =
                new DecoderConfig(DecoderConfig.LLAMA, 32000, 768, 2048, 12, 12, 12, 64, 1e-5, 1e4, null, 1024, true);
        assertThat(stateValues(bench, new LoraConfig(8, 16, 0, List.of()))).isLessThan(stateValues(bench, null) / 50);

        try (DecoderModel base = HfModelDirectory.load(FIXTURES.resolve("llama-tied"), Device.cpu());
                LoraModel model = LoraModel.initialize(base, false, FIXTURE_LORA, 5)) {
            PolicyTrainer trainer = trainer(model, 4, PolicyTrainer.OptimizerStep.PER_BATCH, 1e-2);
            Adapter adapter = new Adapter(FIXTURE_LORA, new Adapter.Base(Adapter.Base.CHECKPOINT, "b", "c"));
            Checkpoint state = trainer.checkpoint(0, TokenizerSpec.chars("01"), Map.of(), adapter);
            assertThat(state.weights().names())
                    .isEqualTo(state.tensorShapes().keySet())
                    .isEqualTo(state.optimizer().firstMoments().names());
            assertThat(state.tensorShapes().values().stream()
                                    .mapToLong(s -> s.size())
                                    .sum()
                            * 3)
                    .isEqualTo(stateValues(base.spec(), FIXTURE_LORA));
        }
    }

    /** Values a learner state stores: the checkpoint's tensors, three times (weights, two moments). */
    private static long stateValues(ModelSpec model, LoraConfig lora) {
        Adapter adapter = lora == null ? null : new Adapter(lora, new Adapter.Base(Adapter.Base.CHECKPOINT, "b", "c"));
        return 3
                * Checkpoint.tensorShapes(model, adapter).values().stream()
                        .mapToLong(s -> s.size())
                        .sum();
    }

    /**
     * A learner state of adapters round-trips through the file format and rebuilds the same model on
     * the same base; a base directory that changed since is refused, naming the fix.
     */
    @Test
    void adaptersRebuildOnTheirBaseAndAChangedBaseIsRefused() throws Exception {
        Path baseDir = Files.createDirectories(dir.resolve("base"));
        try (Stream<Path> files = Files.list(FIXTURES.resolve("qwen3-headdim"))) {
            for (Path f : files.toList()) {
                Files.copy(f, baseDir.resolve(f.getFileName()));
            }
        }
        DecoderConfig config = HfModelDirectory.config(baseDir).decoder();
        Adapter adapter = new Adapter(
                FIXTURE_LORA,
                new Adapter.Base(Adapter.Base.HUGGINGFACE, baseDir.toString(), HfModelDirectory.fingerprint(baseDir)));
        Map<String, float[]> weights = LoraLayout.initialWeights(config, FIXTURE_LORA, new SplittableRandom(2));
        weights.replaceAll((name, v) -> name.contains("lora_B") ? filled(v.length, 0.05f) : v);
        Checkpoint saved = new Checkpoint(
                3, config, HfModelDirectory.tokenizer(baseDir), TensorSource.of(weights), null, Map.of(), adapter);
        Path file = dir.resolve("adapters.rsckpt");
        CheckpointFormat.save(saved, file);
        Checkpoint loaded = CheckpointFormat.load(file);
        assertThat(loaded.adapter()).isEqualTo(adapter);
        assertThat(Files.size(file))
                .as("a version of adapters is adapter-sized")
                .isLessThan(Files.size(baseDir.resolve("model.safetensors")));
        float[] direct;
        try (DecoderModel base = HfModelDirectory.load(baseDir, Device.cpu());
                LoraModel model = LoraModel.create(base, false, FIXTURE_LORA, TensorSource.of(weights))) {
            direct = logprobs(model);
        }
        try (LanguageModel rebuilt = Checkpoints.model(loaded, Device.cpu())) {
            assertThat(logprobs(rebuilt)).containsExactly(direct);
        }
        Files.writeString(baseDir.resolve("config.json"), Files.readString(baseDir.resolve("config.json")) + " ");
        assertThatThrownBy(() -> Checkpoints.model(loaded, Device.cpu()).close())
                .hasMessageContaining("changed since the adapters were made from it")
                .hasMessageContaining("start a new run");
    }

    private static float[] logprobs(LanguageModel model) {
        try (NDManager m = model.newSubManager()) {
            return model.logits(m.create(new long[][] {{1, 20, 300, 4, 77, 2}}))
                    .logSoftmax(-1)
                    .toFloatArray();
        }
    }

    private static float[] filled(int n, float value) {
        float[] v = new float[n];
        Arrays.fill(v, value);
        return v;
    }
}
