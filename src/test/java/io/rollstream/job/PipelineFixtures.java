package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.rollstream.batch.BatchAssemblyConfig;
import io.rollstream.batch.GroupFilters;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.device.Placement;
import io.rollstream.eval.EvalSpec;
import io.rollstream.learner.AdamW;
import io.rollstream.learner.Algorithm;
import io.rollstream.learner.LearnerSettings;
import io.rollstream.learner.LossSettings;
import io.rollstream.learner.PolicyTrainer;
import io.rollstream.model.GptModel;
import io.rollstream.model.ModelConfig;
import io.rollstream.output.RolloutLogFormat;
import io.rollstream.policy.PolicyStore;
import io.rollstream.policy.VersionRetention;
import io.rollstream.rollout.AdmissionGate;
import io.rollstream.rollout.DifficultyPools;
import io.rollstream.rollout.GroupJudge;
import io.rollstream.rollout.GroupRequest;
import io.rollstream.rollout.GroupSampler;
import io.rollstream.rollout.GroupSamplerFactory;
import io.rollstream.rollout.ModelGroupSampler;
import io.rollstream.rollout.Oversampling;
import io.rollstream.rollout.ReAdmission;
import io.rollstream.rollout.RolloutSettings;
import io.rollstream.rollout.SampledGroup;
import io.rollstream.sampling.SamplingConfig;
import io.rollstream.source.ProblemValidator;
import io.rollstream.source.TaskProblems;
import io.rollstream.tasks.Task;
import io.rollstream.tasks.Tasks;
import io.rollstream.tokenizer.CharTokenizer;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.tokenizer.PromptFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.JobStatus;

/** A small real pipeline (tiny model, 2-digit addition) for MiniCluster tests. */
final class PipelineFixtures {

    static final int G = 4;

    private PipelineFixtures() {}

    /**
     * @param problemsRecur whether the run reads a fixed problem set for several epochs (the rollout
     *     stage then keeps per-problem state)
     * @param oversamplingMode fixed or adaptive headroom
     */
    record Knobs(
            int parallelism,
            int batchSize,
            double oversampling,
            int maxAsync,
            int maxOffPolicy,
            long steps,
            Double easy,
            Double hard,
            boolean problemsRecur,
            Oversampling oversamplingMode) {

        /** Fixed oversampling; per-problem state kept exactly when difficulty pools are configured. */
        Knobs(
                int parallelism,
                int batchSize,
                double oversampling,
                int maxAsync,
                int maxOffPolicy,
                long steps,
                Double easy,
                Double hard) {
            this(
                    parallelism,
                    batchSize,
                    oversampling,
                    maxAsync,
                    maxOffPolicy,
                    steps,
                    easy,
                    hard,
                    easy != null || hard != null,
                    Oversampling.FIXED);
        }
    }

    /** The plan, with a warm-started version 0 published to its policy store. */
    static PipelinePlan plan(Path runDir, Knobs k) throws Exception {
        PipelinePlan plan = planOnly(runDir, k);
        // A short warm start so the policy solves some problems: pools and advantages then see a mix.
        plan.store().publish(warmStart(), "init");
        return plan;
    }

    /** The warm-started initial policy (deterministic). */
    static Checkpoint warmStart() throws Exception {
        Task task = Tasks.create("arithmetic", 3, 1);
        CharTokenizer tokenizer = new CharTokenizer(task.alphabet());
        try (GptModel fresh = GptModel.initialize(model(tokenizer), 5, Device.cpu())) {
            return WarmStart.run(
                    new WarmStart.Settings(120, 100, 32, 3e-3, 10, 0, 0, null),
                    task,
                    fresh,
                    new PromptCodec(tokenizer, PromptFormat.RAW),
                    eval(),
                    line -> {});
        }
    }

    private static ModelConfig model(CharTokenizer tokenizer) {
        return new ModelConfig(tokenizer.vocabSize(), 1, 2, 32, 64, 12, ModelConfig.Positions.LEARNED);
    }

    private static EvalSpec eval() {
        return new EvalSpec("arithmetic", 3, 1, Map.of(), 20, 2, 4, 0, 1.0);
    }

    /** The plan for a run in {@code runDir}, leaving its policy store as it is (to resume). */
    static PipelinePlan planOnly(Path runDir, Knobs k) {
        Task task = Tasks.create("arithmetic", 3, 1);
        CharTokenizer tokenizer = new CharTokenizer(task.alphabet());
        ModelConfig model = model(tokenizer);
        RunPaths paths = RunPaths.under(runDir, null);
        PolicyStore store = new PolicyStore(paths.policyStore());
        EvalSpec eval = eval();
        int problemsPerBatch = (int) (k.oversampling() * k.batchSize() / G);
        int groupsPerBatch = k.batchSize() / G;
        BatchAssemblyConfig batch = new BatchAssemblyConfig(
                k.batchSize(), G, k.maxOffPolicy(), k.steps(), new GroupFilters(false, false, true), false);
        GroupJudge early = EarlyVerdict.of(batch);
        RolloutSettings rollout = new RolloutSettings(
                AdmissionGate.of(problemsPerBatch, groupsPerBatch, k.maxAsync(), k.parallelism(), k.oversamplingMode()),
                new DifficultyPools(k.easy(), k.hard()),
                early,
                16,
                50,
                ReAdmission.NONE,
                G,
                k.problemsRecur());
        LearnerSettings learner = LearnerSettings.of(
                        Algorithm.GRPO,
                        new AdamW.Config(1e-3, 0.9, 0.99, 1e-8, 0, 0),
                        new PolicyTrainer.Config(1.0, 64, 1.0, PolicyTrainer.OptimizerStep.PER_BATCH),
                        LossSettings.defaults(),
                        k.steps())
                // Old versions are collected as in real runs (checkpoints and savepoints pin theirs).
                .withRetention(new VersionRetention(2, k.maxOffPolicy(), 0, k.steps(), 0, false));
        return new PipelinePlan(
                "pipeline-it",
                k.parallelism(),
                rollout,
                batch,
                learner,
                null,
                eval,
                new ProblemValidator(tokenizer.spec(), model.contextLength(), 100),
                store,
                new RolloutLogFormat(RolloutLogFormat.Mode.ALL, 1),
                paths,
                null);
    }

    static PipelineIo io(PipelinePlan plan, long runSeed, int setSize) {
        return io(plan, runSeed, setSize, 0);
    }

    /** {@code setSize} problems (0: fresh ones for ever) read for {@code epochs} epochs (0: endless). */
    static PipelineIo io(PipelinePlan plan, long runSeed, int setSize, long epochs) {
        Task task = Tasks.create("arithmetic", 3, 1);
        PolicyStore store = plan.store();
        return new PipelineIo(
                env -> PipelineIo.ProblemInput.of(TaskProblems.stream(
                        env, task, setSize, epochs, runSeed, true, plan.signals()::isStopRequested)),
                (subtask, gpus) -> new ModelGroupSampler(
                        store, task.verifier(), SamplingConfig.sample(4), G, 64, runSeed, Placement.cpu()));
    }

    /** The same edges, with every generation pass slowed down (so a test can stop the run midway). */
    static PipelineIo slowed(PipelineIo io, long millisPerPass) {
        GroupSamplerFactory inner = io.sampler();
        return new PipelineIo(io.problems(), (subtask, gpus) -> {
            GroupSampler sampler = inner.create(subtask, gpus);
            return new GroupSampler() {
                @Override
                public List<SampledGroup> generate(List<GroupRequest> requests) throws Exception {
                    Thread.sleep(millisPerPass);
                    return sampler.generate(requests);
                }

                @Override
                public void close() throws Exception {
                    sampler.close();
                }
            };
        });
    }

    /**
     * Runs the job in the background and, once it has logged {@code steps} learner steps, stops
     * it with a savepoint as {@code rollstream stop} does.
     *
     * @return the savepoint
     */
    static String runAndStopAfter(PipelinePlan plan, PipelineIo io, PipelineRunner.Settings options, int steps)
            throws Exception {
        CompletableFuture<PipelineRunner.Result> run = CompletableFuture.supplyAsync(() -> {
            try {
                return PipelineRunner.run(plan, io, options, line -> {});
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Path runDir = plan.paths().dir();
        long deadline = System.currentTimeMillis() + 120_000;
        while (RunInvariants.steps(runDir).size() < steps || !Files.exists(runDir.resolve(RunControl.FILE))) {
            assertThat(run).as("the run ended before it could be stopped").isNotDone();
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(20);
        }
        String savepoint = RunControl.stop(runDir, Duration.ofMinutes(2));
        assertThat(run.get().status()).isEqualTo(JobStatus.FINISHED);
        return savepoint;
    }
}
