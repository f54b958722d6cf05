package io.rollstream.eval;

import io.rollstream.model.LanguageModel;
import io.rollstream.tasks.Problem;
import io.rollstream.tokenizer.PromptCodec;
import java.util.List;
import java.util.Map;

/**
 * A run's held-out evaluation after a step (of RL or of the SFT warm start): the greedy accuracy on
 * {@link EvalSpec#heldOutProblems()}, and when {@link EvalSpec#samples()} > 0 also pass@k of that
 * many sampled completions per problem, seeded as {@code rollstream eval --samples} seeds them (so it
 * re-measures a saved version with the same draws).
 */
public final class PeriodicEvaluator {

    /**
     * @param accuracy greedy accuracy in [0, 1]
     * @param passAt pass@k by k ({@link PassAtK#ks(int)}), empty without sampling
     */
    public record Scores(double accuracy, Map<Integer, Double> passAt) {}

    private final GreedyEvaluator greedy;
    private final SampledEvaluator sampled;
    private final List<Problem> problems;

    public PeriodicEvaluator(EvalSpec spec, PromptCodec codec) {
        greedy = GreedyEvaluator.of(codec, spec);
        sampled = spec.samples() > 0 ? SampledEvaluator.of(codec, spec) : null;
        problems = spec.heldOutProblems();
    }

    /** Whether there is anything to evaluate on. */
    public boolean hasProblems() {
        return !problems.isEmpty();
    }

    public Scores evaluate(LanguageModel model) {
        double accuracy = greedy.accuracy(model, problems);
        return new Scores(
                accuracy,
                sampled == null ? Map.of() : sampled.evaluate(model, problems).passAt());
    }
}
