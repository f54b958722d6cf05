package io.rollstream.source;

import io.rollstream.tasks.Problem;
import io.rollstream.tasks.Task;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Problems of a built-in task: problem i is {@code task.problem(i)}, a pure function of (i, seed),
 * read in order from Flink's checkpointed number-sequence source (parallelism 1, so the order is
 * deterministic and a restore continues at the checkpointed index).
 */
public final class TaskProblems {

    private TaskProblems() {}

    /** @param maxProblems how many problems to emit; 0 = unbounded (the job is stopped from outside) */
    public static DataStream<Problem> stream(StreamExecutionEnvironment env, Task task, long maxProblems) {
        long last = maxProblems > 0 ? maxProblems - 1 : Long.MAX_VALUE - 1;
        return env.fromSequence(0, last).setParallelism(1).name("problem-index").uid("problem-index")
                .map(new ProblemOf(task)).setParallelism(1).name("task-problems").uid("task-problems");
    }

    /** Index → problem. */
    private record ProblemOf(Task task) implements MapFunction<Long, Problem> {
        @Override
        public Problem map(Long index) {
            return task.problem(index);
        }
    }
}
