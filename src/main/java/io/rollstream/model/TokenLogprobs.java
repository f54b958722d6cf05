package io.rollstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;

/**
 * Per-token log-probabilities of given completions under a model, with logits divided by the
 * sampling temperature and restricted to the sampler's top-k / top-p set (as the behaviour policy
 * sampled them). The learner uses the differentiable form; teachers and evaluation use {@link #score}.
 */
public final class TokenLogprobs {

    private TokenLogprobs() {}

    /** The untruncated form of {@link #forward(LanguageModel, NDManager, SequenceBatch, double, SamplingTruncation)}. */
    public static NDList forward(LanguageModel model, NDManager manager, SequenceBatch batch, double temperature) {
        return forward(model, manager, batch, temperature, SamplingTruncation.NONE);
    }

    /**
     * Differentiable log p(target) for every (row, column) of {@code batch}, shape (rows, width),
     * under softmax(logits / temperature) restricted to {@code truncation}'s kept set; then the
     * log-softmax of that distribution over the vocabulary, shape (rows, width, vocab) (tokens
     * outside the kept set at about −10⁹; computed once, for the log-probs and for a caller's
     * entropy alike); then 1 where the target is in the kept set and 0 where it is not (its log-probability
     * is then the untruncated one, so it stays finite, and the learner leaves it out of the loss).
     * Arrays are created in {@code manager}; the temperature array (when not 1) is created there too
     * and must stay alive until backward returns.
     */
    public static NDList forward(
            LanguageModel model,
            NDManager manager,
            SequenceBatch batch,
            double temperature,
            SamplingTruncation truncation) {
        Shape shape = new Shape(batch.rows(), batch.width());
        NDArray inputs = manager.create(batch.inputs(), shape);
        NDArray targets = manager.create(batch.targets(), shape);
        NDArray logits = model.logits(inputs);
        NDList out = ofLogits(logits, targets, manager, temperature, truncation);
        // Backward of log-softmax needs its output only: the logits go now, not when the step's scope closes.
        logits.close();
        return out;
    }

    /**
     * {@link #forward}'s three arrays from the logits (rows, width, vocab) and target ids (rows,
     * width) of some rows; nothing made from {@code logits} needs them after it returns (the caller
     * may close them). The temperature array (when not 1) is created in {@code manager} and must
     * stay alive until backward returns.
     */
    public static NDList ofLogits(
            NDArray logits, NDArray targetIds, NDManager manager, double temperature, SamplingTruncation truncation) {
        NDArray targets = targetIds.expandDims(-1);
        NDArray tempered = temperature == 1.0 ? logits : logits.div(manager.create((float) temperature));
        NDArray logSoftmax = tempered.logSoftmax(-1);
        NDArray full = logSoftmax.gather(targets, -1).squeeze(-1);
        if (!truncation.truncates(logits.getShape().get(2))) {
            closeIfMade(tempered, logits); // backward of the division and the log-softmax saves neither
            return new NDList(full, logSoftmax, full.onesLike().stopGradient());
        }
        NDArray kept = truncation.keptSet(tempered);
        NDArray restrictedLogSoftmax =
                SamplingTruncation.restrict(tempered, kept).logSoftmax(-1);
        closeIfMade(tempered, logits);
        NDArray inSupport = kept.gather(targets, -1).squeeze(-1);
        NDArray truncated = restrictedLogSoftmax.gather(targets, -1).squeeze(-1);
        NDArray logprobs = NDArrays.where(inSupport.toType(DataType.BOOLEAN, false), truncated, full);
        return new NDList(logprobs, restrictedLogSoftmax, inSupport);
    }

    /** Closes {@code made} unless it is {@code input} (the caller's). */
    private static void closeIfMade(NDArray made, NDArray input) {
        if (made != input) {
            made.close();
        }
    }

    /** Log-probabilities of each completion token under the full tempered distribution, without gradients. */
    public static float[][] score(
            LanguageModel model, List<int[]> prompts, List<int[]> completions, int padId, double temperature) {
        SequenceBatch batch =
                SequenceBatch.of(prompts, completions, padId, model.spec().contextLength());
        JniUtils.setGradMode(false);
        try (NDManager manager = model.newSubManager();
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            float[] layout = forward(model, manager, batch, temperature)
                    .get(0)
                    .toType(DataType.FLOAT32, false)
                    .toFloatArray();
            return batch.gather(layout);
        }
    }
}
