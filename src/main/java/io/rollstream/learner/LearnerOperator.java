package io.rollstream.learner;

import ai.djl.Device;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.common.FailureInjection;
import io.rollstream.common.Json;
import io.rollstream.device.DeviceSelection;
import io.rollstream.eval.EvalSpec;
import io.rollstream.eval.PeriodicEvaluator;
import io.rollstream.policy.AttemptId;
import io.rollstream.policy.PolicyCollector;
import io.rollstream.policy.PolicyStore;
import io.rollstream.policy.RunSignals;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.types.StepMetrics;
import io.rollstream.types.TrainBatch;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The embedded learner (parallelism 1): trains on each batch, publishes the new policy version to
 * the store, evaluates when due, and emits the step's {@code metrics.jsonl} line. When the last
 * step is done it marks the store finished, which ends generation.
 *
 * <p>State: one {@link LearnerState} in operator list state {@link #STATE}, stored by {@link
 * LearnerStateSerializer} — the learner's full checkpoint (weights, optimizer moments, step, the
 * count of consecutive bad steps) as bytes, or, when larger than {@code job.state_inline_max_mb},
 * streamed tensor by tensor into a file ({@link LearnerStateFiles}) whose path and checksum are
 * the state, so the learner's state has no size limit and is never one byte array; the policy
 * pins; the per-epoch KL. Savepoints written before that hold the same in four list states ({@link
 * #LEGACY_CHECKPOINT}, ...): read once, not written again. Without restored state it starts from
 * the store's version 0 (the warm-started or freshly initialised policy the launcher published
 * before the job).
 *
 * <p>Fencing (docs/invariants.md invariant 7): on every start the learner fences the policy store with its
 * attempt and restored step, then republishes the restored version, so versions a failed attempt
 * wrote after the restored checkpoint are never used and generators (which wait for this
 * attempt's fence) continue from exactly the restored weights.
 *
 * <p>Device ({@code learner.device}): the GPU its task manager declares (external resource {@code
 * gpu}) or one PyTorch sees, chosen as the generators' devices are ({@link DeviceSelection}); with
 * {@code auto} the CPU when there is none, logged. Weights, gradients and AdamW state are float32
 * there; checkpoints and published versions are host copies, so a restore may pick another device.
 *
 * <p>Old policy versions are deleted as the run goes ({@link PolicyCollector}); the learner steps
 * of retained checkpoints and savepoints, which pin versions, are part of its state.
 *
 * <p>A step in which no update could be applied (non-finite or all-zero gradients) is skipped and
 * counted; after {@code learner.max_bad_steps} in a row the learner fails the job.
 */
public final class LearnerOperator extends AbstractStreamOperator<StepMetrics>
        implements OneInputStreamOperator<TrainBatch, StepMetrics> {

    /** Operator list state with the one {@link LearnerState}, versioned bytes. */
    static final String STATE = "learner-state";
    /** Before {@link #STATE}: the checkpoint's bytes when inline. */
    static final String LEGACY_CHECKPOINT = "learner-checkpoint";
    /** Before {@link #STATE}: the checkpoint file's {@link LearnerStateFiles.Reference} as JSON. */
    static final String LEGACY_CHECKPOINT_FILE = "learner-checkpoint-file";
    /** Before {@link #STATE}: the {@link PolicyCollector.Pins} as JSON. */
    static final String LEGACY_PINS = "policy-pins";
    /** Before {@link #STATE}: the per-epoch KL tracker as JSON. */
    static final String LEGACY_EPOCH_KL = "epoch-kl";
    /** Checkpoint metadata key holding the consecutive bad steps. */
    static final String BAD_STEPS = "consecutive_bad_steps";
    /** Checkpoint metadata key holding the run's stale drops as of the last batch (see {@link #publish}). */
    static final String STALE_DROPS = "groups_dropped_stale";
    /** Checkpoint metadata key holding the RL job's running time in seconds ({@code time_s}) at the snapshot. */
    static final String RUN_SECONDS = "run_seconds";

    private final LearnerSettings settings;
    private final PolicyStore store;
    private final RunSignals signals;
    private final EvalSpec eval;

    private transient ListState<byte[]> state;
    /** Null unless distilling over a fixed problem set. */
    private transient EpochKl epochKl;

    private transient LearnerStateFiles files;
    private transient Set<Long> savepoints;
    private transient PolicyCollector.Pins restoredPins;
    private transient PolicyCollector collector;
    private transient boolean snapshotIsSavepoint;
    private transient Checkpoint restored;
    private transient Learner learner;
    private transient PeriodicEvaluator evaluator;
    private transient String attempt;
    private transient long lastStepEndMillis;
    /** {@code time_s} when this attempt opened (restored with the learner's state), and that moment. */
    private transient double runSecondsAtOpen;

    private transient long openMillis;
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
        state = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>(STATE, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        files = new LearnerStateFiles(new Path(store.root(), "learner-state").toString());
        savepoints = new HashSet<>();
        List<LearnerState> saved = new ArrayList<>();
        for (byte[] bytes : state.get()) {
            saved.add(SimpleVersionedSerialization.readVersionAndDeSerialize(LearnerStateSerializer.INSTANCE, bytes));
        }
        legacyState(context.getOperatorStateStore()).ifPresent(saved::add);
        if (saved.size() > 1) {
            throw new IllegalStateException("the learner runs with parallelism 1 but found several saved states");
        }
        LearnerState restoredState = saved.isEmpty() ? null : saved.get(0);
        restored = restoredState == null ? store.load(0) : checkpointOf(restoredState);
        restoredPins = restoredState == null ? PolicyCollector.Pins.NONE : restoredState.pins();
        if (settings.algorithm() == Algorithm.REVERSE_KL && settings.problemsPerEpoch() > 0) {
            epochKl = restoredState != null && restoredState.epochKl() != null
                    ? EpochKl.restore(settings.problemsPerEpoch(), restoredState.epochKl())
                    : new EpochKl(settings.problemsPerEpoch());
        }
    }

    /** The learner's checkpoint a restored state holds, inline or in its file (checksum checked). */
    private static Checkpoint checkpointOf(LearnerState saved) throws IOException {
        return saved.inlineCheckpoint() != null
                ? CheckpointFormat.read(new ByteArrayInputStream(saved.inlineCheckpoint()))
                : LearnerStateFiles.read(saved.checkpointFile());
    }

    /**
     * The state of a savepoint written before {@link LearnerState}: four list states in three
     * encodings, read into one value and then cleared, so snapshots write {@link #STATE} only.
     */
    private static Optional<LearnerState> legacyState(OperatorStateStore stateStore) throws Exception {
        ListState<byte[]> inline = stateStore.getListState(
                new ListStateDescriptor<>(LEGACY_CHECKPOINT, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        ListState<String> file =
                stateStore.getListState(new ListStateDescriptor<>(LEGACY_CHECKPOINT_FILE, String.class));
        ListState<String> pins = stateStore.getListState(new ListStateDescriptor<>(LEGACY_PINS, Types.STRING));
        ListState<String> epochKl = stateStore.getListState(new ListStateDescriptor<>(LEGACY_EPOCH_KL, Types.STRING));
        List<byte[]> checkpoints = new ArrayList<>();
        inline.get().forEach(checkpoints::add);
        List<String> references = new ArrayList<>();
        file.get().forEach(references::add);
        Iterator<String> pinsJson = pins.get().iterator();
        Iterator<String> epochKlJson = epochKl.get().iterator();
        Optional<LearnerState> legacy = Optional.empty();
        if (checkpoints.size() + references.size() > 1) {
            throw new IllegalStateException("the learner runs with parallelism 1 but found several saved states");
        }
        if (checkpoints.size() + references.size() == 1) {
            legacy = Optional.of(new LearnerState(
                    checkpoints.isEmpty() ? null : checkpoints.get(0),
                    references.isEmpty() ? null : LearnerStateFiles.decode(references.get(0)),
                    pinsJson.hasNext() ? Json.mapper().readValue(pinsJson.next(), PolicyCollector.Pins.class) : null,
                    epochKlJson.hasNext() ? Json.mapper().readValue(epochKlJson.next(), EpochKl.State.class) : null));
        }
        inline.clear();
        file.clear();
        pins.clear();
        epochKl.clear();
        return legacy;
    }

    @Override
    public void open() throws Exception {
        super.open();
        attempt = AttemptId.of(getRuntimeContext());
        badSteps = Integer.parseInt(restored.metadata().getOrDefault(BAD_STEPS, "0"));
        staleDrops = Long.parseLong(restored.metadata().getOrDefault(STALE_DROPS, "0"));
        runSecondsAtOpen = Double.parseDouble(restored.metadata().getOrDefault(RUN_SECONDS, "0"));
        openMillis = System.currentTimeMillis();
        // the reference of a KL penalty is the run's version 0, which the store always keeps
        Checkpoint initial = settings.loss().klToReference().enabled() && restored.step() != 0 ? store.load(0) : null;
        Device device = DeviceSelection.forSubtask(
                "learner",
                "learner.device",
                settings.device(),
                DeviceSelection.declaredGpus(getRuntimeContext()),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        learner = new Learner(settings, restored, initial, device);
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
            evaluator = new PeriodicEvaluator(
                    eval, PromptCodec.create(learner.policy().tokenizer()));
        }
        lastStepEndMillis = System.currentTimeMillis();
        stageMetrics = new LearnerMetrics(getMetricGroup(), settings.algorithm(), eval != null ? eval.samples() : 0);
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
        long trained = System.currentTimeMillis();
        publish();
        collector.published(learner.step());
        long published = System.currentTimeMillis();
        PeriodicEvaluator.Scores evaluation = eval != null && eval.dueAfter(batch.step(), settings.maxSteps())
                ? evaluator.evaluate(learner.model())
                : null;
        if (evaluation != null) {
            collector.evaluated(learner.step(), evaluation.accuracy());
        }
        long end = System.currentTimeMillis();
        long previousCut = lastCutMillis > 0 ? lastCutMillis : batch.stats().firstArrivalMillis();
        RlStepMetrics.Timing timing = new RlStepMetrics.Timing(
                (end - start) / 1000.0,
                Math.max(0, start - lastStepEndMillis) / 1000.0,
                Math.max(0, batch.stats().cutMillis() - previousCut) / 1000.0,
                (published - trained) / 1000.0,
                evaluation != null ? (end - published) / 1000.0 : null,
                runSeconds(end));
        StepMetrics metrics = RlStepMetrics.of(
                batch, result, timing, evaluation, epochKl != null ? epochKl.metrics(epochKl.add(batch)) : null);
        output.collect(new StreamRecord<>(metrics));
        stageMetrics.stepDone(metrics);
        lastStepEndMillis = end;
        lastCutMillis = batch.stats().cutMillis();
        if (learner.step() >= settings.maxSteps()) {
            signals.markFinished(learner.step(), attempt);
        }
    }

    /**
     * The RL job's running time at {@code millis}: every attempt's time since it opened, added up
     * through the learner's checkpoints — what a restore discards, and the pauses between a stop and
     * its resume, are not counted.
     */
    private double runSeconds(long millis) {
        return runSecondsAtOpen + (millis - openMillis) / 1000.0;
    }

    /**
     * Publishes the learner's current policy. Its manifest carries the run's stale drops, so the
     * generators give the admission slots of those groups back (they had counted them as useful).
     */
    private void publish() throws IOException {
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
    public OperatorSnapshotFutures snapshotState(
            long checkpointId, long timestamp, CheckpointOptions options, CheckpointStreamFactory factory)
            throws Exception {
        snapshotIsSavepoint = options.getCheckpointType().isSavepoint(); // its state file is never deleted
        return super.snapshotState(checkpointId, timestamp, options, factory);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        PolicyCollector.Pins pins = collector.snapshot(context.getCheckpointId(), learner.step(), snapshotIsSavepoint);
        EpochKl.State epochKlState = epochKl != null ? epochKl.state() : null;
        // A live view of the learner's weights and moments, written tensor by tensor before the next step.
        Checkpoint checkpoint = learner.checkpoint(Map.of(
                "attempt",
                attempt,
                BAD_STEPS,
                Integer.toString(badSteps),
                STALE_DROPS,
                Long.toString(staleDrops),
                RUN_SECONDS,
                Double.toString(runSeconds(System.currentTimeMillis()))));
        LearnerState snapshot;
        if (CheckpointFormat.sizeBytes(checkpoint) <= settings.stateInlineMaxBytes()) {
            snapshot = new LearnerState(CheckpointFormat.toBytes(checkpoint), null, pins, epochKlState);
        } else {
            if (snapshotIsSavepoint) {
                savepoints.add(context.getCheckpointId());
            }
            snapshot = new LearnerState(
                    null,
                    files.write(jobId(), context.getCheckpointId(), snapshotIsSavepoint, checkpoint),
                    pins,
                    epochKlState);
        }
        state.update(List.of(
                SimpleVersionedSerialization.writeVersionAndSerialize(LearnerStateSerializer.INSTANCE, snapshot)));
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
        return getContainingTask()
                .getEnvironment()
                .getJobConfiguration()
                .get(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS);
    }

    private String jobId() {
        return getRuntimeContext().getJobInfo().getJobId().toString();
    }

    /** Where the learner's model lives (tests). */
    Device device() {
        return learner.model().device();
    }

    @Override
    public void close() throws Exception {
        if (learner != null) {
            learner.close();
        }
        super.close();
    }
}
