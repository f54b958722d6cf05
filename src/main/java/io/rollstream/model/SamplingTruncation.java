package io.rollstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import java.io.Serializable;

/**
 * The top-k / top-p truncation the sampler applies ({@code rollout.top_k}, {@code rollout.top_p}),
 * as the learner must apply it too: the behaviour log-probability of a token is its probability
 * under the truncated, renormalised distribution, so the learner's log-probability in the
 * importance ratio (and the reverse-KL reward) must be taken under the same truncation of its own
 * distribution, or the ratio is off by the kept mass.
 *
 * <p>The kept set is that of the sampler: the {@code topK} most likely tokens, cut to the shortest
 * prefix (most likely first) whose probability under the full tempered distribution reaches
 * {@code topP}. Ties in probability at the cut are all kept here (the sampler breaks them by id);
 * with float logits such ties essentially never happen.
 *
 * @param topP nucleus mass in (0, 1]; 1 keeps every token
 * @param topK keep the k most likely tokens; 0 keeps every token
 */
public record SamplingTruncation(double topP, int topK) implements Serializable {

    /** No truncation: the full distribution. */
    public static final SamplingTruncation NONE = new SamplingTruncation(1.0, 0);

    /** Added to the logits of tokens outside the kept set: their probability becomes exactly 0. */
    private static final float OUTSIDE = -1e9f;

    public SamplingTruncation {
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("rollout.top_p must be in (0, 1], got " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("rollout.top_k must be >= 0 (0 disables it), got " + topK);
        }
    }

    /** Whether any token can be cut from a distribution over {@code vocab} tokens. */
    public boolean truncates(long vocab) {
        return topP < 1.0 || (topK > 0 && topK < vocab);
    }

    /**
     * 1 where a token is in the kept set, 0 elsewhere, shape of {@code scaledLogits} (…, vocab); no
     * gradient flows through the choice.
     *
     * @param scaledLogits logits already divided by the temperature
     */
    public NDArray keptSet(NDArray scaledLogits) {
        NDArray logits = scaledLogits.stopGradient();
        long vocab = logits.getShape().get(logits.getShape().dimension() - 1);
        NDArray ascending = logits.sort(-1);
        NDArray keep = logits.onesLike().toType(DataType.BOOLEAN, false);
        if (topK > 0 && topK < vocab) {
            NDArray kth = ascending.get("..., " + (vocab - topK) + ":" + (vocab - topK + 1));
            keep = keep.logicalAnd(logits.gte(kth));
        }
        if (topP < 1.0) {
            NDArray probs = ascending.softmax(-1);
            NDArray cumulative = probs.cumSum(-1);
            NDArray total = cumulative.get("..., " + (vocab - 1) + ":");
            // mass of the strictly more likely tokens: a token is kept while that is below top_p
            NDArray above = total.sub(cumulative);
            NDArray keptSorted = above.lt((float) topP);
            // the smallest kept logit, compared as a logit (sorting keeps values exact; probabilities
            // recomputed in another order could differ in the last bit)
            NDArray smallestKept = NDArrays.where(keptSorted, ascending, ascending.add(Float.MAX_VALUE / 2))
                    .min(new int[] {-1}, true);
            keep = keep.logicalAnd(logits.gte(smallestKept));
        }
        return keep.toType(DataType.FLOAT32, false);
    }

    /** The logits with every token outside {@code kept} pushed to probability 0 (gradients flow through kept ones). */
    public static NDArray restrict(NDArray scaledLogits, NDArray kept) {
        return NDArrays.where(kept.toType(DataType.BOOLEAN, false), scaledLogits, scaledLogits.add(OUTSIDE));
    }
}
