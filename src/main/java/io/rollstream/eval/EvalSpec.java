package io.rollstream.eval;

import io.rollstream.tasks.HeldOutExcludingTask;
import io.rollstream.tasks.Problem;
import io.rollstream.tasks.Task;
import io.rollstream.tasks.Tasks;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * Held-out evaluation of a built-in task: {@code problems} problems drawn with a seed no training
 * problem uses, greedy decoding — and, when {@code samples} > 0, that many sampled completions per
 * problem for pass@k — every {@code everySteps} learner steps (and at the last step). Training (the
 * demonstrations and the RL problems) never poses one of their prompts: see {@link #withoutHeldOut(Task)}.
 *
 * @param task built-in task name
 * @param taskSeed the training seed; held-out problems use a seed derived from it
 * @param difficulty the task's difficulty
 * @param options task options
 * @param problems held-out problems per evaluation (0 disables evaluation)
 * @param everySteps evaluate after every this many steps (0 = only at the end)
 * @param maxNewTokens generation bound
 * @param samples completions sampled per problem for pass@k (0: greedy accuracy only)
 * @param temperature their sampling temperature
 */
public record EvalSpec(
        String task,
        long taskSeed,
        int difficulty,
        Map<String, String> options,
        int problems,
        int everySteps,
        int maxNewTokens,
        int samples,
        double temperature)
        implements Serializable {

    /** Added to the training seed to draw held-out problems. */
    public static final long HELD_OUT_SEED_OFFSET = 1_000_003L;

    public EvalSpec {
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    /** This evaluation with {@code samples} completions per problem at {@code temperature} (0: greedy only). */
    public EvalSpec withSampling(int samples, double temperature) {
        return new EvalSpec(
                task, taskSeed, difficulty, options, problems, everySteps, maxNewTokens, samples, temperature);
    }

    public Task heldOutTask() {
        return Tasks.create(task, taskSeed + HELD_OUT_SEED_OFFSET, difficulty, options);
    }

    public List<Problem> heldOutProblems() {
        Task t = heldOutTask();
        return LongStream.range(0, problems).mapToObj(t::problem).toList();
    }

    /**
     * {@code training} without the held-out prompts (built-in tasks draw from small spaces, where another seed
     * alone would share many prompts with the held-out set).
     *
     * @throws IllegalArgumentException when the held-out set covers most of what {@code training} draws
     */
    public Task withoutHeldOut(Task training) {
        if (problems == 0) {
            return training;
        }
        return HeldOutExcludingTask.checkedAgainst(
                training, heldOutProblems().stream().map(Problem::prompt).collect(Collectors.toSet()));
    }

    /** Whether to evaluate after finishing step {@code step} (0-based) of {@code maxSteps}. */
    public boolean dueAfter(long step, long maxSteps) {
        if (problems == 0) {
            return false;
        }
        boolean last = step + 1 == maxSteps;
        return last || (everySteps > 0 && (step + 1) % everySteps == 0);
    }
}
