package io.rollstream.config;

/**
 * The {@code sft} section: supervised warm start on task demonstrations before RL begins.
 *
 * @param steps optimizer steps of supervised training, 0 for none, at least 0; default 0
 * @param examples distinct demonstrations to train on, at least 1; default 1000
 * @param batchSize demonstrations per step, at least 1; default 64
 * @param learningRate peak learning rate, a finite number > 0; default 1e-3
 * @param warmupSteps steps of linear learning-rate warm-up, at least 0; default 20
 * @param evalEvery held-out evaluation every this many steps (and always at the end), 0 = only at
 *     the end; default 250
 * @param checkpointEvery the warm start saves its state (weights, optimizer, step, data position) in
 *     the run directory every this many steps, at its end and on a stop, so a run killed or stopped
 *     during it resumes there; 0 = only at the end and on a stop; default 100
 * @param minLearningRate when set, the learning rate decays after the warm-up along a cosine from
 *     {@code learning_rate} to this at the last step (a constant rate keeps the held-out accuracy
 *     jumping by 5-10 points from one evaluation to the next late in the warm start); in
 *     [0, {@code learning_rate}], or null for a constant rate; default null
 */
public record SftSection(
        int steps,
        int examples,
        int batchSize,
        double learningRate,
        int warmupSteps,
        int evalEvery,
        int checkpointEvery,
        Double minLearningRate) {

    /** Every key at its default. */
    public static SftSection defaults() {
        return new SftSection(0, 1000, 64, 1e-3, 20, 250, 100, null);
    }

    public SftSection {
        ConfigErrors e = new ConfigErrors();
        e.check(steps >= 0, "sft.steps", steps, "must be >= 0 (0 = no warm start)");
        e.check(examples >= 1, "sft.examples", examples, "must be >= 1");
        e.check(batchSize >= 1, "sft.batch_size", batchSize, "must be >= 1: try 64");
        e.check(
                learningRate > 0 && Double.isFinite(learningRate),
                "sft.learning_rate",
                learningRate,
                "must be a finite number > 0: try 1e-3");
        e.check(warmupSteps >= 0, "sft.warmup_steps", warmupSteps, "must be >= 0");
        e.check(evalEvery >= 0, "sft.eval_every", evalEvery, "must be >= 0 (0 = evaluate only at the end)");
        e.check(
                checkpointEvery >= 0,
                "sft.checkpoint_every",
                checkpointEvery,
                "must be >= 0 (0 = save only at the end and on a stop): try 100");
        e.check(
                minLearningRate == null || (minLearningRate >= 0 && minLearningRate <= learningRate),
                "sft.min_learning_rate",
                minLearningRate,
                "must be in [0, sft.learning_rate], or null for a constant learning rate: try a tenth of it");
        e.throwIfAny();
    }
}
