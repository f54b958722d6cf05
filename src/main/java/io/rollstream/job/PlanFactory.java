package io.rollstream.job;

import io.rollstream.batch.BatchAssemblyConfig;
import io.rollstream.batch.GroupFilters;
import io.rollstream.config.BufferSection;
import io.rollstream.config.DataSection;
import io.rollstream.config.RolloutSection;
import io.rollstream.config.RunConfig;
import io.rollstream.device.DeviceSelection;
import io.rollstream.device.DeviceSetting;
import io.rollstream.device.Precision;
import io.rollstream.eval.EvalSpec;
import io.rollstream.huggingface.HfConfig;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.learner.Algorithm;
import io.rollstream.learner.LearnerSettings;
import io.rollstream.model.ModelSource;
import io.rollstream.model.ModelSpec;
import io.rollstream.output.RolloutLogFormat;
import io.rollstream.policy.PolicyStore;
import io.rollstream.policy.RunSignals;
import io.rollstream.policy.VersionRetention;
import io.rollstream.rollout.AdmissionGate;
import io.rollstream.rollout.DifficultyPools;
import io.rollstream.rollout.ModelGroupSampler;
import io.rollstream.rollout.ReAdmission;
import io.rollstream.rollout.RolloutSettings;
import io.rollstream.sampling.SamplingConfig;
import io.rollstream.source.FieldMapping;
import io.rollstream.source.JsonlProblems;
import io.rollstream.source.JsonlSpec;
import io.rollstream.source.ProblemValidator;
import io.rollstream.source.TaskProblems;
import io.rollstream.tasks.Task;
import io.rollstream.tasks.Tasks;
import io.rollstream.tasks.Verifier;
import io.rollstream.tasks.Verifiers;
import io.rollstream.teacher.TeacherSettings;
import io.rollstream.tokenizer.Tokenizer;
import io.rollstream.tokenizer.TokenizerSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** Turns a validated {@link RunConfig} into the job's plan and its production edges. */
public final class PlanFactory {

    /** Task name of JSONL records that carry none. */
    static final String JSONL_TASK = "jsonl";

    private PlanFactory() {}

    /** The run's built-in task (its seed is the run seed): its alphabet, verifier and name. */
    public static Task task(RunConfig c) {
        return Tasks.create(
                c.data().task(), c.job().seed(), c.data().difficulty(), c.data().taskOptions());
    }

    /** The problems a built-in source trains on: the run's task without the held-out problems. */
    public static Task trainingTask(RunConfig c) {
        return withoutHeldOut(c, task(c));
    }

    /** {@code training} without the prompts of the run's held-out evaluation, if it has one. */
    public static Task withoutHeldOut(RunConfig c, Task training) {
        EvalSpec eval = eval(c);
        return eval == null ? training : eval.withoutHeldOut(training);
    }

    /**
     * The tokenizer with the run's prompt format ({@code data.prompt_format}): the Hugging Face model's own,
     * the configured one, or characters of the built-in task's alphabet.
     */
    public static TokenizerSpec tokenizer(RunConfig c) {
        return tokens(c).withPrompt(c.data().toPromptFormat());
    }

    private static TokenizerSpec tokens(RunConfig c) {
        if (c.model().source() == ModelSource.HUGGINGFACE) {
            return HfModelDirectory.tokenizer(Path.of(c.model().path()));
        }
        if (c.model().tokenizer() != null) {
            return c.model().tokenizer();
        }
        if (c.data().source() != DataSection.Source.TASK) {
            throw new IllegalArgumentException("model.tokenizer is required with data.source: jsonl"
                    + " (e.g. {type: char, alphabet: \"...\"} or {type: huggingface, path: tokenizer.json})");
        }
        return TokenizerSpec.chars(task(c).alphabet());
    }

    /**
     * What the policy is: the builtin shape for {@code tokenizer}'s vocabulary, or the Hugging Face
     * model's config.json (whose vocabulary must cover the tokenizer's ids).
     */
    public static ModelSpec modelSpec(RunConfig c, Tokenizer tokenizer) throws IOException {
        if (c.model().source() == ModelSource.BUILTIN) {
            return c.model().toModelConfig(tokenizer.vocabSize());
        }
        Path dir = Path.of(c.model().path());
        HfConfig config = HfModelDirectory.config(dir);
        if (tokenizer.vocabSize() > config.decoder().vocabSize()) {
            throw new IllegalArgumentException("model.path " + dir + ": its tokenizer has " + tokenizer.vocabSize()
                    + " ids but config.json's vocab_size is " + config.decoder().vocabSize());
        }
        return config.decoder();
    }

    /** Held-out evaluation (built-in tasks only), or null. */
    public static EvalSpec eval(RunConfig c) {
        if (c.data().source() != DataSection.Source.TASK || c.eval().problems() == 0) {
            return null;
        }
        return new EvalSpec(
                c.data().task(),
                c.job().seed(),
                c.data().difficulty(),
                c.data().taskOptions(),
                c.eval().problems(),
                c.eval().everySteps(),
                c.evalMaxNewTokens(),
                c.eval().samples(),
                c.eval().temperature());
    }

    public static PipelinePlan plan(RunConfig c, RunPaths paths, int contextLength) {
        BufferSection b = c.buffer();
        RolloutSection r = c.rollout();
        BatchAssemblyConfig batch = new BatchAssemblyConfig(
                b.batchSize(),
                r.rolloutsPerExample(),
                c.async().maxOffPolicySteps(),
                c.job().maxSteps(),
                new GroupFilters(b.filterTruncated(), b.onlineDifficultyFiltering(), c.zeroAdvantageFilter()),
                b.toAdvantages(r.maxNewTokens()));
        RolloutSettings rollout = new RolloutSettings(
                AdmissionGate.of(
                        c.problemsPerBatch(),
                        c.groupsPerBatch(),
                        c.async().maxAsyncLevel(),
                        r.parallelism(),
                        b.oversampling()),
                new DifficultyPools(b.easyThreshold(), b.hardThreshold()),
                EarlyVerdict.of(batch),
                Math.max(1, r.maxBatchRows() / r.rolloutsPerExample()),
                r.policyPollMs(),
                new ReAdmission(b.easyFraction(), b.hardFraction(), c.job().seed()),
                r.rolloutsPerExample(),
                problemsRecur(c.data()));
        LearnerSettings learner = new LearnerSettings(
                c.learner().algorithm(),
                c.learner().optimizer(),
                c.learner().toTrainerConfig(r.sampling()),
                c.learner().toLossSettings(r.maxNewTokens()),
                c.job().maxSteps(),
                c.data().maxProblems(),
                c.learner().maxBadSteps(),
                (long) c.job().stateInlineMaxMb() << 20,
                retention(c),
                c.learner().device());
        return new PipelinePlan(
                c.job().name(),
                r.parallelism(),
                rollout,
                batch,
                learner,
                teacher(c, contextLength),
                eval(c),
                new ProblemValidator(tokenizer(c), contextLength, c.data().maxPromptChars(), knownTasks(c)),
                new PolicyStore(paths.policyStore()),
                new RolloutLogFormat(c.output().rolloutsLog(), c.output().sampleEvery()),
                paths,
                null);
    }

    /**
     * Whether a problem can reach the rollout stage again: from JSONL always (a file may repeat a
     * record, which the duplicate-id check passes as the same problem, a later epoch or a watched
     * directory's new file may bring it back), from a built-in task when its fixed set
     * ({@code max_problems > 0}) is read for more than one epoch. A built-in task's fresh problems, or
     * its fixed set read once, never repeat one: the stage then clears a problem's state once its
     * group is back.
     */
    static boolean problemsRecur(DataSection d) {
        return d.source() == DataSection.Source.JSONL || (d.maxProblems() > 0 && d.epochs() > 1);
    }

    /** Which policy versions the learner keeps: the {@code policy_store} section's bounds. */
    static VersionRetention retention(RunConfig c) {
        EvalSpec eval = eval(c);
        long every = eval != null ? eval.everySteps() : 0;
        return new VersionRetention(
                c.policyStore().keepLast(),
                c.async().maxOffPolicySteps(),
                every,
                c.job().maxSteps(),
                c.policyStore().keepEvaluated(),
                c.policyStore().keepBest());
    }

    /** The teacher-scoring stage when distilling ({@code learner.algorithm: reverse_kl}), else null. */
    static TeacherSettings teacher(RunConfig c, int contextLength) {
        if (c.learner().algorithm() != Algorithm.REVERSE_KL) {
            return null;
        }
        String given = c.teacher().location();
        String location =
                given.contains("://") ? given : Path.of(given).toAbsolutePath().toString();
        return new TeacherSettings(
                c.teacher().source(),
                location,
                c.teacher().parallelism(),
                tokenizer(c),
                contextLength,
                c.rollout().device(),
                c.rollout().maxBatchRows(),
                c.model().dtype());
    }

    /** Task names a problem may carry: the built-in task, or for JSONL its default label and the built-in names. */
    static Set<String> knownTasks(RunConfig c) {
        if (c.data().source() == DataSection.Source.TASK) {
            return Set.of(task(c).problem(0).task());
        }
        Set<String> names = new HashSet<>(Tasks.names());
        names.add(JSONL_TASK);
        return names;
    }

    /** Production edges: the configured problem source and the DJL model as generator. */
    public static PipelineIo io(RunConfig c, PipelinePlan plan) {
        DataSection d = c.data();
        Verifier verifier = d.source() == DataSection.Source.TASK ? task(c).verifier() : Verifiers.byName(d.verifier());
        PolicyStore store = plan.store();
        RunSignals signals = plan.signals();
        SamplingConfig sampling = c.rollout().sampling();
        int groupSize = c.rollout().rolloutsPerExample();
        int rows = c.rollout().maxBatchRows();
        long seed = c.job().seed();
        DeviceSetting device = c.rollout().device();
        Precision precision = c.model().dtype();
        PipelineIo.ProblemStreamFactory problems;
        if (d.source() == DataSection.Source.TASK) {
            Task task = trainingTask(c);
            problems = env -> PipelineIo.ProblemInput.of(TaskProblems.stream(
                    env, task, d.maxProblems(), d.epochs(), seed, d.shuffle(), signals::isStopRequested));
        } else {
            JsonlSpec spec = new JsonlSpec(
                    d.path(),
                    d.watch(),
                    d.epochs(),
                    new FieldMapping(
                            d.fields().id(),
                            d.fields().prompt(),
                            d.fields().answer(),
                            d.fields().task()),
                    JSONL_TASK);
            problems = env -> PipelineIo.ProblemInput.of(JsonlProblems.stream(env, spec, signals::isStopRequested));
        }
        long samplingSeed = c.rollout().samplingSeed(seed);
        return new PipelineIo(
                problems,
                (subtask, gpus) -> new ModelGroupSampler(
                        store,
                        verifier,
                        sampling,
                        groupSize,
                        rows,
                        samplingSeed,
                        DeviceSelection.frozenCopyForSubtask(
                                "rollout", "rollout.device", device, precision, gpus, subtask)));
    }
}
