package io.rollstream.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.rollstream.batch.Advantages;
import io.rollstream.config.DataSection.Source;
import io.rollstream.device.DeviceSetting;
import io.rollstream.device.Precision;
import io.rollstream.learner.Algorithm;
import io.rollstream.learner.LossAggregation;
import io.rollstream.model.ModelSource;
import io.rollstream.rollout.Oversampling;
import io.rollstream.tasks.Task;
import io.rollstream.tasks.Tasks;
import io.rollstream.tokenizer.PromptFormat;
import io.rollstream.tokenizer.TokenizerSpec;

/**
 * A whole, validated run configuration: one record per YAML section. Each section checks its own
 * keys; this record checks the rules that span sections. Read one with {@link ConfigLoader}, write
 * one with {@link ConfigWriter}.
 *
 * @param job the {@code job} section; default {@link JobSection#defaults()}
 * @param data the {@code data} section; default {@link DataSection#defaults()}
 * @param model the {@code model} section; default {@link ModelSection#defaults()}
 * @param sft the {@code sft} section; default {@link SftSection#defaults()}
 * @param rollout the {@code rollout} section; default {@link RolloutSection#defaults()}
 * @param buffer the {@code buffer} section; default {@link BufferSection#defaults()}
 * @param async the {@code async} section; default {@link AsyncSection#defaults()}
 * @param learner the {@code learner} section; default {@link LearnerSection#defaults()}
 * @param teacher the {@code teacher} section; default {@link TeacherSection#defaults()}
 * @param eval the {@code eval} section; default {@link EvalSection#defaults()}
 * @param policyStore the {@code policy_store} section; default {@link PolicyStoreSection#defaults()}
 * @param output the {@code output} section; default {@link OutputSection#defaults()}
 * @param slots the {@code slots} section (cluster slot resources); default {@link SlotsSection#defaults()}
 */
public record RunConfig(
        JobSection job,
        DataSection data,
        ModelSection model,
        SftSection sft,
        RolloutSection rollout,
        BufferSection buffer,
        AsyncSection async,
        LearnerSection learner,
        TeacherSection teacher,
        EvalSection eval,
        PolicyStoreSection policyStore,
        OutputSection output,
        SlotsSection slots) {

    /** Every section at its defaults. */
    public static RunConfig defaults() {
        return new RunConfig(null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** A null section takes its defaults. */
    public RunConfig {
        job = job == null ? JobSection.defaults() : job;
        data = data == null ? DataSection.defaults() : data;
        model = model == null ? ModelSection.defaults() : model;
        sft = sft == null ? SftSection.defaults() : sft;
        rollout = rollout == null ? RolloutSection.defaults() : rollout;
        buffer = buffer == null ? BufferSection.defaults() : buffer;
        async = async == null ? AsyncSection.defaults() : async;
        learner = learner == null ? LearnerSection.defaults() : learner;
        teacher = teacher == null ? TeacherSection.defaults() : teacher;
        eval = eval == null ? EvalSection.defaults() : eval;
        policyStore = policyStore == null ? PolicyStoreSection.defaults() : policyStore;
        output = output == null ? OutputSection.defaults() : output;
        slots = slots == null ? SlotsSection.defaults() : slots;
        ConfigErrors e = new ConfigErrors();
        checkBatchShape(e, buffer, rollout);
        checkAlgorithm(e, learner, buffer, rollout, teacher);
        checkOversampling(e, buffer, rollout, async, learner);
        checkObjective(e, learner, buffer, rollout);
        checkContext(e, data, model);
        checkPromptFormat(e, data, model);
        checkPrecision(e, model, rollout);
        e.throwIfAny();
    }

    /**
     * Groups kept in flight per training batch: {@code int(oversampling_factor × batch_size ÷
     * rollouts_per_example)}; the surplus over {@link #groupsPerBatch()} is headroom for the groups
     * the filters drop.
     */
    @JsonIgnore
    public int problemsPerBatch() {
        return problemsPerBatch(buffer, rollout);
    }

    /** Groups one learner step trains: {@code batch_size ÷ rollouts_per_example}. */
    @JsonIgnore
    public int groupsPerBatch() {
        return buffer.batchSize() / rollout.rolloutsPerExample();
    }

    /**
     * Steps the oversampling headroom can carry a useful group past {@code max_async_level}:
     * {@code ceil((problems_per_batch − groups per batch) ÷ groups per batch)} (1 for factors up to 2).
     */
    @JsonIgnore
    public int carrySteps() {
        int groups = groupsPerBatch();
        return groups == 0 ? 0 : (Math.max(0, problemsPerBatch() - groups) + groups - 1) / groups;
    }

    /**
     * Whether groups whose advantages are all zero are dropped: {@code buffer.zero_advantage_filter} when set,
     * else on for {@code grpo} (such groups carry no gradient) and off for the other algorithms.
     */
    @JsonIgnore
    public boolean zeroAdvantageFilter() {
        Boolean set = buffer.zeroAdvantageFilter();
        return set != null ? set : learner.algorithm() == Algorithm.GRPO;
    }

    /** Token budget of evaluation answers: {@code eval.max_new_tokens}, else {@code rollout.max_new_tokens}. */
    @JsonIgnore
    public int evalMaxNewTokens() {
        return eval.maxNewTokensOr(rollout.maxNewTokens());
    }

    private static int problemsPerBatch(BufferSection buffer, RolloutSection rollout) {
        return problemsPerBatch(buffer.oversamplingFactor(), buffer.batchSize(), rollout.rolloutsPerExample());
    }

    private static int problemsPerBatch(double oversamplingFactor, int batchSize, int rolloutsPerExample) {
        return (int) (oversamplingFactor * batchSize / rolloutsPerExample);
    }

    private static void checkBatchShape(ConfigErrors e, BufferSection buffer, RolloutSection rollout) {
        int group = rollout.rolloutsPerExample();
        int size = buffer.batchSize();
        if (size % group != 0) {
            int below = size / group * group;
            e.add("buffer.batch_size (" + size + ") must be a multiple of rollout.rollouts_per_example (" + group
                    + "): try " + (below > 0 ? below + " or " : "") + (below + group));
            return;
        }
        int groups = size / group;
        if (groups < rollout.parallelism()) {
            e.add("rollout.parallelism (" + rollout.parallelism() + ") exceeds the " + groups + " groups per"
                    + " batch (buffer.batch_size " + size + " / rollout.rollouts_per_example " + group + "), so some"
                    + " generators would idle: lower rollout.parallelism to " + Math.max(1, groups)
                    + " or raise buffer.batch_size to " + rollout.parallelism() * group);
        }
    }

    /**
     * Oversampling's headroom lets useful groups exceed the async window by up to {@link #carrySteps}
     * steps; they are carried into later batches, so {@code max_off_policy_steps} must cover them.
     * Adaptive oversampling estimates what the reward filters drop, so it needs one and some headroom.
     */
    private static void checkOversampling(
            ConfigErrors e, BufferSection buffer, RolloutSection rollout, AsyncSection async, LearnerSection learner) {
        int group = rollout.rolloutsPerExample();
        if (buffer.batchSize() % group != 0) {
            return; // reported by checkBatchShape
        }
        int groups = buffer.batchSize() / group;
        int headroom = Math.max(0, problemsPerBatch(buffer, rollout) - groups);
        int carry = (headroom + groups - 1) / groups;
        int needed = async.maxAsyncLevel() + carry;
        e.check(
                async.maxOffPolicySteps() >= needed,
                "async.max_off_policy_steps",
                async.maxOffPolicySteps(),
                "must be >= async.max_async_level + " + carry + " = " + needed + " with buffer.oversampling_factor "
                        + buffer.oversamplingFactor() + ": its headroom of " + headroom + " groups in flight can carry"
                        + " useful groups " + carry + " step(s) past the async window, and staler groups would be"
                        + " dropped: raise async.max_off_policy_steps to " + needed
                        + " or set buffer.oversampling_factor to 1");
        if (buffer.oversampling() == Oversampling.ADAPTIVE) {
            boolean rewardFilter = buffer.onlineDifficultyFiltering()
                    || (buffer.zeroAdvantageFilter() != null
                            ? buffer.zeroAdvantageFilter()
                            : learner.algorithm() == Algorithm.GRPO);
            e.check(
                    rewardFilter,
                    "buffer.oversampling",
                    "adaptive",
                    "estimates which groups the zero-advantage and difficulty filters drop, but neither is on (every"
                            + " group is useful): use buffer.oversampling: fixed, or turn on"
                            + " buffer.zero_advantage_filter or buffer.online_difficulty_filtering");
            e.check(
                    headroom > 0,
                    "buffer.oversampling",
                    "adaptive",
                    "keeps in flight only as much of the headroom as it expects to need, and buffer.oversampling_factor "
                            + buffer.oversamplingFactor()
                            + " leaves none: raise buffer.oversampling_factor (e.g. to 2.0,"
                            + " the most adaptive oversampling may keep in flight)");
        }
    }

    private static void checkAlgorithm(
            ConfigErrors e,
            LearnerSection learner,
            BufferSection buffer,
            RolloutSection rollout,
            TeacherSection teacher) {
        if (learner.algorithm() == Algorithm.REVERSE_KL) {
            String why = "does not apply to distillation (learner.algorithm reverse_kl): remove it";
            e.check(buffer.easyThreshold() == null, "buffer.easy_threshold", buffer.easyThreshold(), why);
            e.check(buffer.hardThreshold() == null, "buffer.hard_threshold", buffer.hardThreshold(), why);
            e.check(
                    !buffer.onlineDifficultyFiltering(),
                    "buffer.online_difficulty_filtering",
                    true,
                    "does not apply to distillation (learner.algorithm reverse_kl): set it to false");
            e.check(buffer.easyFraction() == 0, "buffer.easy_fraction", buffer.easyFraction(), why);
            e.check(buffer.hardFraction() == 0, "buffer.hard_fraction", buffer.hardFraction(), why);
            e.check(
                    buffer.advantage() == Advantages.Estimator.GROUP_MEAN,
                    "buffer.advantage",
                    buffer.advantage(),
                    "does not apply to distillation (learner.algorithm reverse_kl trains on per-token rewards, not"
                            + " group advantages): remove it");
            e.check(
                    buffer.softOverlongPunishment() == null,
                    "buffer.soft_overlong_punishment",
                    buffer.softOverlongPunishment(),
                    "shapes verifier rewards, which distillation (learner.algorithm"
                            + " reverse_kl) does not train on: remove it");
            e.check(
                    buffer.zeroAdvantageFilter() == null,
                    "buffer.zero_advantage_filter",
                    buffer.zeroAdvantageFilter(),
                    "does not apply to distillation (learner.algorithm reverse_kl: per-token rewards, no group"
                            + " advantages): remove it");
            e.check(
                    teacher.isSet(),
                    "teacher.checkpoint",
                    null,
                    "is required when learner.algorithm is reverse_kl: set it to the teacher's checkpoint (or"
                            + " teacher.source: huggingface with teacher.path)");
        }
        // GRPO's baseline is the group's mean reward: a group of one has zero advantage whatever its
        // reward, so buffer.zero_advantage_filter would drop every group and, turned off, the learner
        // would train on all-zero advantages without a word. Distillation's per-token rewards need no group.
        if (learner.algorithm() == Algorithm.GRPO) {
            e.check(
                    rollout.rolloutsPerExample() >= 2,
                    "rollout.rollouts_per_example",
                    rollout.rolloutsPerExample(),
                    "must be >= 2 with learner.algorithm grpo: its advantage is each reward minus the group's mean,"
                            + " so a group of one always has zero advantage (buffer.zero_advantage_filter true drops"
                            + " every group, false trains on nothing): set rollout.rollouts_per_example to 2 or more"
                            + " (one rollout per prompt suits learner.algorithm reverse_kl)");
        }
    }

    /** The objective's options against the batch they train on. */
    private static void checkObjective(
            ConfigErrors e, LearnerSection learner, BufferSection buffer, RolloutSection rollout) {
        e.check(
                !(buffer.advantage() == Advantages.Estimator.RLOO && rollout.rolloutsPerExample() < 2),
                "buffer.advantage",
                buffer.advantage(),
                "needs rollout.rollouts_per_example >= 2 (the leave-one-out"
                        + " baseline of a group of one is undefined): raise rollout.rollouts_per_example");
        e.check(
                !(buffer.advantage() == Advantages.Estimator.DR_GRPO
                        && learner.objective().aggregation() == LossAggregation.SEQ_MEAN_TOKEN_MEAN),
                "buffer.advantage",
                buffer.advantage(),
                "with learner.loss_aggregation seq_mean_token_mean keeps the per-sequence length"
                        + " normaliser that Dr. GRPO removes: set learner.loss_aggregation to seq_mean_token_sum");
        e.check(
                !(learner.objective().overlongFiltering() && buffer.filterTruncated()),
                "learner.overlong_filtering",
                true,
                "has nothing to do with buffer.filter_truncated true (groups with a truncated completion are dropped"
                        + " whole before the learner): keep one of the two");
        Advantages.SoftOverlongPunishment p = buffer.softOverlongPunishment();
        e.check(
                p == null || p.cacheTokens() < rollout.maxNewTokens(),
                "buffer.soft_overlong_punishment.cache_tokens",
                p == null ? null : p.cacheTokens(),
                "must be below rollout.max_new_tokens (" + rollout.maxNewTokens()
                        + "): the punishment ramps over the last cache_tokens tokens of the budget");
    }

    /** Chat prompts need a tokenizer with a chat template: a char tokenizer has none. */
    /**
     * Reduced precision is for copies on a GPU; with {@code rollout.device: cpu} every copy is on the
     * CPU, so {@code float16} could never apply. (With {@code auto} the device is known only when a
     * subtask starts, which logs a CPU fallback.)
     */
    private static void checkPrecision(ConfigErrors e, ModelSection model, RolloutSection rollout) {
        e.check(
                !(model.dtype() != Precision.FLOAT32 && rollout.device() == DeviceSetting.CPU),
                "model.dtype",
                model.dtype(),
                "applies to the generators and teacher on a GPU, but rollout.device is cpu, where"
                        + " they compute in float32: remove model.dtype, or set rollout.device: auto or gpu");
    }

    private static void checkPromptFormat(ConfigErrors e, DataSection data, ModelSection model) {
        boolean charTokenizer = model.tokenizer() != null
                && TokenizerSpec.CHAR.equals(model.tokenizer().type());
        e.check(
                data.promptFormat() != PromptFormat.Kind.CHAT || !charTokenizer,
                "data.prompt_format",
                "chat",
                "needs a model with a chat template, but model.tokenizer is a char tokenizer: use data.prompt_format:"
                        + " raw, or a Hugging Face model directory (model.tokenizer type huggingface_model)");
    }

    /** With a task's char tokenizer, BOS + the longest prompt + the longest answer + EOS must fit the context. */
    private static void checkContext(ConfigErrors e, DataSection data, ModelSection model) {
        if (data.source() != Source.TASK || model.source() != ModelSource.BUILTIN || model.tokenizer() != null) {
            return;
        }
        Task task = Tasks.create(data.task(), 0, data.difficulty(), data.taskOptions());
        int needed = task.maxPromptChars() + task.maxAnswerChars() + 2;
        e.check(
                needed <= model.contextLength(),
                "model.context_length",
                model.contextLength(),
                "is too short for data.task " + data.task() + " at data.difficulty " + data.difficulty()
                        + ": BOS + prompt ("
                        + task.maxPromptChars() + " chars) + answer (" + task.maxAnswerChars() + " chars) + EOS need "
                        + needed + " tokens: raise model.context_length to " + needed + " or lower data.difficulty");
    }
}
