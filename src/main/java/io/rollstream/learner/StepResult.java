package io.rollstream.learner;

import java.util.Map;

/**
 * What one training step did.
 *
 * @param loss the objective's value (its loss aggregated over the step's tokens; mean over optimizer
 *     steps in per_prompt mode)
 * @param gradNorm global gradient norm before clipping (mean over optimizer steps)
 * @param optimizerSteps optimizer updates applied (1 per batch, or 1 per prompt group)
 * @param skippedNonFinite updates skipped because the loss or gradient was NaN/∞
 * @param skippedZeroGradient updates skipped because the gradient was exactly zero
 * @param tokens completion tokens trained on
 * @param entropy mean per-token entropy of the sampling distribution (tempered, truncated) on the
 *     completion tokens
 * @param diagnostics the losses' token statistics as {@code metrics.jsonl} keys ({@link LossStats#metrics})
 */
public record StepResult(
        double loss,
        double gradNorm,
        int optimizerSteps,
        int skippedNonFinite,
        int skippedZeroGradient,
        long tokens,
        double entropy,
        Map<String, Double> diagnostics) {}
