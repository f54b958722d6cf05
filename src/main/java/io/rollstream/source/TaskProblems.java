package io.rollstream.source;

import io.rollstream.tasks.Problem;
import io.rollstream.tasks.Task;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Problems of a built-in task (each with its origin: task name and problem index), read in order from Flink's checkpointed number-sequence source
 * (parallelism 1, so the order is deterministic and a restore continues at the checkpointed
 * position). Either an endless stream of fresh problems (problem i = {@code task.problem(i)}), or a
 * fixed set of {@code setSize} problems read for {@code epochs} epochs in a seeded order — then a
 * problem comes back each epoch, and difficulty pools decide whether it is generated again.
 */
public final class TaskProblems {

    private TaskProblems() {}

    /**
     * @param setSize 0 for fresh problems forever; else the number of distinct problems
     * @param epochs passes over the set (ignored for fresh problems); 0 = endless
     */
    public static DataStream<SourcedProblem> stream(
            StreamExecutionEnvironment env, Task task, int setSize, long epochs, long seed, boolean shuffle) {
        return stream(env, task, setSize, epochs, seed, shuffle, PausingSource.PauseSignal.NEVER);
    }

    /** As above, emitting nothing while {@code pause} holds (a stop with a savepoint is under way). */
    public static DataStream<SourcedProblem> stream(
            StreamExecutionEnvironment env,
            Task task,
            int setSize,
            long epochs,
            long seed,
            boolean shuffle,
            PausingSource.PauseSignal pause) {
        long last = setSize > 0 && epochs > 0 ? setSize * epochs - 1 : Long.MAX_VALUE - 1;
        MapFunction<Long, SourcedProblem> problemAt =
                setSize > 0 ? new FromSet(task, new EpochOrder(setSize, seed, shuffle)) : new Fresh(task);
        return env.fromSource(
                        new PausingSource<>(new NumberSequenceSource(0, last), pause),
                        WatermarkStrategy.noWatermarks(),
                        "problem-positions",
                        Types.LONG)
                .setParallelism(1)
                .uid("problem-positions")
                .map(problemAt)
                .setParallelism(1)
                .name("task-problems")
                .uid("task-problems");
    }

    /** Endless fresh problems. */
    public static DataStream<SourcedProblem> fresh(StreamExecutionEnvironment env, Task task) {
        return stream(env, task, 0, 0, 0, false);
    }

    private record Fresh(Task task) implements MapFunction<Long, SourcedProblem> {
        @Override
        public SourcedProblem map(Long position) {
            return sourced(task.problem(position), position);
        }
    }

    private record FromSet(Task task, EpochOrder order) implements MapFunction<Long, SourcedProblem> {
        @Override
        public SourcedProblem map(Long position) {
            int item = order.itemAt(position);
            return sourced(task.problem(item), item);
        }
    }

    private static SourcedProblem sourced(Problem problem, long index) {
        return new SourcedProblem(problem, "task " + problem.task() + ", problem " + index);
    }
}
