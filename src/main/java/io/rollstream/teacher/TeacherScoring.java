package io.rollstream.teacher;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.device.DeviceSelection;
import io.rollstream.device.Placement;
import io.rollstream.model.ModelSource;
import io.rollstream.types.ScoredGroup;
import java.io.IOException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The teacher-scoring stage (distillation only): a thin, stateless Flink map around {@link
 * TeacherScorer}. Each subtask loads the teacher (a checkpoint or a Hugging Face directory) once in {@link #open} and frees it in
 * {@link #close}; a failed subtask simply scores its groups again after the restart (scoring is a
 * pure function of the group and the teacher).
 */
public final class TeacherScoring extends RichMapFunction<ScoredGroup, ScoredGroup> {

    /** Operator uid and name in the job graph (stable, so savepoints keep mapping). */
    public static final String UID = "teacher-scoring";
    /** The stage's slot-sharing group: the teacher gets slots (and GPUs) of its own. */
    public static final String SLOT_SHARING_GROUP = "teacher";

    private final TeacherSettings settings;
    private transient TeacherScorer scorer;

    public TeacherScoring(TeacherSettings settings) {
        this.settings = settings;
    }

    /** Adds the stage to a job: {@code groups → teacher scoring (parallel, own slot-sharing group)}. */
    public static SingleOutputStreamOperator<ScoredGroup> appendTo(
            DataStream<ScoredGroup> groups, TeacherSettings settings) {
        return groups.map(new TeacherScoring(settings))
                .name(UID)
                .uid(UID)
                .setParallelism(settings.parallelism())
                .slotSharingGroup(SLOT_SHARING_GROUP);
    }

    @Override
    public void open(OpenContext context) throws Exception {
        Placement placement = DeviceSelection.frozenCopyForSubtask(
                UID,
                "rollout.device",
                settings.device(),
                settings.precision(),
                DeviceSelection.declaredGpus(getRuntimeContext()),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        scorer = settings.source() == ModelSource.HUGGINGFACE
                ? TeacherScorer.loadDirectory(
                        settings.location(),
                        settings.studentTokenizer(),
                        settings.studentContextLength(),
                        placement,
                        settings.maxBatchRows())
                : TeacherScorer.load(
                        read(settings.location()),
                        settings.studentTokenizer(),
                        settings.studentContextLength(),
                        placement,
                        settings.maxBatchRows());
    }

    @Override
    public ScoredGroup map(ScoredGroup group) {
        return scorer.score(group);
    }

    @Override
    public void close() throws Exception {
        if (scorer != null) {
            scorer.close();
            scorer = null;
        }
    }

    private static Checkpoint read(String location) throws IOException {
        try {
            return CheckpointFormat.load(new Path(location), null, null);
        } catch (IOException e) {
            throw new IOException("teacher.checkpoint " + e.getMessage(), e);
        }
    }
}
