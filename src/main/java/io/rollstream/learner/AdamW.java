package io.rollstream.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW whose state (moments and step count) can be saved and restored exactly — DJL's built-in
 * Adam keeps it private. The update itself is PyTorch's fused Adam kernel (one native call per
 * parameter, no autograd). Weight decay is decoupled and applies to matrices only (names ending in
 * {@code .w}), not to biases, norms or embeddings.
 */
public final class AdamW {

    /** Optimizer settings. {@code warmupSteps} ramps the learning rate linearly from 0. */
    public record Config(double learningRate, double beta1, double beta2, double epsilon, double weightDecay,
            int warmupSteps) implements java.io.Serializable {

        public static Config defaults() {
            return new Config(1e-4, 0.9, 0.99, 1e-8, 0.0, 0);
        }

        public Config {
            if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learner.learning_rate must be a finite number >= 0 (0 keeps the"
                        + " policy fixed), got " + learningRate);
            }
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("learner.beta1 and learner.beta2 must be in [0, 1), got "
                        + beta1 + " and " + beta2);
            }
            if (!(epsilon > 0)) {
                throw new IllegalArgumentException("learner.epsilon must be > 0, got " + epsilon);
            }
            if (!(weightDecay >= 0)) {
                throw new IllegalArgumentException("learner.weight_decay must be >= 0, got " + weightDecay);
            }
            if (warmupSteps < 0) {
                throw new IllegalArgumentException("learner.warmup_steps must be >= 0, got " + warmupSteps);
            }
        }
    }

    /** A saved optimizer: step count and both moments of every parameter. */
    public record State(long step, Map<String, float[]> firstMoments, Map<String, float[]> secondMoments) {}

    private final Config config;
    private final Map<String, NDArray> parameters;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private long step;

    public AdamW(Config config, Map<String, NDArray> parameters) {
        this.config = config;
        this.parameters = parameters;
        parameters.forEach((name, p) -> {
            firstMoments.put(name, untracked(p.zerosLike()));
            secondMoments.put(name, untracked(p.zerosLike()));
        });
    }

    /** Optimizer steps taken so far. */
    public long step() {
        return step;
    }

    public Config config() {
        return config;
    }

    /** Learning rate of the next step (after warm-up). */
    public double currentLearningRate() {
        long next = step + 1;
        double warm = config.warmupSteps() == 0 ? 1.0 : Math.min(1.0, (double) next / config.warmupSteps());
        return config.learningRate() * warm;
    }

    /** Applies one update from the parameters' accumulated gradients, then zeroes them. */
    public void update() {
        JniUtils.setGradMode(false);
        double lr = currentLearningRate();
        step++;
        double biasCorrected = lr * Math.sqrt(1 - Math.pow(config.beta2(), step)) / (1 - Math.pow(config.beta1(), step));
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            parameters.forEach((name, p) -> {
                PtNDArray weight = (PtNDArray) p;
                float decay = name.endsWith(".w") ? (float) config.weightDecay() : 0f;
                JniUtils.adamUpdate(weight, (PtNDArray) p.getGradient(), (PtNDArray) firstMoments.get(name),
                        (PtNDArray) secondMoments.get(name), (float) lr, (float) biasCorrected, decay, 1f, -1f,
                        (float) config.beta1(), (float) config.beta2(), (float) config.epsilon(), true);
                JniUtils.zeroGrad(weight);
            });
        }
    }

    /** A copy of the state, for checkpoints. */
    public State state() {
        Map<String, float[]> m = new LinkedHashMap<>();
        Map<String, float[]> v = new LinkedHashMap<>();
        firstMoments.forEach((name, a) -> m.put(name, a.toFloatArray()));
        secondMoments.forEach((name, a) -> v.put(name, a.toFloatArray()));
        return new State(step, m, v);
    }

    /** Restores a saved state; parameter names and sizes must match. */
    public void load(State state) {
        if (!state.firstMoments().keySet().equals(parameters.keySet())
                || !state.secondMoments().keySet().equals(parameters.keySet())) {
            throw new IllegalArgumentException("optimizer state does not match the model's parameters");
        }
        parameters.forEach((name, p) -> {
            firstMoments.get(name).set(checkedSize(name, p, state.firstMoments().get(name)));
            secondMoments.get(name).set(checkedSize(name, p, state.secondMoments().get(name)));
        });
        step = state.step();
    }

    private static float[] checkedSize(String name, NDArray p, float[] values) {
        if (values.length != p.size()) {
            throw new IllegalArgumentException("optimizer state for " + name + " has " + values.length
                    + " values, the parameter has " + p.size());
        }
        return values;
    }

    private static NDArray untracked(NDArray a) {
        NDScope.unregister(a);
        return a;
    }
}
