package io.rollstream.config;

import io.rollstream.learner.AdamW;
import io.rollstream.learner.Algorithm;
import io.rollstream.learner.PolicyGradientLoss;
import io.rollstream.learner.PolicyGradientLoss.Masking;
import io.rollstream.learner.PolicyTrainer;
import io.rollstream.learner.PolicyTrainer.OptimizerStep;

/**
 * The {@code learner} section: the training algorithm, the optimizer ({@link AdamW.Config}), the
 * trainer ({@link PolicyTrainer.Config}) and the policy-gradient loss ({@link PolicyGradientLoss.Config},
 * the {@code learner.loss} map). Each of those records checks its own values.
 *
 * @param algorithm {@code grpo} (policy gradient on verifier rewards), {@code reverse_kl} (on-policy
 *     distillation from {@code teacher.checkpoint}) or {@code sft}; default {@code grpo}
 * @param learningRate peak learning rate, a finite number >= 0 (0 keeps the policy fixed); default 1e-4
 * @param beta1 AdamW first-moment decay, in [0, 1); default 0.9
 * @param beta2 AdamW second-moment decay, in [0, 1); default 0.99
 * @param epsilon AdamW denominator term, > 0; default 1e-8
 * @param weightDecay decoupled weight decay on matrices, at least 0; default 0.0
 * @param warmupSteps steps of linear learning-rate warm-up, at least 0; default 0
 * @param maxGradNorm global gradient-norm clip, > 0; default 1.0
 * @param microBatchSize rows per forward/backward pass, at least 1; default 64
 * @param optimizerStep {@code per_batch} (one update per batch) or {@code per_prompt} (gradients of a prompt's
 *     rollouts accumulated, clipped to {@code max_grad_norm}, one update per prompt group, as seed 2 describes);
 *     default {@code per_batch}
 * @param maxBadSteps consecutive skipped steps (non-finite or zero gradients) before the job fails, at least 1;
 *     default 5
 * @param loss the {@code learner.loss} map: {@code masking} ({@code dppo}, {@code token_ratio} or {@code none};
 *     default {@code dppo}), {@code dppo_mask_low} (0.2), {@code dppo_mask_high} (0.2), {@code ratio_low}
 *     (0.125), {@code ratio_high} (8.0), {@code kl_tau} (1e-3)
 */
public record LearnerSection(Algorithm algorithm, double learningRate, double beta1, double beta2, double epsilon,
        double weightDecay, int warmupSteps, double maxGradNorm, int microBatchSize, OptimizerStep optimizerStep,
        int maxBadSteps, PolicyGradientLoss.Config loss) {

    /** Every key at its default. */
    public static LearnerSection defaults() {
        AdamW.Config adam = AdamW.Config.defaults();
        PolicyTrainer.Config trainer = PolicyTrainer.Config.defaults();
        return new LearnerSection(Algorithm.GRPO, adam.learningRate(), adam.beta1(), adam.beta2(), adam.epsilon(),
                adam.weightDecay(), adam.warmupSteps(), trainer.maxGradNorm(), trainer.microBatchSize(),
                trainer.optimizerStep(), io.rollstream.learner.LearnerSettings.DEFAULT_MAX_BAD_STEPS, PolicyGradientLoss.Config.defaults());
    }

    public LearnerSection {
        algorithm = algorithm == null ? Algorithm.GRPO : algorithm;
        optimizerStep = optimizerStep == null ? OptimizerStep.PER_BATCH : optimizerStep;
        loss = loss == null ? PolicyGradientLoss.Config.defaults() : loss;
        OptimizerStep step = optimizerStep;
        ConfigErrors e = new ConfigErrors();
        e.attempt(() -> new AdamW.Config(learningRate, beta1, beta2, epsilon, weightDecay, warmupSteps));
        e.attempt(() -> new PolicyTrainer.Config(maxGradNorm, microBatchSize, 1.0, step));
        e.check(maxBadSteps >= 1, "learner.max_bad_steps", maxBadSteps, "must be >= 1: try 5");
        e.throwIfAny();
    }

    /** The optimizer settings. */
    public AdamW.Config toAdamW() {
        return new AdamW.Config(learningRate, beta1, beta2, epsilon, weightDecay, warmupSteps);
    }

    /** The trainer settings; {@code temperature} is the sampling temperature ({@code rollout.temperature}). */
    public PolicyTrainer.Config toTrainerConfig(double temperature) {
        try {
            return new PolicyTrainer.Config(maxGradNorm, microBatchSize, temperature, optimizerStep);
        } catch (IllegalArgumentException ex) {
            throw new InvalidConfigException(ex.getMessage());
        }
    }

    /** The policy-gradient loss settings (the {@code learner.loss} map). */
    public PolicyGradientLoss.Config toLossConfig() {
        return loss;
    }

    static LearnerSection read(SectionReader in) {
        LearnerSection d = defaults();
        return new LearnerSection(
                in.choice("algorithm", d.algorithm()),
                in.number("learning_rate", d.learningRate()),
                in.number("beta1", d.beta1()),
                in.number("beta2", d.beta2()),
                in.number("epsilon", d.epsilon()),
                in.number("weight_decay", d.weightDecay()),
                in.integer("warmup_steps", d.warmupSteps()),
                in.number("max_grad_norm", d.maxGradNorm()),
                in.integer("micro_batch_size", d.microBatchSize()),
                in.choice("optimizer_step", d.optimizerStep()),
                in.integer("max_bad_steps", d.maxBadSteps()),
                in.nested("loss", LearnerSection::readLoss, d.loss()));
    }

    private static PolicyGradientLoss.Config readLoss(SectionReader in) {
        PolicyGradientLoss.Config d = PolicyGradientLoss.Config.defaults();
        Masking masking = in.choice("masking", d.masking());
        return new PolicyGradientLoss.Config(masking,
                in.number("dppo_mask_low", d.dppoMaskLow()),
                in.number("dppo_mask_high", d.dppoMaskHigh()),
                in.number("ratio_low", d.ratioLow()),
                in.number("ratio_high", d.ratioHigh()),
                in.number("kl_tau", d.klTau()));
    }
}
