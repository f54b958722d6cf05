package io.rollstream.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Collection;

/** The parameters' dense gradients: allocation, global-norm clipping, and the operations the non-finite guard needs. */
final class GradientNorms {

    private GradientNorms() {}

    /**
     * sqrt(Σ_p |grad_p|²) over all parameters; NaN or ∞ when any gradient is. Each parameter's norm
     * is one reduction (no temporary of the parameter's size).
     */
    static double globalNorm(Collection<NDArray> parameters) {
        double sum = 0;
        for (NDArray p : parameters) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                double norm = p.getGradient().norm().getFloat();
                sum += norm * norm;
            }
        }
        return Math.sqrt(sum);
    }

    /**
     * Scales gradients so their global norm is at most {@code maxNorm}. Only called with a finite
     * norm: a factor computed from ∞ would turn the gradients into NaN (∞ × 0).
     */
    static void clip(Collection<NDArray> parameters, double norm, double maxNorm) {
        if (!(norm > maxNorm)) {
            return;
        }
        float scale = (float) (maxNorm / (norm + 1e-6));
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (NDArray p : parameters) {
                p.getGradient().muli(scale);
            }
        }
    }

    /**
     * Gives every parameter that has none a dense gradient of zeros (a backward from the parameter
     * itself). Backward then adds onto it in place, including the sparse gradient of an embedding
     * lookup; without it, a parameter whose first gradient is sparse would keep a sparse one.
     */
    static void allocate(Collection<NDArray> parameters) {
        for (NDArray p : parameters) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                if (JniUtils.getGradient((PtNDArray) p) == null) {
                    JniUtils.backward((PtNDArray) p, (PtNDArray) p.zerosLike(), false, false);
                }
            }
        }
    }

    /** Drops accumulated gradients (after a skipped step). */
    static void zero(Collection<NDArray> parameters) {
        for (NDArray p : parameters) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }
}
