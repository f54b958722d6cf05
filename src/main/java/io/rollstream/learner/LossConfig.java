package io.rollstream.learner;

import java.io.Serializable;
import java.util.Locale;

/**
 * The {@code learner.loss} map: which policy-gradient loss, and its knobs. A key that does not apply
 * to the chosen loss must be left unset (null); an unset key that applies takes that loss's
 * default, so a resolved config names exactly the knobs in force.
 *
 * @param name {@code dppo} (default), {@code ppo_clip}, {@code gspo} or {@code cispo}
 * @param clipLow ε_low of {@code ppo_clip}, {@code gspo}, {@code cispo}
 * @param clipHigh ε_high of {@code ppo_clip}, {@code gspo}, {@code cispo}
 * @param masking {@code dppo} only: {@code dppo}, {@code token_ratio} or {@code none}
 * @param dppoMaskLow {@code dppo} only
 * @param dppoMaskHigh {@code dppo} only
 * @param ratioLow {@code dppo} only (its {@code token_ratio} masking)
 * @param ratioHigh {@code dppo} only
 * @param klTau {@code dppo} only: weight of the squared log-ratio term
 */
public record LossConfig(
        PolicyLoss name,
        Double clipLow,
        Double clipHigh,
        DppoLoss.Masking masking,
        Double dppoMaskLow,
        Double dppoMaskHigh,
        Double ratioLow,
        Double ratioHigh,
        Double klTau)
        implements Serializable {

    /** dppo with prime-rl's defaults. */
    public static LossConfig defaults() {
        return of(PolicyLoss.DPPO);
    }

    /** {@code name} with its defaults. */
    public static LossConfig of(PolicyLoss name) {
        return new LossConfig(name, null, null, null, null, null, null, null, null);
    }

    /** dppo with these knobs. */
    public static LossConfig dppo(DppoLoss.Config c) {
        return new LossConfig(
                PolicyLoss.DPPO,
                null,
                null,
                c.masking(),
                c.dppoMaskLow(),
                c.dppoMaskHigh(),
                c.ratioLow(),
                c.ratioHigh(),
                c.klTau());
    }

    /** A clipping loss with this range. */
    public static LossConfig clipped(PolicyLoss name, double clipLow, double clipHigh) {
        return new LossConfig(name, clipLow, clipHigh, null, null, null, null, null, null);
    }

    public LossConfig {
        name = name == null ? PolicyLoss.DPPO : name;
        if (name.clips()) {
            String which = "learner.loss.%s applies to learner.loss.name dppo only (" + show(name) + " clips"
                    + " instead, with learner.loss.clip_low and clip_high): remove it";
            requireUnset(which, "masking", masking);
            requireUnset(which, "dppo_mask_low", dppoMaskLow);
            requireUnset(which, "dppo_mask_high", dppoMaskHigh);
            requireUnset(which, "ratio_low", ratioLow);
            requireUnset(which, "ratio_high", ratioHigh);
            requireUnset(which, "kl_tau", klTau);
            clipLow = clipLow == null ? name.defaultClipLow() : clipLow;
            clipHigh = clipHigh == null ? name.defaultClipHigh() : clipHigh;
            new ClipRange(clipLow, clipHigh);
        } else {
            String which = "learner.loss.%s applies to learner.loss.name ppo_clip, gspo and cispo; dppo masks by"
                    + " probability difference instead (learner.loss.dppo_mask_low / dppo_mask_high): remove it";
            requireUnset(which, "clip_low", clipLow);
            requireUnset(which, "clip_high", clipHigh);
            DppoLoss.Config d = DppoLoss.Config.defaults();
            DppoLoss.Config resolved = new DppoLoss.Config(
                    masking == null ? d.masking() : masking,
                    or(dppoMaskLow, d.dppoMaskLow()),
                    or(dppoMaskHigh, d.dppoMaskHigh()),
                    or(ratioLow, d.ratioLow()),
                    or(ratioHigh, d.ratioHigh()),
                    or(klTau, d.klTau()));
            masking = resolved.masking();
            dppoMaskLow = resolved.dppoMaskLow();
            dppoMaskHigh = resolved.dppoMaskHigh();
            ratioLow = resolved.ratioLow();
            ratioHigh = resolved.ratioHigh();
            klTau = resolved.klTau();
        }
    }

    /** The dppo knobs (only for {@code name == DPPO}). */
    public DppoLoss.Config dppo() {
        return new DppoLoss.Config(masking, dppoMaskLow, dppoMaskHigh, ratioLow, ratioHigh, klTau);
    }

    /** The loss this config describes, with {@code correction} for the sampler mismatch. */
    public Loss create(ImportanceCorrection correction) {
        switch (name) {
            case PPO_CLIP:
                return new PpoClipLoss(new ClipRange(clipLow, clipHigh), correction);
            case GSPO:
                return new GspoLoss(new ClipRange(clipLow, clipHigh), correction);
            case CISPO:
                return new CispoLoss(new ClipRange(clipLow, clipHigh), correction);
            default:
                return new DppoLoss(dppo(), correction);
        }
    }

    private static void requireUnset(String message, String key, Object value) {
        if (value != null) {
            throw new IllegalArgumentException(String.format(message, key));
        }
    }

    private static double or(Double value, double def) {
        return value == null ? def : value;
    }

    private static String show(PolicyLoss name) {
        return name.name().toLowerCase(Locale.ROOT);
    }
}
