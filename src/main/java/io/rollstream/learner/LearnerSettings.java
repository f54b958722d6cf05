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
 */
public record LearnerSettings(Algorithm algorithm, AdamW.Config optimizer, PolicyTrainer.Config trainer,
        PolicyGradientLoss.Config loss, long maxSteps) implements Serializable {}
