package io.rollstream.learner;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token statistics of the losses over one learner step, added up over micro-batches and updates:
 * the importance ratio {@code π/μ} between the learner and the sampler (mean and max), how many
 * tokens the loss's own clip or mask took the gradient from, how many the importance correction
 * masked or truncated, the sampler–learner mismatch KL and the KL to the reference policy.
 * Only completion tokens in the loss count. Not thread-safe.
 */
public final class LossStats {

    private long tokens;
    private double ratioSum;
    private double ratioMax;
    private double clipped;
    private double masked;
    private double truncated;
    private double mismatchKlSum;
    private double referenceKlSum;
    private boolean reference;
    private double outsideSupport;

    /** Adds the ratio statistics of {@code in}'s masked tokens. */
    public void addRatios(LossInputs in) {
        NDArray logRatio = in.detachedLogRatio().mul(in.mask());
        NDArray ratio = logRatio.exp();
        tokens += (long) in.mask().sum().getFloat();
        ratioSum += ratio.mul(in.mask()).sum().getFloat();
        ratioMax = Math.max(ratioMax, ratio.mul(in.mask()).max().getFloat());
        mismatchKlSum += ratio.sub(logRatio).sub(1f).mul(in.mask()).sum().getFloat();
    }

    /**
     * Adds tokens (a 0/1 array, zero outside the loss) whose gradient the loss's own clip or mask
     * removed (CISPO: whose weight it clipped), among those the importance correction kept.
     */
    public void addClipped(NDArray flags) {
        clipped += flags.sum().getFloat();
    }

    /** Adds tokens the importance correction masked out. */
    public void addMasked(NDArray flags) {
        masked += flags.sum().getFloat();
    }

    /** Adds tokens whose importance weight the correction truncated. */
    public void addTruncated(NDArray flags) {
        truncated += flags.sum().getFloat();
    }

    /** Adds the summed KL estimate to the reference policy. */
    public void addReferenceKl(double sum) {
        referenceKlSum += sum;
        reference = true;
    }

    /** Adds sampled tokens that fell outside the learner's own top-k / top-p set (left out of the loss). */
    public void addOutsideSupport(double count) {
        outsideSupport += count;
    }

    /** Adds everything {@code other} counted. */
    public void add(LossStats other) {
        tokens += other.tokens;
        ratioSum += other.ratioSum;
        ratioMax = Math.max(ratioMax, other.ratioMax);
        clipped += other.clipped;
        masked += other.masked;
        truncated += other.truncated;
        mismatchKlSum += other.mismatchKlSum;
        referenceKlSum += other.referenceKlSum;
        reference |= other.reference;
        outsideSupport += other.outsideSupport;
    }

    /**
     * The {@code metrics.jsonl} keys: {@code is_ratio_mean}, {@code is_ratio_max},
     * {@code clipped_fraction}, {@code masked_fraction}, {@code truncated_fraction},
     * {@code loss_masked_tokens} (tokens without gradient: clipped or masked),
     * {@code loss_mismatch_kl_sum} (Σ of {@code r − log r − 1}) and, with a reference policy,
     * {@code kl_to_reference} (mean k3 estimate per token); {@code outside_support_tokens} when a
     * sampled token fell outside the learner's top-k / top-p set. Without ratio statistics (SFT)
     * only the last two may appear.
     */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (outsideSupport > 0) {
            m.put("outside_support_tokens", outsideSupport);
        }
        if (tokens == 0) {
            return m;
        }
        m.put("is_ratio_mean", ratioSum / tokens);
        m.put("is_ratio_max", ratioMax);
        m.put("clipped_fraction", clipped / tokens);
        m.put("masked_fraction", masked / tokens);
        m.put("truncated_fraction", truncated / tokens);
        m.put("loss_masked_tokens", clipped + masked);
        m.put("loss_mismatch_kl_sum", mismatchKlSum);
        if (reference) {
            m.put("kl_to_reference", referenceKlSum / tokens);
        }
        return m;
    }
}
