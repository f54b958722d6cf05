package io.rollstream.eval;

import ai.djl.Device;
import io.rollstream.checkpoint.Checkpoints;
import io.rollstream.model.LanguageModel;
import io.rollstream.tasks.Problem;
import io.rollstream.tokenizer.PromptCodec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accuracy of a saved policy on the held-out problems of {@code spec} — the same problems, drawn by
 * {@link EvalSpec#heldOutProblems()}, that the run's periodic evaluation used when the spec matches
 * the run's task, seed, difficulty and options. Greedy decoding (as the periodic evaluation, with
 * the same batch rows) unless {@code spec.samples()} > 0, which gives sampled pass@k instead (drawn as
 * the run's periodic evaluation draws them): {@code pass_at_k} for k = samples and {@code pass_at} for
 * every k of {@link PassAtK#ks(int)}.
 *
 * @param spec task, seed, difficulty, options, number of problems, generation bound and sampling
 */
public record HeldOutEvaluation(EvalSpec spec) {

    /** One JSON object: the policy, the settings and the accuracy (or pass@k). */
    public Map<String, Object> run(SavedPolicy policy) {
        List<Problem> problems = spec.heldOutProblems();
        PromptCodec codec = PromptCodec.create(policy.checkpoint().tokenizer());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("policy_version", policy.checkpoint().step());
        out.put("task", spec.task());
        out.put("seed", spec.taskSeed());
        out.put("difficulty", spec.difficulty());
        out.put("problems", problems.size());
        out.put("max_new_tokens", spec.maxNewTokens());
        try (LanguageModel model = Checkpoints.model(policy.checkpoint(), Device.cpu())) {
            if (spec.samples() == 0) {
                out.put("mode", "greedy");
                out.put("accuracy", GreedyEvaluator.of(codec, spec).accuracy(model, problems));
            } else {
                SampledEvaluator.Result r = SampledEvaluator.of(codec, spec).evaluate(model, problems);
                out.put("mode", "sampled");
                out.put("samples", spec.samples());
                out.put("temperature", spec.temperature());
                out.put("pass_at_k", r.passAtAll());
                Map<String, Double> passAt = new LinkedHashMap<>();
                r.passAt().forEach((k, v) -> passAt.put(Integer.toString(k), v));
                out.put("pass_at", passAt);
                out.put("sample_accuracy", r.sampleAccuracy());
            }
        }
        return out;
    }
}
