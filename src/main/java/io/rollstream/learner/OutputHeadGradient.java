package io.rollstream.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;

/**
 * The backward of a model's output head {@code logits = h · Wᵀ}, written out instead of left to
 * autograd, whose gradient of {@code W} would be one new array the size of the vocabulary matrix per
 * backward (a tenth of a 100M-parameter model's weights) before it is added onto {@code W}'s
 * gradient. Here the gradient of {@code W} is made and added a slice of vocabulary rows at a time,
 * in place, so no temporary is larger than {@link #SLICE_BYTES}.
 */
final class OutputHeadGradient {

    /** The most bytes of {@code W}'s gradient one slice makes. */
    static final long SLICE_BYTES = 8L << 20;

    private OutputHeadGradient() {}

    /**
     * Adds the gradients of the head to {@code hiddenGradient} and, when {@code matrix} trains, to
     * its gradient.
     *
     * @param logitsGradient dL/dlogits, (rows, width, V) float32
     * @param hidden the head's input h, (rows, width, H), without a graph
     * @param matrix the head's W, (V, H) (its gradient, when it has one, is dense)
     * @param hiddenGradient dL/dh of the same rows, (rows, width, H), added to in place
     */
    static void accumulate(NDArray logitsGradient, NDArray hidden, NDArray matrix, NDArray hiddenGradient) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            hiddenGradient.addi(logitsGradient.matMul(matrix));
            if (!matrix.hasGradient()) {
                return;
            }
            long vocab = matrix.getShape().get(0);
            long width = matrix.getShape().get(1);
            NDArray flatGradient = logitsGradient.reshape(-1, vocab);
            NDArray flatHidden = hidden.reshape(-1, width);
            NDArray gradient = matrix.getGradient();
            long step = Math.max(1, SLICE_BYTES / (width * Float.BYTES));
            for (long from = 0; from < vocab; from += step) {
                long to = Math.min(vocab, from + step);
                try (NDScope slice = new NDScope()) {
                    slice.suppressNotUsedWarning();
                    NDArray part = flatGradient.get(new NDIndex(":, {}:{}", from, to));
                    gradient.get(new NDIndex("{}:{}", from, to))
                            .addi(part.transpose().matMul(flatHidden));
                }
            }
        }
    }
}
