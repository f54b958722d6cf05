package io.rollstream.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.Serializable;
import java.util.Locale;

/**
 * How a Hugging Face {@code rope_scaling} changes the rotary inverse frequencies. Two types are
 * supported, as {@code transformers}' {@code modeling_rope_utils} computes them: {@code linear}
 * (every frequency divided by {@code factor}) and {@code llama3} (low frequencies divided by {@code
 * factor}, high ones kept, a smooth blend between). Other types are refused where the config is read.
 *
 * @param type {@value #LINEAR} or {@value #LLAMA3}
 * @param factor the scaling factor, > 0
 * @param lowFreqFactor llama3 only: wavelengths above {@code original / low_freq_factor} are scaled
 * @param highFreqFactor llama3 only: wavelengths below {@code original / high_freq_factor} are kept
 * @param originalMaxPositionEmbeddings llama3 only: the context the model was pretrained with
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RopeScaling(
        String type, double factor, Double lowFreqFactor, Double highFreqFactor, Integer originalMaxPositionEmbeddings)
        implements Serializable {

    public static final String LINEAR = "linear";
    public static final String LLAMA3 = "llama3";

    public RopeScaling {
        type = type == null ? null : type.toLowerCase(Locale.ROOT);
        if (!LINEAR.equals(type) && !LLAMA3.equals(type)) {
            throw new IllegalArgumentException(
                    "rope_scaling type " + type + " is not supported (supported: " + LINEAR + ", " + LLAMA3 + ")");
        }
        if (!(factor > 0)) {
            throw new IllegalArgumentException("rope_scaling.factor must be > 0, got " + factor);
        }
        if (LLAMA3.equals(type)) {
            if (lowFreqFactor == null || highFreqFactor == null || originalMaxPositionEmbeddings == null) {
                throw new IllegalArgumentException("rope_scaling type llama3 needs low_freq_factor, high_freq_factor"
                        + " and original_max_position_embeddings");
            }
            if (!(highFreqFactor > lowFreqFactor) || !(lowFreqFactor > 0) || originalMaxPositionEmbeddings < 1) {
                throw new IllegalArgumentException("rope_scaling llama3 needs 0 < low_freq_factor < high_freq_factor"
                        + " and original_max_position_embeddings >= 1, got " + lowFreqFactor + ", " + highFreqFactor
                        + ", " + originalMaxPositionEmbeddings);
            }
        }
    }

    /** Rotary inverse frequencies {@code 1 / theta^(2i / d)} for i < d/2, then this scaling (if any). */
    public static double[] inverseFrequencies(int headDim, double theta, RopeScaling scaling) {
        double[] inv = new double[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(theta, 2.0 * i / headDim);
        }
        return scaling == null ? inv : scaling.apply(inv);
    }

    private double[] apply(double[] inv) {
        double[] out = new double[inv.length];
        for (int i = 0; i < inv.length; i++) {
            out[i] = LINEAR.equals(type) ? inv[i] / factor : llama3(inv[i]);
        }
        return out;
    }

    /** transformers' {@code _compute_llama3_parameters}, one frequency at a time. */
    private double llama3(double inv) {
        double lowFreqWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
        double highFreqWavelen = originalMaxPositionEmbeddings / highFreqFactor;
        double wavelen = 2 * Math.PI / inv;
        if (wavelen > lowFreqWavelen) {
            return inv / factor;
        }
        if (wavelen < highFreqWavelen) {
            return inv;
        }
        double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        return (1 - smooth) * inv / factor + smooth * inv;
    }
}
