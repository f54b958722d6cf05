package io.rollstream.learner;

import ai.djl.Device;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.common.FailureInjection;
import io.rollstream.common.Json;
import io.rollstream.eval.EvalSpec;
import io.rollstream.eval.GreedyEvaluator;
import io.rollstream.policy.AttemptId;
import io.rollstream.policy.PolicyCollector;
import io.rollstream.policy.PolicyStore;
import io.rollstream.policy.RunSignals;
import io.rollstream.tasks.Problem;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.types.StepReport;
import io.rollstream.types.TrainBatch;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.io.ByteArrayInputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The embedded learner (parallelism 1): trains on each batch, publishes the new policy version to
 * the store, evaluates when due, and emits the step's {@code metrics.jsonl} line. When the last
 * step is done it marks the store finished, which ends generation.
 *
 * <p>State: the learner's full checkpoint (weights, optimizer moments, step, the count of
 * consecutive bad steps) as bytes in operator state — or, when larger than
 * {@code job.state_inline_max_mb}, in a file ({@link LearnerStateFiles}) whose path and checksum
 * are the state. Without restored state it starts from the
 * store's version 0 (the warm-started or freshly initialised policy the launcher published before
 * the job).
 *
 * <p>Fencing (docs/invariants.md invariant 7): on every start the learner fences the policy store with its
 * attempt and restored step, then republishes the restored version, so versions a failed attempt
 * wrote after the restored checkpoint are never used and generators (which wait for this
 * attempt's fence) continue from exactly the restored weights.
 *
 * <p>Old policy versions are deleted as the run goes ({@link PolicyCollector}); the learner steps
 * of retained checkpoints and savepoints, which pin versions, are part of its state.
 *
 * <p>A step in which no update could be applied (non-finite or all-zero gradients) is skipped and
 * counted; after {@code learner.max_bad_steps} in a row the learner fails the job.
 */
public final class LearnerOperator extends AbstractStreamOperator<StepReport>
        implements OneInputStreamOperator<TrainBatch, StepReport> {

    static final String STATE = "learner-checkpoint";
    /** Operator list state with the per-epoch KL tracker (distillation over a fixed problem set). */
    static final String EPOCH_KL_STATE = "epoch-kl";
    static final String STATE_FILE = "learner-checkpoint-file";
    /** Operator list state with the steps that pin policy versions ({@link PolicyCollector.Pins} as JSON). */
    static final String PINS_STATE = "policy-pins";
    /** Checkpoint metadata key holding the consecutive bad steps. */
    static final String BAD_STEPS = "consecutive_bad_steps";
    /** Checkpoint metadata key holding the run's stale drops as of the last batch (see {@link #publish}). */
    static final String STALE_DROPS = "groups_dropped_stale";

    private final LearnerSettings settings;
    private final PolicyStore store;
    private final RunSignals signals;
    private final EvalSpec eval;

    private transient ListState<byte[]> state;
    private transient ListState<String> epochKlState;
    /** Null unless distilling over a fixed problem set. */
    private transient EpochKl epochKl;
    private transient ListState<String> stateFile;
    private transient LearnerStateFiles files;
    private transient java.util.Set<Long> savepoints;
    private transient ListState<String> pinsState;
    private transient PolicyCollector.Pins restoredPins;
    private transient PolicyCollector collector;
    private transient boolean snapshotIsSavepoint;
    private transient Checkpoint restored;
    private transient Learner learner;
    private transient GreedyEvaluator evaluator;
    private transient List<Problem> heldOut;
    private transient String attempt;
    private transient long lastStepEndMillis;
    private transient long lastCutMillis;
    private transient LearnerMetrics stageMetrics;
    private transient int badSteps;
    /** Groups batch assembly had dropped as stale when it cut the last batch trained. */
    private transient long staleDrops;

    public LearnerOperator(LearnerSettings settings, PolicyStore store, EvalSpec eval) {
        this.settings = settings;
        this.store = store;
        this.signals = new RunSignals(store);
        this.eval = eval;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        state = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>(STATE, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        stateFile = context.getOperatorStateStore().getListState(new ListStateDescriptor<>(STATE_FILE, String.class));
        files = new LearnerStateFiles(new org.apache.flink.core.fs.Path(store.root(), "learner-state").toString());
        savepoints = new java.util.HashSet<>();
        List<byte[]> saved = new java.util.ArrayList<>();
        state.get().forEach(saved::add);
        for (String reference : stateFile.get()) {
            saved.add(LearnerStateFiles.read(LearnerStateFiles.decode(reference)));
        }
        if (saved.size() > 1) {
            throw new IllegalStateException("the learner runs with parallelism 1 but found several saved states");
        }
        restored = saved.isEmpty() ? store.load(0) : CheckpointFormat.read(new ByteArrayInputStream(saved.get(0)));
        pinsState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>(PINS_STATE, Types.STRING));
        Iterator<String> pins = pinsState.get().iterator();
        restoredPins = pins.hasNext() ? Json.mapper().readValue(pins.next(), PolicyCollector.Pins.class)
                : PolicyCollector.Pins.NONE;
        epochKlState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>(EPOCH_KL_STATE, Types.STRING));
        if (settings.algorithm() == Algorithm.REVERSE_KL && settings.problemsPerEpoch() > 0) {
            Iterator<String> json = epochKlState.get().iterator();
            epochKl = json.hasNext() ? EpochKl.fromJson(settings.problemsPerEpoch(), json.next())
                    : new EpochKl(settings.problemsPerEpoch());
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        attempt = AttemptId.of(getRuntimeContext());
        badSteps = Integer.parseInt(restored.metadata().getOrDefault(BAD_STEPS, "0"));
        staleDrops = Long.parseLong(restored.metadata().getOrDefault(STALE_DROPS, "0"));
        // the reference of a KL penalty is the run's version 0, which the store always keeps
        Checkpoint initial = settings.loss().klToReference().enabled() && restored.step() != 0 ? store.load(0) : null;
        learner = new Learner(settings, restored, initial, Device.cpu());
        restored = null;
        signals.fence(attempt, learner.step());
        publish();
        collector = new PolicyCollector(store, settings.retention(), retainedCheckpoints(), jobId());
        collector.start(restoredPins, learner.step());
        restoredPins = null;
        if (learner.step() >= settings.maxSteps()) {
            signals.markFinished(learner.step(), attempt); // restored after the last step: still finished
        }
        if (eval != null && eval.problems() > 0) {
            evaluator = new GreedyEvaluator(PromptCodec.create(learner.policy().tokenizer()),
                    eval.heldOutTask().verifier(), eval.maxNewTokens(), 256);
            heldOut = eval.heldOutProblems();
        }
        lastStepEndMillis = System.currentTimeMillis();
        stageMetrics = new LearnerMetrics(getMetricGroup(), settings.algorithm());
    }

    @Override
    public void processElement(StreamRecord<TrainBatch> element) throws Exception {
        TrainBatch batch = element.getValue();
        if (batch.step() >= settings.maxSteps()) {
            return; // batch assembly never cuts these; ignore defensively
        }
        FailureInjection.maybeFail("learner", batch.step(), getRuntimeContext());
        long start = System.currentTimeMillis();
        StepResult result = learner.train(batch);
        countBadStep(batch.step(), result);
        staleDrops = batch.stats().totals().droppedStale();
        publish();
        collector.published(learner.step());
        Double accuracy = eval != null && eval.dueAfter(batch.step(), settings.maxSteps())
                ? evaluator.accuracy(learner.model(), heldOut) : null;
        if (accuracy != null) {
            collector.evaluated(learner.step(), accuracy);
        }
        long end = System.currentTimeMillis();
        long previousCut = lastCutMillis > 0 ? lastCutMillis : batch.stats().firstArrivalMillis();
        StepMetrics.Timing timing = new StepMetrics.Timing((end - start) / 1000.0,
                Math.max(0, start - lastStepEndMillis) / 1000.0, Math.max(0, batch.stats().cutMillis() - previousCut) / 1000.0);
        Map<String, Object> metrics = StepMetrics.rl(batch, result, timing, accuracy);
        if (epochKl != null) {
            metrics.putAll(epochKl.metrics(epochKl.add(batch)));
        }
        output.collect(new StreamRecord<>(new StepReport("rl", batch.step(), Json.mapper().writeValueAsString(metrics))));
        stageMetrics.stepDone(metrics);
        lastStepEndMillis = end;
        lastCutMillis = batch.stats().cutMillis();
        if (learner.step() >= settings.maxSteps()) {
            signals.markFinished(learner.step(), attempt);
        }
    }

    /**
     * Publishes the learner's current policy. Its manifest carries the run's stale drops, so the
     * generators give the admission slots of those groups back (they had counted them as useful).
     */
    private void publish() throws java.io.IOException {
        store.publish(learner.policy(), attempt, staleDrops);
    }

    /** Counts steps without an applied update; fails the job after {@code max_bad_steps} in a row. */
    private void countBadStep(long step, StepResult result) {
        boolean bad = result.optimizerSteps() == 0 && result.skippedNonFinite() + result.skippedZeroGradient() > 0;
        badSteps = bad ? badSteps + 1 : 0;
        if (badSteps >= settings.maxBadSteps()) {
            throw new IllegalStateException("the learner skipped " + badSteps + " steps in a row (up to step " + step
                    + ") because the loss or gradients were not finite or all zero; learner.max_bad_steps is "
                    + settings.maxBadSteps() + ". Lower learner.learning_rate or learner.max_grad_norm, or check"
                    + " the rewards; a restart continues from the last checkpoint before these steps");
        }
    }

    @Override
    public OperatorSnapshotFutures snapshotState(long checkpointId, long timestamp, CheckpointOptions options,
            CheckpointStreamFactory factory) throws Exception {
        snapshotIsSavepoint = options.getCheckpointType().isSavepoint(); // its state file is never deleted
        return super.snapshotState(checkpointId, timestamp, options, factory);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        epochKlState.update(epochKl != null ? List.of(epochKl.toJson()) : List.of());
        pinsState.update(List.of(Json.mapper().writeValueAsString(
                collector.snapshot(context.getCheckpointId(), learner.step(), snapshotIsSavepoint))));
        byte[] bytes = CheckpointFormat.toBytes(learner.checkpoint(
                Map.of("attempt", attempt, BAD_STEPS, Integer.toString(badSteps), STALE_DROPS, Long.toString(staleDrops))));
        if (bytes.length <= settings.stateInlineMaxBytes()) {
            state.update(List.of(bytes));
            stateFile.clear();
            return;
        }
        if (snapshotIsSavepoint) {
            savepoints.add(context.getCheckpointId());
        }
        LearnerStateFiles.Reference reference = files.write(jobId(), context.getCheckpointId(), snapshotIsSavepoint,
                bytes);
        state.clear();
        stateFile.update(List.of(LearnerStateFiles.encode(reference)));
    }

    /**
     * A completed checkpoint subsumes the job's older ones (one is retained): their state files go,
     * and so do the policy versions that only they pinned.
     */
    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        if (!savepoints.remove(checkpointId)) {
            files.deleteSubsumed(jobId(), checkpointId);
        }
        collector.completed(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        super.notifyCheckpointAborted(checkpointId);
        collector.aborted(checkpointId);
    }

    /** How many completed checkpoints Flink retains ({@code execution.checkpointing.num-retained}). */
    private int retainedCheckpoints() {
        return getContainingTask().getEnvironment().getJobConfiguration()
                .get(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS);
    }

    private String jobId() {
        return getRuntimeContext().getJobInfo().getJobId().toString();
    }

    @Override
    public void close() throws Exception {
        if (learner != null) {
            learner.close();
        }
        super.close();
    }
}
