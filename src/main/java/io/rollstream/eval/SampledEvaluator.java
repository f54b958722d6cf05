package io.rollstream.eval;

import io.rollstream.model.LanguageModel;
import io.rollstream.sampling.Completion;
import io.rollstream.sampling.GenerationRequest;
import io.rollstream.sampling.RolloutSeeds;
import io.rollstream.sampling.SamplingConfig;
import io.rollstream.sampling.SamplingEngine;
import io.rollstream.tasks.Problem;
import io.rollstream.tasks.Verifier;
import io.rollstream.tokenizer.PromptCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sampled accuracy: n = {@code samples} completions per problem at a temperature (top-p 1, no
 * top-k). pass@k for k = 1, 2, 4, … below n and k = n is {@link PassAtK}'s unbiased estimate over
 * the problems, a completion counting as correct when fully so (reward ≥ 1); pass@n is the share of
 * problems with at least one correct completion. The per-sample accuracy is the mean reward over all
 * completions (partial rewards included). Sample i of a problem is seeded from (seed, problem id, i),
 * so a result is repeatable.
 */
public final class SampledEvaluator {

    /**
     * @param passAt pass@k by k, in increasing k ({@link PassAtK#ks(int)}), each in [0, 1]
     * @param sampleAccuracy the mean reward per sample, in [0, 1]
     */
    public record Result(Map<Integer, Double> passAt, double sampleAccuracy) {

        /** pass@n, n the samples per problem: the share of problems with a correct completion. */
        public double passAtAll() {
            return passAt.values().stream().reduce((a, b) -> b).orElseThrow();
        }
    }

    private final PromptCodec codec;
    private final Verifier verifier;
    private final SamplingConfig params;
    private final int samples;
    private final long seed;

    /** {@code spec}'s samples per problem of its held-out task, at its temperature, seeded by its task seed. */
    public static SampledEvaluator of(PromptCodec codec, EvalSpec spec) {
        return new SampledEvaluator(
                codec,
                spec.heldOutTask().verifier(),
                spec.maxNewTokens(),
                spec.temperature(),
                spec.samples(),
                spec.taskSeed());
    }

    public SampledEvaluator(
            PromptCodec codec, Verifier verifier, int maxNewTokens, double temperature, int samples, long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("--samples must be >= 1, got " + samples);
        }
        this.codec = codec;
        this.verifier = verifier;
        this.params = new SamplingConfig(temperature, 1.0, 0, maxNewTokens, false);
        this.samples = samples;
        this.seed = seed;
    }

    public Result evaluate(LanguageModel model, List<Problem> problems) {
        SamplingEngine engine = new SamplingEngine(
                codec.tokenizer().stopIds(), codec.tokenizer().padId(), true);
        int problemsPerPass = Math.max(1, GreedyEvaluator.BATCH_ROWS / samples);
        int[] correct = new int[problems.size()];
        double rewards = 0;
        for (int from = 0; from < problems.size(); from += problemsPerPass) {
            List<Problem> chunk = problems.subList(from, Math.min(problems.size(), from + problemsPerPass));
            List<GenerationRequest> requests = new ArrayList<>();
            for (Problem p : chunk) {
                int[] prompt = codec.prompt(p.prompt());
                for (int i = 0; i < samples; i++) {
                    requests.add(new GenerationRequest(prompt, RolloutSeeds.mix(seed, RolloutSeeds.hash(p.id()), i)));
                }
            }
            List<Completion> out = engine.generate(model, requests, params);
            for (int p = 0; p < chunk.size(); p++) {
                for (int i = 0; i < samples; i++) {
                    double r = verifier.score(
                            codec.completionText(out.get(p * samples + i).tokens()),
                            chunk.get(p).answer());
                    rewards += r;
                    correct[from + p] += r >= 1.0 ? 1 : 0;
                }
            }
        }
        return new Result(PassAtK.mean(samples, correct), rewards / ((double) problems.size() * samples));
    }
}
