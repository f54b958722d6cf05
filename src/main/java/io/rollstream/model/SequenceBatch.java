package io.rollstream.model;

import java.util.Arrays;
import java.util.List;

/**
 * Prompt + completion pairs laid out for teacher-forced scoring and training: row r holds
 * {@code prompt ++ completion} right-padded; inputs are all tokens but the last, targets all but
 * the first, and the completion mask marks the targets that are completion tokens. Pure Java.
 */
public final class SequenceBatch {

    private final int rows;
    private final int width;
    private final long[] inputs;
    private final long[] targets;
    private final float[] completionMask;
    private final int[] completionStart;
    private final int[] completionLength;

    private SequenceBatch(int rows, int width) {
        this.rows = rows;
        this.width = width;
        this.inputs = new long[rows * width];
        this.targets = new long[rows * width];
        this.completionMask = new float[rows * width];
        this.completionStart = new int[rows];
        this.completionLength = new int[rows];
    }

    /**
     * @param prompts prompt ids, BOS first, each at least one token
     * @param completions completion ids (EOS included when generated)
     * @param padId filler for short rows (masked out)
     * @param contextLength the model's limit on prompt + completion
     */
    public static SequenceBatch of(List<int[]> prompts, List<int[]> completions, int padId, int contextLength) {
        if (prompts.size() != completions.size() || prompts.isEmpty()) {
            throw new IllegalArgumentException("need one completion per prompt and at least one row");
        }
        int width = 1;
        for (int r = 0; r < prompts.size(); r++) {
            int length = prompts.get(r).length + completions.get(r).length;
            if (prompts.get(r).length == 0) {
                throw new IllegalArgumentException("row " + r + " has an empty prompt (BOS is required)");
            }
            if (length > contextLength) {
                throw new IllegalArgumentException("row " + r + " has " + length
                        + " tokens, more than the model's context_length " + contextLength);
            }
            width = Math.max(width, length - 1);
        }
        SequenceBatch b = new SequenceBatch(prompts.size(), width);
        for (int r = 0; r < b.rows; r++) {
            int[] p = prompts.get(r);
            int[] c = completions.get(r);
            int length = p.length + c.length;
            Arrays.fill(b.inputs, r * width, (r + 1) * width, padId);
            Arrays.fill(b.targets, r * width, (r + 1) * width, padId);
            for (int t = 0; t + 1 < length; t++) {
                b.inputs[r * width + t] = t < p.length ? p[t] : c[t - p.length];
                int next = t + 1;
                b.targets[r * width + t] = next < p.length ? p[next] : c[next - p.length];
            }
            b.completionStart[r] = p.length - 1;
            b.completionLength[r] = c.length;
            for (int j = 0; j < c.length; j++) {
                b.completionMask[r * width + p.length - 1 + j] = 1f;
            }
        }
        return b;
    }

    public int rows() {
        return rows;
    }

    /** Columns of the input/target arrays. */
    public int width() {
        return width;
    }

    public long[] inputs() {
        return inputs;
    }

    public long[] targets() {
        return targets;
    }

    public float[] completionMask() {
        return completionMask;
    }

    /** Number of completion tokens in the batch. */
    public int completionTokens() {
        int n = 0;
        for (int len : completionLength) {
            n += len;
        }
        return n;
    }

    /** Spreads one value per completion token into the (rows, width) layout; zero elsewhere. */
    public float[] spread(List<float[]> perCompletionToken) {
        float[] out = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            float[] values = perCompletionToken.get(r);
            if (values.length != completionLength[r]) {
                throw new IllegalArgumentException("row " + r + " has " + completionLength[r]
                        + " completion tokens but " + values.length + " values");
            }
            System.arraycopy(values, 0, out, r * width + completionStart[r], values.length);
        }
        return out;
    }

    /** The inverse of {@link #spread}: each row's completion-token values. */
    public float[][] gather(float[] layout) {
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = Arrays.copyOfRange(
                    layout, r * width + completionStart[r], r * width + completionStart[r] + completionLength[r]);
        }
        return out;
    }
}
