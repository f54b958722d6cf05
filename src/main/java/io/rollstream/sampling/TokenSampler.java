package io.rollstream.sampling;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws one token from a row of logits on the Java side, with the row's own random stream, so the
 * draw never depends on the rest of the batch. Pure Java; unit-testable without DJL.
 */
final class TokenSampler {

    private final SamplingParams params;

    TokenSampler(SamplingParams params) {
        this.params = params;
    }

    /** A chosen token and its behaviour log-probability. */
    record Draw(int token, float logprob) {}

    /** Samples from {@code logits[offset, offset + vocab)}. */
    Draw draw(float[] logits, int offset, int vocab, SplittableRandom random) {
        double temperature = params.greedy() ? 1.0 : params.temperature();
        double max = Double.NEGATIVE_INFINITY;
        int argmax = 0;
        for (int j = 0; j < vocab; j++) {
            if (logits[offset + j] > max) {
                max = logits[offset + j];
                argmax = j;
            }
        }
        double sum = 0;
        double[] weights = new double[vocab];
        for (int j = 0; j < vocab; j++) {
            weights[j] = Math.exp((logits[offset + j] - max) / temperature);
            sum += weights[j];
        }
        double logZ = Math.log(sum);
        int token = params.greedy() ? argmax : sample(weights, sum, random);
        float logprob = (float) ((logits[offset + token] - max) / temperature - logZ);
        return new Draw(token, logprob);
    }

    private int sample(double[] weights, double total, SplittableRandom random) {
        double u = random.nextDouble();
        boolean truncate = (params.topK() > 0 && params.topK() < weights.length) || params.topP() < 1.0;
        if (!truncate) {
            double target = u * total;
            double acc = 0;
            for (int j = 0; j < weights.length; j++) {
                acc += weights[j];
                if (acc > target) {
                    return j;
                }
            }
            return lastPositive(weights);
        }
        Integer[] order = new Integer[weights.length];
        for (int j = 0; j < order.length; j++) {
            order[j] = j;
        }
        // Most likely first; ties by id, so the order is a pure function of the logits.
        Arrays.sort(order, (a, b) -> weights[a] != weights[b] ? Double.compare(weights[b], weights[a]) : a - b);
        int keep = params.topK() > 0 ? Math.min(params.topK(), order.length) : order.length;
        if (params.topP() < 1.0) {
            double acc = 0;
            for (int i = 0; i < keep; i++) {
                acc += weights[order[i]] / total;
                if (acc >= params.topP()) {
                    keep = i + 1;
                    break;
                }
            }
        }
        double kept = 0;
        for (int i = 0; i < keep; i++) {
            kept += weights[order[i]];
        }
        double target = u * kept;
        double acc = 0;
        for (int i = 0; i < keep; i++) {
            acc += weights[order[i]];
            if (acc > target) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    private static int lastPositive(double[] weights) {
        for (int j = weights.length - 1; j >= 0; j--) {
            if (weights[j] > 0) {
                return j;
            }
        }
        return 0;
    }
}
