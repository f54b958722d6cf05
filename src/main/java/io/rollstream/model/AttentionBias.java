package io.rollstream.model;

/** Additive attention biases (0 = attend, {@link GptModel#MASKED} = ignore) built on the Java side. */
public final class AttentionBias {

    private AttentionBias() {}

    /** (T, T): position i attends to keys 0..i. */
    public static float[] causal(int t) {
        float[] bias = new float[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                bias[i * t + j] = GptModel.MASKED;
            }
        }
        return bias;
    }

    /**
     * (B, 1, T, P + T) for T new tokens after P cached ones, over left-padded rows: row r ignores
     * its first {@code padding[r]} keys and, among the new tokens, every later one.
     */
    public static float[] leftPaddedCausal(int[] padding, int cached, int t) {
        int keys = cached + t;
        float[] bias = new float[padding.length * t * keys];
        for (int r = 0; r < padding.length; r++) {
            for (int i = 0; i < t; i++) {
                int row = (r * t + i) * keys;
                for (int j = 0; j < keys; j++) {
                    if (j < padding[r] || j > cached + i) {
                        bias[row + j] = GptModel.MASKED;
                    }
                }
            }
        }
        return bias;
    }
}
