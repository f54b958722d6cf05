package io.rollstream.tasks;

import java.util.Objects;
import java.util.Set;

/**
 * A training task that never poses a held-out problem: problem {@code i} is the base task's problem {@code i},
 * unless its prompt is one of the held-out prompts; then the prompt and answer come from the base task's
 * problem {@code i + k·}{@value #REDRAW_STRIDE} for the smallest {@code k ≥ 1} whose prompt is not held out.
 * The id stays the base task's id of index {@code i}, so positions and ids of the training stream are unchanged.
 *
 * <p>Why: the built-in tasks draw from small spaces (10,000 two-digit sums), so a held-out set drawn with
 * another seed shares many prompts with the training problems and demonstrations, and "held-out accuracy" would
 * partly measure recall. Excluding the held-out prompts from training makes it a measure of generalisation.
 *
 * <p>Invariant: a pure function of the index, as every {@link Task}. A held-out set that covers most of the
 * task's space is refused at construction ({@link #checkedAgainst}), so a redraw always ends quickly.
 *
 * @param base the training task
 * @param heldOutPrompts prompts that training never poses
 */
public record HeldOutExcludingTask(Task base, Set<String> heldOutPrompts) implements Task {

    /** Index distance between redraws; far beyond any position a training stream reaches. */
    public static final long REDRAW_STRIDE = 1L << 40;

    /** Redraws tried before giving up (reachable only if the held-out set covers nearly the whole space). */
    static final int MAX_REDRAWS = 1000;

    /** Training draws sampled to estimate the share of the task's space that the held-out set covers. */
    static final int COVERAGE_SAMPLE = 2000;

    /** Most of the space the held-out set may cover. */
    static final double MAX_COVERAGE = 0.5;

    public HeldOutExcludingTask {
        Objects.requireNonNull(base, "base task must not be null");
        heldOutPrompts = Set.copyOf(heldOutPrompts);
    }

    /**
     * The training task without {@code heldOutPrompts}, after checking that they leave most of its space to
     * training.
     *
     * @throws IllegalArgumentException naming the share covered and the fix when they cover more than half of it
     */
    public static HeldOutExcludingTask checkedAgainst(Task base, Set<String> heldOutPrompts) {
        HeldOutExcludingTask task = new HeldOutExcludingTask(base, heldOutPrompts);
        int covered = 0;
        for (long i = 0; i < COVERAGE_SAMPLE; i++) {
            if (task.heldOutPrompts.contains(base.problem(i).prompt())) {
                covered++;
            }
        }
        double share = covered / (double) COVERAGE_SAMPLE;
        if (share > MAX_COVERAGE) {
            throw new IllegalArgumentException(String.format(
                    "the %d held-out problems are %.0f%% of what task %s draws, so training would have little left;"
                            + " lower eval.problems or raise data.difficulty",
                    task.heldOutPrompts.size(), 100 * share, base.name()));
        }
        return task;
    }

    @Override
    public String name() {
        return base.name();
    }

    @Override
    public Problem problem(long index) {
        Problem drawn = base.problem(index);
        if (!heldOutPrompts.contains(drawn.prompt())) {
            return drawn;
        }
        for (int k = 1; k <= MAX_REDRAWS; k++) {
            Problem redrawn = base.problem(index + k * REDRAW_STRIDE);
            if (!heldOutPrompts.contains(redrawn.prompt())) {
                return new Problem(drawn.id(), drawn.task(), redrawn.prompt(), redrawn.answer());
            }
        }
        throw new IllegalStateException("problem " + index + " of task " + base.name() + " and its " + MAX_REDRAWS
                + " redraws are all held out");
    }

    @Override
    public Verifier verifier() {
        return base.verifier();
    }

    @Override
    public String alphabet() {
        return base.alphabet();
    }

    @Override
    public int maxPromptChars() {
        return base.maxPromptChars();
    }

    @Override
    public int maxAnswerChars() {
        return base.maxAnswerChars();
    }
}
