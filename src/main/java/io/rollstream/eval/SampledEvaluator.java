package io.rollstream.eval;

import io.rollstream.model.LanguageModel;
import io.rollstream.sampling.Completion;
import io.rollstream.sampling.GenerationRequest;
import io.rollstream.sampling.RolloutSeeds;
import io.rollstream.sampling.SamplingEngine;
import io.rollstream.sampling.SamplingParams;
import io.rollstream.tasks.Problem;
import io.rollstream.tasks.Verifier;
import io.rollstream.tokenizer.PromptCodec;

import java.util.ArrayList;
import java.util.List;

/**
 * Sampled accuracy: {@code samples} completions per problem at a temperature (top-p 1, no top-k).
 * pass@k with k = samples is the fraction of problems with at least one fully correct completion
 * (reward ≥ 1); the per-sample accuracy is the mean reward over all completions. Sample i of a
 * problem is seeded from (seed, problem id, i), so a result is repeatable.
 */
public final class SampledEvaluator {

    /** pass@k and the mean reward per sample, both in [0, 1]. */
    public record Result(double passAtK, double sampleAccuracy) {}

    private final PromptCodec codec;
    private final Verifier verifier;
    private final SamplingParams params;
    private final int samples;
    private final long seed;

    public SampledEvaluator(PromptCodec codec, Verifier verifier, int maxNewTokens, double temperature, int samples,
            long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("--samples must be >= 1, got " + samples);
        }
        this.codec = codec;
        this.verifier = verifier;
        this.params = new SamplingParams(temperature, 1.0, 0, maxNewTokens, false);
        this.samples = samples;
        this.seed = seed;
    }

    public Result evaluate(LanguageModel model, List<Problem> problems) {
        SamplingEngine engine = new SamplingEngine(codec.tokenizer().stopIds(), codec.tokenizer().padId(), true);
        int problemsPerPass = Math.max(1, GreedyEvaluator.BATCH_ROWS / samples);
        int solved = 0;
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
                boolean any = false;
                for (int i = 0; i < samples; i++) {
                    double r = verifier.score(codec.completionText(out.get(p * samples + i).tokens()),
                            chunk.get(p).answer());
                    rewards += r;
                    any |= r >= 1.0;
                }
                solved += any ? 1 : 0;
            }
        }
        return new Result((double) solved / problems.size(), rewards / ((double) problems.size() * samples));
    }
}
