package io.rollstream.learner;

/**
 * The policy-gradient losses of {@code learner.loss} (GRPO), with each one's default clip range
 * (ε_low, ε_high) from its paper; {@code dppo} masks instead of clipping and has none.
 */
public enum PolicyLoss {
    /** prime-rl's DPPO masking + importance ratio ({@link DppoLoss}); the default. */
    DPPO(Double.NaN, Double.NaN),
    /** PPO's clipped surrogate with DAPO's clip-higher 0.2 / 0.28 ({@link PpoClipLoss}). */
    PPO_CLIP(0.2, 0.28),
    /** GSPO's clipped sequence ratio, 3e-4 / 4e-4 as in the GSPO paper ({@link GspoLoss}). */
    GSPO(3e-4, 4e-4),
    /** CISPO's clipped stop-gradient weight, no lower bound / 0.28 ({@link CispoLoss}). */
    CISPO(1.0, 0.28);

    private final double defaultClipLow;
    private final double defaultClipHigh;

    PolicyLoss(double defaultClipLow, double defaultClipHigh) {
        this.defaultClipLow = defaultClipLow;
        this.defaultClipHigh = defaultClipHigh;
    }

    /** Whether {@code clip_low} / {@code clip_high} apply. */
    public boolean clips() {
        return this != DPPO;
    }

    public double defaultClipLow() {
        return defaultClipLow;
    }

    public double defaultClipHigh() {
        return defaultClipHigh;
    }
}
