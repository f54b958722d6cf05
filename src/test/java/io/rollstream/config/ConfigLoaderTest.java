package io.rollstream.config;

import io.rollstream.output.RolloutLogFormat;

import io.rollstream.learner.Algorithm;

import static io.rollstream.config.ConfigFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.config.DataSection.Source;
import io.rollstream.output.RolloutLogFormat.Mode;
import io.rollstream.config.RolloutSection.Device;
import io.rollstream.learner.AdamW;
import io.rollstream.learner.PolicyGradientLoss;
import io.rollstream.learner.PolicyGradientLoss.Masking;
import io.rollstream.learner.PolicyTrainer;
import io.rollstream.learner.PolicyTrainer.OptimizerStep;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ModelConfig.Positions;
import io.rollstream.sampling.SamplingParams;
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
            return Path.of(ConfigLoaderTest.class.getResource("/configs/" + name).toURI());
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
        assertThat(c.data()).isEqualTo(new DataSection(Source.TASK, "arithmetic", 3, Map.of(), null, false,
                new DataSection.Fields("id", "prompt", "answer", "task"), "exact_match", 1, true, 0, 4096));
        assertThat(c.model()).isEqualTo(new ModelSection(4, 4, 128, 512, 32, Positions.LEARNED, null, null));
        assertThat(c.sft()).isEqualTo(new SftSection(0, 1000, 64, 1e-3, 20, 250, 100));
        assertThat(c.rollout()).isEqualTo(new RolloutSection(1, 8, 1.0, 1.0, 0, 8, 256, 200, Device.AUTO));
        assertThat(c.buffer()).isEqualTo(new BufferSection(64, 1.0, null, null, false, null, false, false, 0, 0));
        assertThat(c.zeroAdvantageFilter()).isTrue(); // unset: on for grpo
        assertThat(c.async()).isEqualTo(new AsyncSection(1, 1));
        assertThat(c.learner()).isEqualTo(new LearnerSection(Algorithm.GRPO, 1e-4, 0.9, 0.99, 1e-8, 0.0, 0, 1.0, 64,
                OptimizerStep.PER_BATCH, 5, new PolicyGradientLoss.Config(Masking.DPPO, 0.2, 0.2, 0.125, 8.0, 1e-3)));
        assertThat(c.teacher()).isEqualTo(new TeacherSection(null, 1));
        assertThat(c.eval()).isEqualTo(new EvalSection(5, 200, null));
        assertThat(c.policyStore()).isEqualTo(new PolicyStoreSection(null, 8, true));
        assertThat(c.output()).isEqualTo(new OutputSection(Mode.ALL, 10));
        assertThat(c.problemsPerBatch()).isEqualTo(8);
        assertThat(c.evalMaxNewTokens()).isEqualTo(8);
        assertThat(c.learner().toAdamW()).isEqualTo(AdamW.Config.defaults());
        assertThat(c.learner().toLossConfig()).isEqualTo(PolicyGradientLoss.Config.defaults());
        assertThat(c.learner().toTrainerConfig(1.0)).isEqualTo(PolicyTrainer.Config.defaults());
    }

    @Test
    void missingKeysOfAGivenSectionTakeTheirDefaults() {
        RunConfig c = ConfigLoader.parse("rollout:\n  temperature: 0.5\n");
        assertThat(c.rollout()).isEqualTo(new RolloutSection(1, 8, 0.5, 1.0, 0, 8, 256, 200, Device.AUTO));
        assertThat(c).isEqualTo(new RunConfig(null, null, null, null, c.rollout(), null, null, null, null, null,
                null, null, null));
    }

    @Test
    void theFullExampleBindsEveryKey() {
        RunConfig c = ConfigLoader.load(example("full.yaml"), List.of());
        assertThat(c.job()).isEqualTo(new JobSection("gsm-grpo", 1234, 2000, 240, false, 9081, 120, 9250,
                "s3://bucket/rollstream/checkpoints", 5, 16));
        assertThat(c.data()).isEqualTo(new DataSection(Source.JSONL, "sort", 5, Map.of("operators", "+-"),
                "/data/gsm8k/train", true, new DataSection.Fields("uid", "question", "solution", "kind"),
                "last_number_match", 3, false, 5000, 1024));
        assertThat(c.model()).isEqualTo(new ModelSection(8, 8, 512, 2048, 512, Positions.ROTARY,
                TokenizerSpec.huggingFace("/models/tiny/tokenizer.json"), "/runs/sft/checkpoints/final"));
        assertThat(c.sft()).isEqualTo(new SftSection(200, 5000, 32, 3e-4, 50, 100, 25));
        assertThat(c.rollout()).isEqualTo(new RolloutSection(4, 16, 0.8, 0.95, 50, 256, 512, 500, Device.GPU));
        assertThat(c.buffer()).isEqualTo(new BufferSection(256, 1.5, 0.9, 0.1, true, false, true, true, 0.1, 0.2));
        assertThat(c.async()).isEqualTo(new AsyncSection(2, 4));
        assertThat(c.learner()).isEqualTo(new LearnerSection(Algorithm.GRPO, 5e-5, 0.85, 0.995, 1e-6, 0.01, 10, 0.5,
                32, OptimizerStep.PER_PROMPT, 3,
                new PolicyGradientLoss.Config(Masking.TOKEN_RATIO, 0.1, 0.3, 0.25, 4.0, 0.0)));
        assertThat(c.teacher()).isEqualTo(new TeacherSection("/runs/teacher/final", 2));
        assertThat(c.eval()).isEqualTo(new EvalSection(50, 500, 512));
        assertThat(c.policyStore()).isEqualTo(new PolicyStoreSection("/scratch/policies", 3, false));
        assertThat(c.output()).isEqualTo(new OutputSection(Mode.SAMPLE, 25));
        assertThat(c.slots()).isEqualTo(new SlotsSection(new SlotsSection.SlotResources(0.5, 256, 0, 0),
                new SlotsSection.SlotResources(2.0, 1024, 4096, 1), new SlotsSection.SlotResources(1.0, 2048, 2048, 0),
                null));
        assertThat(c.slots().teacherOrRollout()).isEqualTo(c.slots().rollout());
        assertThat(c.problemsPerBatch()).isEqualTo(24);
        assertThat(c.evalMaxNewTokens()).isEqualTo(512);
        assertThat(c.policyStore().directory(Path.of("/runs/x"))).isEqualTo(Path.of("/scratch/policies"));
    }

    @Test
    void sectionsConvertToTheRecordsThatUseThem() {
        RunConfig c = ConfigLoader.load(example("full.yaml"));
        assertThat(c.model().toModelConfig(1000))
                .isEqualTo(new ModelConfig(1000, 8, 8, 512, 2048, 512, Positions.ROTARY));
        assertThat(c.rollout().toSamplingParams()).isEqualTo(new SamplingParams(0.8, 0.95, 50, 256, false));
        assertThat(c.learner().toAdamW()).isEqualTo(new AdamW.Config(5e-5, 0.85, 0.995, 1e-6, 0.01, 10));
        assertThat(c.learner().toTrainerConfig(0.8))
                .isEqualTo(new PolicyTrainer.Config(0.5, 32, 0.8, OptimizerStep.PER_PROMPT));
        assertThat(c.learner().toLossConfig().masking()).isEqualTo(Masking.TOKEN_RATIO);
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
        assertThat(c.rollout().device()).isEqualTo(Device.CPU);
        assertThat(c.learner().algorithm()).isEqualTo(Algorithm.SFT);
        assertThat(c.learner().optimizerStep()).isEqualTo(OptimizerStep.PER_PROMPT);
        assertThat(c.learner().loss().masking()).isEqualTo(Masking.NONE);
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
        assertThat(c.learner().learningRate()).isEqualTo(1e-3);
        assertThat(c.learner().epsilon()).isEqualTo(1e-7);
        assertThat(c.learner().maxGradNorm()).isEqualTo(2.0);
        assertThat(c.job().maxSteps()).isEqualTo(1000);
        assertThat(c.job().seed()).isEqualTo(-7);
        assertThat(c.rollout().temperature()).isEqualTo(0.5);
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
        assertThat(failure("- job\n- data\n")).hasMessageContaining("must be a map of sections").hasMessageContaining("a list");
        assertThat(failure("just text")).hasMessageContaining("must be a map of sections").hasMessageContaining("'just text'");
    }
}
