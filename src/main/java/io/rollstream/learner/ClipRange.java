package io.rollstream.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The trust region {@code [1 − clip_low, 1 + clip_high]} of a clipped ratio (DAPO's decoupled
 * ε_low / ε_high). Works on detached ratios only.
 *
 * @param low ε_low, in [0, 1] (1: no lower bound but 0)
 * @param high ε_high, > 0
 */
record ClipRange(double low, double high) {

    ClipRange {
        if (!(low >= 0 && low <= 1)) {
            throw new IllegalArgumentException("learner.loss.clip_low must be in [0, 1] (the ratio's lower bound is"
                    + " 1 - clip_low), got " + low);
        }
        if (!(high > 0) || Double.isInfinite(high)) {
            throw new IllegalArgumentException("learner.loss.clip_high must be a finite number > 0 (the ratio's"
                    + " upper bound is 1 + clip_high), got " + high);
        }
    }

    /** {@code clip(ratio, 1 − low, 1 + high)}, detached. */
    NDArray clip(NDArray ratio) {
        return ratio.maximum((float) (1 - low)).minimum((float) (1 + high));
    }

    /**
     * 1 where PPO's {@code min(r·A, clip(r)·A)} takes the clipped, constant branch — {@code A > 0}
     * and {@code r > 1 + high}, or {@code A < 0} and {@code r < 1 − low} — so the token has no
     * gradient; 0 elsewhere.
     */
    NDArray pessimisticClip(NDArray ratio, NDArray advantages) {
        NDArray up = advantages.gt(0f).logicalAnd(ratio.gt((float) (1 + high)));
        NDArray down = advantages.lt(0f).logicalAnd(ratio.lt((float) (1 - low)));
        return up.logicalOr(down).toType(DataType.FLOAT32, false);
    }

    /** 1 where the ratio lies outside the range (CISPO's weight is clipped there), 0 elsewhere. */
    NDArray outside(NDArray ratio) {
        return ratio.lt((float) (1 - low))
                .logicalOr(ratio.gt((float) (1 + high)))
                .toType(DataType.FLOAT32, false);
    }
}
