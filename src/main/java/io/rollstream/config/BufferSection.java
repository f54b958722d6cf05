package io.rollstream.config;

import io.rollstream.batch.Advantages;
import io.rollstream.batch.Advantages.Estimator;
import io.rollstream.batch.Advantages.SoftOverlongPunishment;
import io.rollstream.config.SectionReader.Custom;
import io.rollstream.rollout.Oversampling;

/**
 * The {@code buffer} section: how scored groups become training batches.
 *
 * @param batchSize rollouts per learner step, a multiple of {@code rollout.rollouts_per_example}, at least 1;
 *     default 64
 * @param oversamplingFactor problems in flight per batch relative to the groups a batch needs, at least 1:
 *     {@code problems_per_batch − batch_size ÷ rollouts_per_example} extra groups may be in flight on top of
 *     the {@code max_async_level} window, as headroom for the groups the filters drop; default 1.0
 * @param oversampling {@code fixed} (the whole headroom, always) or {@code adaptive} (as much of it as the
 *     expected useful groups in flight need, from per-problem pass-rate estimates); default {@code fixed}
 * @param easyThreshold a problem whose mean reward is at least this goes to the easy pool; null (no easy pool)
 *     or in [0, 1]; default null
 * @param hardThreshold a problem whose mean reward is at most this goes to the hard pool; null (no hard pool) or
 *     in [0, 1], below {@code easy_threshold}; default null
 * @param onlineDifficultyFiltering drop groups that are all solved or all failed before they reach a batch;
 *     default false
 * @param zeroAdvantageFilter drop groups whose advantages are all zero (they carry no gradient); null (the
 *     default) means on for {@code grpo} and off otherwise, see {@link RunConfig#zeroAdvantageFilter()}; setting it
 *     with {@code reverse_kl} is an error (distillation has no group-relative advantages)
 * @param advantage {@code group_mean} (reward − group mean; the default), {@code group_mean_std} (also divided by the
 *     group's reward std), {@code rloo} (leave-one-out baseline) or {@code dr_grpo} (Dr. GRPO: no std); see
 *     {@link Advantages}. {@code std_normalize_advantages: true} is read as {@code group_mean_std} (its older name)
 * @param softOverlongPunishment DAPO's length penalty added to the reward before advantages: {@code cache_tokens}
 *     (L_cache, below {@code rollout.max_new_tokens}) and {@code penalty} (1.0); null (the default) for none
 * @param filterTruncated drop groups with a rollout cut off at {@code max_new_tokens}; default false
 * @param easyFraction share of the easy pool put back into the normal pool when a run is resumed, in [0, 1];
 *     default 0.0
 * @param hardFraction share of the hard pool put back into the normal pool when a run is resumed, in [0, 1];
 *     default 0.0
 */
public record BufferSection(
        int batchSize,
        double oversamplingFactor,
        Oversampling oversampling,
        Double easyThreshold,
        Double hardThreshold,
        boolean onlineDifficultyFiltering,
        Boolean zeroAdvantageFilter,
        Estimator advantage,
        SoftOverlongPunishment softOverlongPunishment,
        boolean filterTruncated,
        double easyFraction,
        double hardFraction) {

    /** The older name of {@code advantage: group_mean_std}, still read. */
    static final String STD_ALIAS = "std_normalize_advantages";

    /** Every key at its default. */
    public static BufferSection defaults() {
        return new BufferSection(
                64, 1.0, Oversampling.FIXED, null, null, false, null, Estimator.GROUP_MEAN, null, false, 0.0, 0.0);
    }

    public BufferSection {
        oversampling = oversampling == null ? Oversampling.FIXED : oversampling;
        advantage = advantage == null ? Estimator.GROUP_MEAN : advantage;
        ConfigErrors e = new ConfigErrors();
        e.check(batchSize >= 1, "buffer.batch_size", batchSize, "must be >= 1: try 64");
        e.check(
                oversamplingFactor >= 1 && Double.isFinite(oversamplingFactor),
                "buffer.oversampling_factor",
                oversamplingFactor,
                "must be a finite number >= 1 (1 = no oversampling)");
        e.check(
                easyThreshold == null || inUnit(easyThreshold),
                "buffer.easy_threshold",
                easyThreshold,
                "must be in [0, 1], or null for no easy pool");
        e.check(
                hardThreshold == null || inUnit(hardThreshold),
                "buffer.hard_threshold",
                hardThreshold,
                "must be in [0, 1], or null for no hard pool");
        if (easyThreshold != null && hardThreshold != null && inUnit(easyThreshold) && inUnit(hardThreshold)) {
            e.check(
                    hardThreshold < easyThreshold,
                    "buffer.hard_threshold",
                    hardThreshold,
                    "must be below buffer.easy_threshold (" + easyThreshold + "): lower it or raise the easy one");
        }
        e.check(inUnit(easyFraction), "buffer.easy_fraction", easyFraction, "must be in [0, 1]");
        e.check(inUnit(hardFraction), "buffer.hard_fraction", hardFraction, "must be in [0, 1]");
        e.throwIfAny();
    }

    /** How batch assembly computes advantages; {@code maxNewTokens} is {@code rollout.max_new_tokens}. */
    public Advantages.Config toAdvantages(int maxNewTokens) {
        try {
            return new Advantages.Config(advantage, softOverlongPunishment, maxNewTokens);
        } catch (IllegalArgumentException ex) {
            throw new InvalidConfigException(ex.getMessage());
        }
    }

    private static boolean inUnit(double value) {
        return value >= 0 && value <= 1;
    }

    /** The section: {@code advantage} also read under its older name, the punishment's cache_tokens required. */
    static BufferSection read(SectionReader in) {
        return in.bind(
                BufferSection.class,
                defaults(),
                Custom.of("advantage", c -> advantage(c, defaults().advantage())),
                Custom.of(
                        "softOverlongPunishment",
                        c -> c.nested("soft_overlong_punishment", BufferSection::readPunishment, null)));
    }

    /** {@code advantage}, or its older form {@code std_normalize_advantages}; both only when they agree. */
    private static Estimator advantage(SectionReader in, Estimator def) {
        boolean named = in.isSet("advantage");
        boolean aliased = in.isSet(STD_ALIAS);
        Estimator value = in.choice("advantage", def);
        boolean std = in.bool(STD_ALIAS, false);
        Estimator alias = std ? Estimator.GROUP_MEAN_STD : Estimator.GROUP_MEAN;
        if (named && aliased && value != alias) {
            in.error("buffer." + STD_ALIAS + " (" + std + ") contradicts buffer.advantage (" + ConfigErrors.show(value)
                    + "): it is the older name of advantage group_mean_std, keep only buffer.advantage");
        }
        return aliased && !named ? alias : value;
    }

    private static SoftOverlongPunishment readPunishment(SectionReader in) {
        if (!in.isSet("cache_tokens")) {
            in.error("buffer.soft_overlong_punishment.cache_tokens is required (L_cache, the last tokens before"
                    + " rollout.max_new_tokens that are penalised): e.g. {cache_tokens: 4}");
        }
        return in.bind(SoftOverlongPunishment.class, new SoftOverlongPunishment(1, 1.0));
    }
}
