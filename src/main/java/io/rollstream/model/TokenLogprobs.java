package io.rollstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

import java.util.List;

/**
 * Per-token log-probabilities of given completions under a model, with logits divided by the
 * sampling temperature (as the behaviour policy sampled them). The learner uses the differentiable
 * form; teachers and evaluation use {@link #score}.
 */
public final class TokenLogprobs {

    private TokenLogprobs() {}

    /**
     * Differentiable log p(target) for every (row, column) of {@code batch}, shape (rows, width),
     * plus the logits. Arrays are created in {@code manager}; the temperature array (when not 1) is
     * created there too and must stay alive until backward returns.
     */
    public static NDList forward(LanguageModel model, NDManager manager, SequenceBatch batch, double temperature) {
        Shape shape = new Shape(batch.rows(), batch.width());
        NDArray inputs = manager.create(batch.inputs(), shape);
        NDArray targets = manager.create(batch.targets(), shape);
        NDArray logits = model.logits(inputs);
        if (temperature != 1.0) {
            logits = logits.div(manager.create((float) temperature));
        }
        NDArray logprobs = logits.logSoftmax(-1).gather(targets.expandDims(-1), -1).squeeze(-1);
        return new NDList(logprobs, logits);
    }

    /** Log-probabilities of each completion token, without gradients. */
    public static float[][] score(LanguageModel model, List<int[]> prompts, List<int[]> completions, int padId,
            double temperature) {
        SequenceBatch batch = SequenceBatch.of(prompts, completions, padId, model.spec().contextLength());
        JniUtils.setGradMode(false);
        try (NDManager manager = model.newSubManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            float[] layout = forward(model, manager, batch, temperature).get(0).toType(DataType.FLOAT32, false)
                    .toFloatArray();
            return batch.gather(layout);
        }
    }
}
