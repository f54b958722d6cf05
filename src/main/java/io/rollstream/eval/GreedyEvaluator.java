package io.rollstream.eval;

import io.rollstream.model.LanguageModel;
import io.rollstream.sampling.Completion;
import io.rollstream.sampling.GenerationRequest;
import io.rollstream.sampling.SamplingConfig;
import io.rollstream.sampling.SamplingEngine;
import io.rollstream.tasks.Problem;
import io.rollstream.tasks.Verifier;
import io.rollstream.tokenizer.PromptCodec;
import java.util.ArrayList;
import java.util.List;

/** Greedy accuracy of a model on a list of problems: the mean verifier reward of greedy answers. */
public final class GreedyEvaluator {

    /** Rows decoded together by the run's periodic evaluations (the learner's and the warm start's). */
    public static final int BATCH_ROWS = 256;

    private final PromptCodec codec;
    private final Verifier verifier;
    private final int maxNewTokens;
    private final int batchRows;

    /** Greedy decoding of {@code spec}'s held-out task, {@link #BATCH_ROWS} rows at a time. */
    public static GreedyEvaluator of(PromptCodec codec, EvalSpec spec) {
        return new GreedyEvaluator(codec, spec.heldOutTask().verifier(), spec.maxNewTokens(), BATCH_ROWS);
    }

    public GreedyEvaluator(PromptCodec codec, Verifier verifier, int maxNewTokens, int batchRows) {
        this.codec = codec;
        this.verifier = verifier;
        this.maxNewTokens = maxNewTokens;
        this.batchRows = batchRows;
    }

    /** Mean reward in [0, 1] over {@code problems}. */
    public double accuracy(LanguageModel model, List<Problem> problems) {
        SamplingEngine engine = new SamplingEngine(
                codec.tokenizer().stopIds(), codec.tokenizer().padId(), true);
        SamplingConfig greedy = SamplingConfig.greedy(maxNewTokens);
        double total = 0;
        for (int from = 0; from < problems.size(); from += batchRows) {
            List<Problem> chunk = problems.subList(from, Math.min(problems.size(), from + batchRows));
            List<GenerationRequest> requests = new ArrayList<>();
            for (Problem p : chunk) {
                requests.add(new GenerationRequest(codec.prompt(p.prompt()), 0));
            }
            List<Completion> out = engine.generate(model, requests, greedy);
            for (int i = 0; i < chunk.size(); i++) {
                total += verifier.score(
                        codec.completionText(out.get(i).tokens()), chunk.get(i).answer());
            }
        }
        return total / problems.size();
    }
}
