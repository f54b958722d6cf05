package io.rollstream.config;

import static io.rollstream.config.ConfigFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.batch.Advantages;
import io.rollstream.batch.Advantages.Estimator;
import io.rollstream.config.DataSection.Source;
import io.rollstream.device.DeviceSetting;
import io.rollstream.device.Precision;
import io.rollstream.learner.AdamW;
import io.rollstream.learner.Algorithm;
import io.rollstream.learner.DppoLoss;
import io.rollstream.learner.DppoLoss.Masking;
import io.rollstream.learner.ImportanceCorrection;
import io.rollstream.learner.LossAggregation;
import io.rollstream.learner.LossConfig;
import io.rollstream.learner.LossSettings;
import io.rollstream.learner.PolicyTrainer;
import io.rollstream.learner.PolicyTrainer.OptimizerStep;
import io.rollstream.learner.ReferenceKl;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ModelConfig.Architecture;
import io.rollstream.model.ModelConfig.Positions;
import io.rollstream.model.ModelSource;
import io.rollstream.model.SamplingTruncation;
import io.rollstream.output.RolloutLogFormat.Mode;
import io.rollstream.rollout.Oversampling;
import io.rollstream.sampling.SamplingConfig;
import io.rollstream.tokenizer.PromptFormat;
import io.rollstream.tokenizer.TokenizerSpec;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

    static Path example(String name) {
        try {
            return Path.of(
                    ConfigLoaderTest.class.getResource("/configs/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "# nothing set\n", "---\n", "job:\nrollout: {}\nbuffer: null\n"})
    void emptyFilesAndSectionsTakeEveryDefault(String yaml) {
        assertThat(ConfigLoader.parse(yaml, List.of())).isEqualTo(RunConfig.defaults());
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        RunConfig c = ConfigLoader.parse("");
        assertThat(c.job()).isEqualTo(new JobSection("rollstream", 0, 100, 0, true, 8081, 30));
        assertThat(c.data())
                .isEqualTo(new DataSection(
                        Source.TASK,
                        "arithmetic",
                        3,
                        Map.of(),
                        null,
                        false,
                        new DataSection.Fields("id", "prompt", "answer", "task"),
                        "exact_match",
                        1,
                        true,
                        0,
                        4096,
                        PromptFormat.Kind.RAW,
                        null));
        assertThat(c.model()).isEqualTo(ModelSection.builtin(4, 4, 128, 512, 32, Positions.LEARNED, null, null));
        assertThat(c.sft()).isEqualTo(new SftSection(0, 1000, 64, 1e-3, 20, 250, 100, null));
        assertThat(c.rollout())
                .isEqualTo(new RolloutSection(
                        1, 8, new SamplingConfig(1.0, 1.0, 0, 8, false), 256, 200, DeviceSetting.AUTO, null));
        assertThat(c.buffer())
                .isEqualTo(new BufferSection(
                        64, 1.0, Oversampling.FIXED, null, null, false, null, Estimator.GROUP_MEAN, null, false, 0, 0));
        assertThat(c.zeroAdvantageFilter()).isTrue(); // unset: on for grpo
        assertThat(c.async()).isEqualTo(new AsyncSection(1, 1));
        assertThat(c.learner())
                .isEqualTo(new LearnerSection(
                        Algorithm.GRPO,
                        new AdamW.Config(1e-4, 0.9, 0.99, 1e-8, 0.0, 0),
                        new PolicyTrainer.Config(1.0, 64, 1.0, OptimizerStep.PER_BATCH),
                        5,
                        new LossSettings(
                                LossConfig.dppo(new DppoLoss.Config(Masking.DPPO, 0.2, 0.2, 0.125, 8.0, 1e-3)),
                                LossAggregation.TOKEN_MEAN,
                                ImportanceCorrection.Config.none(),
                                ReferenceKl.Config.off(),
                                false,
                                1),
                        DeviceSetting.AUTO));
        assertThat(c.teacher()).isEqualTo(new TeacherSection(ModelSource.BUILTIN, null, null, 1));
        assertThat(c.eval()).isEqualTo(new EvalSection(5, 200, null, 0, 1.0));
        assertThat(c.policyStore()).isEqualTo(new PolicyStoreSection(null, 8, 3, true));
        assertThat(c.output()).isEqualTo(new OutputSection(Mode.ALL, 10));
        assertThat(c.problemsPerBatch()).isEqualTo(8);
        assertThat(c.evalMaxNewTokens()).isEqualTo(8);
        assertThat(c.learner().optimizer()).isEqualTo(AdamW.Config.defaults());
        assertThat(c.learner().toLossSettings(1)).isEqualTo(LossSettings.defaults());
        assertThat(c.learner().toTrainerConfig(SamplingConfig.sample(8))).isEqualTo(PolicyTrainer.Config.defaults());
    }

    @Test
    void missingKeysOfAGivenSectionTakeTheirDefaults() {
        RunConfig c = ConfigLoader.parse("rollout:\n  temperature: 0.5\n");
        assertThat(c.rollout())
                .isEqualTo(new RolloutSection(
                        1, 8, new SamplingConfig(0.5, 1.0, 0, 8, false), 256, 200, DeviceSetting.AUTO, null));
        assertThat(c)
                .isEqualTo(new RunConfig(
                        null, null, null, null, c.rollout(), null, null, null, null, null, null, null, null));
    }

    @Test
    void theFullExampleBindsEveryKey() {
        RunConfig c = ConfigLoader.load(example("full.yaml"), List.of());
        assertThat(c.job())
                .isEqualTo(new JobSection(
                        "gsm-grpo",
                        1234,
                        2000,
                        240,
                        false,
                        9081,
                        120,
                        9250,
                        "s3://bucket/rollstream/checkpoints",
                        5,
                        16,
                        25));
        assertThat(c.data())
                .isEqualTo(new DataSection(
                        Source.JSONL,
                        "sort",
                        5,
                        Map.of("operators", "+-"),
                        "/data/gsm8k/train",
                        true,
                        new DataSection.Fields("uid", "question", "solution", "kind"),
                        "last_number_match",
                        3,
                        false,
                        5000,
                        1024,
                        PromptFormat.Kind.CHAT,
                        "Reason step by step, then give the final answer."));
        assertThat(c.model())
                .isEqualTo(new ModelSection(
                        ModelSource.BUILTIN,
                        null,
                        Architecture.GPT,
                        8,
                        8,
                        512,
                        2048,
                        512,
                        Positions.ROTARY,
                        TokenizerSpec.huggingFace("/models/tiny/tokenizer.json"),
                        "/runs/sft/checkpoints/final",
                        Precision.FLOAT16,
                        null));
        assertThat(c.sft()).isEqualTo(new SftSection(200, 5000, 32, 3e-4, 50, 100, 25, 3e-5));
        assertThat(c.rollout())
                .isEqualTo(new RolloutSection(
                        4, 16, new SamplingConfig(0.8, 0.95, 50, 256, false), 512, 500, DeviceSetting.GPU, 77L));
        assertThat(c.rollout().samplingSeed(c.job().seed())).isEqualTo(77L);
        assertThat(c.buffer())
                .isEqualTo(new BufferSection(
                        256,
                        1.5,
                        Oversampling.ADAPTIVE,
                        0.9,
                        0.1,
                        true,
                        false,
                        Estimator.GROUP_MEAN_STD,
                        new Advantages.SoftOverlongPunishment(64, 0.5),
                        true,
                        0.1,
                        0.2));
        assertThat(c.async()).isEqualTo(new AsyncSection(2, 4));
        assertThat(c.learner())
                .isEqualTo(new LearnerSection(
                        Algorithm.GRPO,
                        new AdamW.Config(5e-5, 0.85, 0.995, 1e-6, 0.01, 10),
                        new PolicyTrainer.Config(0.5, 32, 1.0, OptimizerStep.PER_PROMPT),
                        3,
                        new LossSettings(
                                LossConfig.dppo(new DppoLoss.Config(Masking.TOKEN_RATIO, 0.1, 0.3, 0.25, 4.0, 0.0)),
                                LossAggregation.SEQ_MEAN_TOKEN_SUM,
                                new ImportanceCorrection.Config(
                                        ImportanceCorrection.Truncation.SEQUENCE,
                                        3.0,
                                        ImportanceCorrection.MaskLevel.GEOMETRIC,
                                        0.9,
                                        1.1),
                                new ReferenceKl.Config(0.05, ReferenceKl.Estimator.K2),
                                false,
                                1),
                        DeviceSetting.GPU));
        assertThat(c.teacher()).isEqualTo(new TeacherSection(ModelSource.BUILTIN, "/runs/teacher/final", null, 2));
        assertThat(c.eval()).isEqualTo(new EvalSection(50, 500, 512, 4, 0.7));
        assertThat(c.policyStore()).isEqualTo(new PolicyStoreSection("/scratch/policies", 3, 5, false));
        assertThat(c.output()).isEqualTo(new OutputSection(Mode.SAMPLE, 25));
        assertThat(c.slots())
                .isEqualTo(new SlotsSection(
                        new SlotsSection.SlotResources(0.5, 256, 0, 0),
                        new SlotsSection.SlotResources(2.0, 1024, 4096, 1),
                        new SlotsSection.SlotResources(1.0, 2048, 2048, 0),
                        null));
        assertThat(c.slots().teacherOrRollout()).isEqualTo(c.slots().rollout());
        assertThat(c.problemsPerBatch()).isEqualTo(24);
        assertThat(c.groupsPerBatch()).isEqualTo(16);
        assertThat(c.carrySteps()).isEqualTo(1);
        assertThat(c.evalMaxNewTokens()).isEqualTo(512);
        assertThat(c.policyStore().directory(Path.of("/runs/x"))).isEqualTo(Path.of("/scratch/policies"));
    }

    @Test
    void sectionsConvertToTheRecordsThatUseThem() {
        RunConfig c = ConfigLoader.load(example("full.yaml"));
        assertThat(c.model().toModelConfig(1000))
                .isEqualTo(new ModelConfig(1000, 8, 8, 512, 2048, 512, Positions.ROTARY));
        assertThat(c.rollout().sampling()).isEqualTo(new SamplingConfig(0.8, 0.95, 50, 256, false));
        assertThat(c.learner().optimizer()).isEqualTo(new AdamW.Config(5e-5, 0.85, 0.995, 1e-6, 0.01, 10));
        assertThat(c.learner().toTrainerConfig(c.rollout().sampling()))
                .isEqualTo(new PolicyTrainer.Config(
                        0.5, 32, 0.8, OptimizerStep.PER_PROMPT, new SamplingTruncation(0.95, 50)));
        assertThat(c.learner().toLossSettings(256).loss().masking()).isEqualTo(Masking.TOKEN_RATIO);
        assertThat(c.buffer().toAdvantages(256))
                .isEqualTo(new Advantages.Config(
                        Estimator.GROUP_MEAN_STD, new Advantages.SoftOverlongPunishment(64, 0.5), 256));
        assertThatThrownBy(() -> c.model().toModelConfig(2))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("model.vocab_size");
        assertThat(RunConfig.defaults().policyStore().directory(Path.of("/runs/x")))
                .isEqualTo(Path.of("/runs/x/policy"));
    }

    @Test
    void theDistillationExampleBinds() {
        RunConfig c = ConfigLoader.load(example("distill.yaml"));
        assertThat(c.learner().algorithm()).isEqualTo(Algorithm.REVERSE_KL);
        assertThat(c.teacher().checkpoint()).isEqualTo("runs/reverse-teacher/checkpoints/final");
        assertThat(c.rollout().rolloutsPerExample()).isEqualTo(4);
        assertThat(c.data().task()).isEqualTo("reverse");
        assertThat(c.problemsPerBatch()).isEqualTo(8);
        assertThat(c.zeroAdvantageFilter()).isFalse(); // unset: off for reverse_kl
    }

    @Test
    void enumsAreAcceptedInAnyCase() {
        RunConfig c = ConfigLoader.parse("""
                rollout: {device: Cpu}
                learner: {algorithm: SFT, optimizer_step: PER-PROMPT, loss: {masking: None}}
                output: {rollouts_log: NONE}
                model: {positions: Rotary}
                data: {source: Task}
                """);
        assertThat(c.rollout().device()).isEqualTo(DeviceSetting.CPU);
        assertThat(c.learner().algorithm()).isEqualTo(Algorithm.SFT);
        assertThat(c.learner().trainer().optimizerStep()).isEqualTo(OptimizerStep.PER_PROMPT);
        assertThat(c.learner().objective().loss().masking()).isEqualTo(Masking.NONE);
        assertThat(c.output().rolloutsLog()).isEqualTo(Mode.NONE);
        assertThat(c.model().positions()).isEqualTo(Positions.ROTARY);
    }

    @Test
    void numbersWrittenInAnyYamlFormAreNumbers() {
        RunConfig c = ConfigLoader.parse("""
                learner: {learning_rate: 1e-3, epsilon: 1.0E-7, max_grad_norm: 2}
                job: {max_steps: 1e3, seed: -7}
                rollout: {temperature: "0.5"}
                """);
        assertThat(c.learner().optimizer().learningRate()).isEqualTo(1e-3);
        assertThat(c.learner().optimizer().epsilon()).isEqualTo(1e-7);
        assertThat(c.learner().trainer().maxGradNorm()).isEqualTo(2.0);
        assertThat(c.job().maxSteps()).isEqualTo(1000);
        assertThat(c.job().seed()).isEqualTo(-7);
        assertThat(c.rollout().sampling().temperature()).isEqualTo(0.5);
    }

    @Test
    void aMissingFileIsAConfigError(@TempDir Path dir) {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yaml"), List.of()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("nope.yaml");
    }

    @Test
    void badYamlIsAConfigErrorWithItsLocation(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "rollout:\n  temperature: [1, 2\n");
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("bad.yaml is not valid YAML")
                .hasMessageContaining("line");
    }

    @Test
    void duplicateKeysAreErrorsRatherThanSilentlyOverwritten() {
        assertThat(failure("rollout:\n  temperature: 0.5\n  temperature: 0.7\n"))
                .hasMessageContaining("not valid YAML")
                .hasMessageContaining("temperature");
    }

    @Test
    void aFileThatIsNotAMapOfSectionsIsRejected() {
        assertThat(failure("- job\n- data\n"))
                .hasMessageContaining("must be a map of sections")
                .hasMessageContaining("a list");
        assertThat(failure("just text"))
                .hasMessageContaining("must be a map of sections")
                .hasMessageContaining("'just text'");
    }

    /** Configs written before keep_evaluated was a count (every resolved config.yaml said true) still load. */
    @Test
    void keepEvaluatedReadsTheOldFlags() {
        assertThat(ConfigLoader.parse("policy_store: {keep_evaluated: true}")
                        .policyStore()
                        .keepEvaluated())
                .isEqualTo(Integer.MAX_VALUE);
        assertThat(ConfigLoader.parse("policy_store: {keep_evaluated: false}")
                        .policyStore()
                        .keepEvaluated())
                .isZero();
        assertThat(ConfigLoader.parse("", List.of("policy_store.keep_evaluated=true"))
                        .policyStore()
                        .keepEvaluated())
                .isEqualTo(Integer.MAX_VALUE);
        assertThat(ConfigLoader.parse("policy_store: {keep_evaluated: 2}")
                        .policyStore()
                        .keepEvaluated())
                .isEqualTo(2);
    }
}
