package io.rollstream.config;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.rollstream.config.SectionReader.Custom;
import io.rollstream.device.DeviceSetting;
import io.rollstream.learner.AdamW;
import io.rollstream.learner.Algorithm;
import io.rollstream.learner.ImportanceCorrection;
import io.rollstream.learner.ImportanceCorrection.Truncation;
import io.rollstream.learner.LearnerSettings;
import io.rollstream.learner.LossConfig;
import io.rollstream.learner.LossSettings;
import io.rollstream.learner.PolicyLoss;
import io.rollstream.learner.PolicyTrainer;
import io.rollstream.model.SamplingTruncation;
import io.rollstream.sampling.SamplingConfig;

/**
 * The {@code learner} section: the training algorithm, the optimizer ({@link AdamW.Config}), the
 * trainer ({@link PolicyTrainer.Config}) and the objective ({@link LossSettings}). Each of those
 * records checks its own values; this one checks the combinations.
 *
 * @param algorithm {@code grpo} (policy gradient on verifier rewards), {@code reverse_kl} (on-policy
 *     distillation from {@code teacher.checkpoint}) or {@code sft}; default {@code grpo}
 * @param optimizer the optimizer's keys, written in this section ({@code learning_rate}, {@code beta1},
 *     {@code beta2}, {@code epsilon}, {@code weight_decay}, {@code warmup_steps}: see {@link AdamW.Config})
 * @param trainer the trainer's keys, written in this section ({@code max_grad_norm}, {@code micro_batch_size},
 *     {@code optimizer_step}: see {@link PolicyTrainer.Config}); its temperature and truncation are the
 *     sampler's, set by {@link #toTrainerConfig}
 * @param maxBadSteps consecutive skipped steps (non-finite or zero gradients) before the job fails, at least 1;
 *     default 5
 * @param objective the objective's keys, written in this section ({@code loss}, {@code loss_aggregation},
 *     {@code importance_correction}, {@code kl_to_reference}, {@code overlong_filtering}: see
 *     {@link LossSettings}); its {@code max_new_tokens} is the rollout's, set by {@link #toLossSettings}
 * @param device where the learner trains: {@code auto} (the GPU its task manager declares, or one PyTorch sees;
 *     else the CPU, logged), {@code cpu} or {@code gpu} (fails naming the fix when there is none); its weights,
 *     gradients and AdamW state are float32 on any device; default {@code auto}
 */
public record LearnerSection(
        Algorithm algorithm,
        @JsonUnwrapped AdamW.Config optimizer,
        @JsonUnwrapped PolicyTrainer.Config trainer,
        int maxBadSteps,
        @JsonUnwrapped LossSettings objective,
        DeviceSetting device) {

    /** Every key at its default. */
    public static LearnerSection defaults() {
        return new LearnerSection(
                Algorithm.GRPO,
                AdamW.Config.defaults(),
                PolicyTrainer.Config.defaults(),
                LearnerSettings.DEFAULT_MAX_BAD_STEPS,
                LossSettings.defaults(),
                DeviceSetting.AUTO);
    }

    /** The importance correction {@code algorithm} uses when the config sets none. */
    public static ImportanceCorrection.Config defaultCorrection(Algorithm algorithm) {
        return algorithm == Algorithm.REVERSE_KL
                ? ImportanceCorrection.Config.truncated(2.0)
                : ImportanceCorrection.Config.none();
    }

    public LearnerSection {
        algorithm = algorithm == null ? Algorithm.GRPO : algorithm;
        optimizer = optimizer == null ? AdamW.Config.defaults() : optimizer;
        trainer = trainer == null ? PolicyTrainer.Config.defaults() : trainer;
        objective = objective == null ? LossSettings.defaults() : objective;
        LossConfig loss = objective.loss();
        ImportanceCorrection.Config importanceCorrection = objective.importanceCorrection();
        device = device == null ? DeviceSetting.AUTO : device;
        ConfigErrors e = new ConfigErrors();
        e.check(maxBadSteps >= 1, "learner.max_bad_steps", maxBadSteps, "must be >= 1: try 5");
        e.check(
                loss.name() == PolicyLoss.DPPO || algorithm == Algorithm.GRPO,
                "learner.loss.name",
                loss.name(),
                "applies to learner.algorithm grpo only (" + ConfigErrors.show(algorithm)
                        + " trains with its own loss): remove learner.loss");
        boolean clipsItself = loss.name() == PolicyLoss.GSPO || loss.name() == PolicyLoss.CISPO;
        e.check(
                !(algorithm == Algorithm.GRPO && clipsItself && importanceCorrection.truncate() != Truncation.NONE),
                "learner.importance_correction.truncate",
                importanceCorrection.truncate(),
                "does not combine with learner.loss.name " + ConfigErrors.show(loss.name()) + ", whose clip already"
                        + " bounds the importance weight: set truncate to none (masking is allowed)");
        e.throwIfAny();
    }

    /** The trainer settings: the learner's distribution is the sampler's ({@code rollout} temperature, top-p, top-k). */
    public PolicyTrainer.Config toTrainerConfig(SamplingConfig sampling) {
        try {
            return new PolicyTrainer.Config(
                    trainer.maxGradNorm(),
                    trainer.microBatchSize(),
                    sampling.temperature(),
                    trainer.optimizerStep(),
                    new SamplingTruncation(sampling.topP(), sampling.topK()));
        } catch (IllegalArgumentException ex) {
            throw new InvalidConfigException(ex.getMessage());
        }
    }

    /** The objective's settings; {@code maxNewTokens} is {@code rollout.max_new_tokens}. */
    public LossSettings toLossSettings(int maxNewTokens) {
        return objective.withMaxNewTokens(maxNewTokens);
    }

    /**
     * The section: {@code loss} is a loss name or a map whose unset keys take that loss's defaults, and
     * the importance correction's defaults depend on the algorithm.
     */
    static LearnerSection read(SectionReader in) {
        return in.bind(
                LearnerSection.class,
                defaults(),
                Custom.of(
                        "loss",
                        c -> c.isScalar("loss")
                                ? LossConfig.of(c.choice("loss", PolicyLoss.DPPO))
                                : c.nested("loss", map -> map.bind(LossConfig.class, null), LossConfig.defaults())),
                new Custom("importanceCorrection", (c, bound) -> {
                    ImportanceCorrection.Config d = defaultCorrection((Algorithm) bound.get("algorithm"));
                    return c.nested("importance_correction", map -> map.bind(ImportanceCorrection.Config.class, d), d);
                }));
    }
}
