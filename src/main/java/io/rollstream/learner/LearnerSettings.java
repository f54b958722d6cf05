package io.rollstream.learner;

import java.io.Serializable;

/**
 * The learner's knobs, as they travel to the task manager.
 *
 * @param algorithm what to optimise
 * @param optimizer AdamW settings
 * @param trainer accumulation, clipping, temperature, stepping mode
 * @param loss policy-gradient loss settings (GRPO)
 * @param maxSteps learner steps of the run (the run is finished after step maxSteps − 1)
 * @param problemsPerEpoch size of the fixed problem set read in epochs (0 when unknown or endless): when
 *     known, distillation logs the reverse KL of every completed epoch ({@link EpochKl})
 */
public record LearnerSettings(Algorithm algorithm, AdamW.Config optimizer, PolicyTrainer.Config trainer,
        PolicyGradientLoss.Config loss, long maxSteps, int problemsPerEpoch) implements Serializable {}
