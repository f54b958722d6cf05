package io.rollstream.sampling;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws one token from a row of logits on the Java side, with the row's own random stream, so the
 * draw never depends on the rest of the batch. Pure Java; unit-testable without DJL.
 *
 * <p>The recorded log-probability is that of the distribution actually sampled: softmax of the
 * logits over the temperature, restricted to the top-k / top-p set and renormalised over it. The
 * learner computes its log-probabilities under the same truncation
 * ({@link io.rollstream.model.SamplingTruncation}), so their ratio is 1 when the weights agree.
 * Greedy draws record the log-probability under the untruncated distribution at temperature 1.
 */
final class TokenSampler {

    private final SamplingConfig params;

    TokenSampler(SamplingConfig params) {
        this.params = params;
    }

    /** A chosen token and its behaviour log-probability. */
    record Draw(int token, float logprob) {}

    /** A chosen token and the sum of the weights it was drawn among. */
    private record Pick(int token, double normaliser) {}

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
        if (params.greedy()) {
            return new Draw(argmax, (float) ((logits[offset + argmax] - max) / temperature - Math.log(sum)));
        }
        boolean truncate = (params.topK() > 0 && params.topK() < vocab) || params.topP() < 1.0;
        Pick pick = truncate ? sampleTruncated(weights, sum, random) : sample(weights, sum, random);
        // log(weights[token] / normaliser), with log(weights[token]) taken from the logit exactly
        return new Draw(pick.token(), (float)
                ((logits[offset + pick.token()] - max) / temperature - Math.log(pick.normaliser())));
    }

    /** A draw from all tokens. */
    private static Pick sample(double[] weights, double total, SplittableRandom random) {
        double target = random.nextDouble() * total;
        double acc = 0;
        for (int j = 0; j < weights.length; j++) {
            acc += weights[j];
            if (acc > target) {
                return new Pick(j, total);
            }
        }
        return new Pick(lastPositive(weights), total);
    }

    /**
     * A draw from the top-k / top-p set: the k most likely tokens, cut to the shortest prefix whose
     * probability under the full distribution reaches p (ties in probability: the lower id first).
     */
    private Pick sampleTruncated(double[] weights, double total, SplittableRandom random) {
        double u = random.nextDouble();
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
                return new Pick(order[i], kept);
            }
        }
        return new Pick(order[keep - 1], kept);
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
