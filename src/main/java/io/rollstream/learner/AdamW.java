package io.rollstream.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.annotation.JsonIgnore;
import io.rollstream.checkpoint.OptimizerState;
import io.rollstream.model.DecoderLayout;
import io.rollstream.model.ParameterLayout;
import io.rollstream.model.TensorSource;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AdamW whose state (moments and step count) can be saved and restored exactly — DJL's built-in
 * Adam keeps it private. The update is {@code torch.optim.AdamW}'s, term for term (in place, no
 * autograd): with gradient {@code g} at step {@code t},
 *
 * <pre>
 *   p ← p · (1 − lr · weight_decay)
 *   m ← β1 · m + (1 − β1) · g          v ← β2 · v + (1 − β2) · g²
 *   p ← p − lr · m̂ / (√v̂ + ε)         m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)
 * </pre>
 *
 * ε is added after the second moment is bias-corrected, as torch does (DJL's fused kernel adds it
 * before, which with small gradients early in training is a different step). Weight decay is
 * decoupled and applies to matrices only ({@link #decays}), not to biases, norms or embeddings.
 */
public final class AdamW {

    /**
     * Optimizer settings: the {@code learner} section's optimizer keys, plus a learning-rate schedule
     * that only the SFT warm start sets ({@code sft.min_learning_rate}). {@code warmupSteps} ramps the
     * learning rate linearly from 0; with {@code decaySteps} > 0 it then follows a cosine from
     * {@code learningRate} down to {@code minLearningRate}, reached at step {@code decaySteps} and kept
     * after it (0: constant after warm-up).
     *
     * @param learningRate peak learning rate, a finite number >= 0 (0 keeps the policy fixed); default 1e-4
     * @param beta1 first-moment decay, in [0, 1); default 0.9
     * @param beta2 second-moment decay, in [0, 1); default 0.99
     * @param epsilon denominator term, > 0, added after bias correction as torch does; default 1e-8
     * @param weightDecay decoupled weight decay on matrices, at least 0; default 0.0
     * @param warmupSteps steps of linear learning-rate warm-up from 0, at least 0; default 0
     * @param decaySteps the step at which the cosine decay ends, 0 for none (not a learner key)
     * @param minLearningRate where the decay ends, in [0, learningRate] when decaySteps > 0 (not a learner key)
     */
    public record Config(
            double learningRate,
            double beta1,
            double beta2,
            double epsilon,
            double weightDecay,
            int warmupSteps,
            @JsonIgnore int decaySteps,
            @JsonIgnore double minLearningRate)
            implements Serializable {

        /** Constant after warm-up. */
        public Config(
                double learningRate, double beta1, double beta2, double epsilon, double weightDecay, int warmupSteps) {
            this(learningRate, beta1, beta2, epsilon, weightDecay, warmupSteps, 0, learningRate);
        }

        public static Config defaults() {
            return new Config(1e-4, 0.9, 0.99, 1e-8, 0.0, 0);
        }

        public Config {
            if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learner.learning_rate must be a finite number >= 0 (0 keeps the"
                        + " policy fixed), got " + learningRate);
            }
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException(
                        "learner.beta1 and learner.beta2 must be in [0, 1), got " + beta1 + " and " + beta2);
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
            if (decaySteps < 0) {
                throw new IllegalArgumentException("the learning-rate decay steps must be >= 0, got " + decaySteps);
            }
            if (decaySteps > 0 && !(minLearningRate >= 0 && minLearningRate <= learningRate)) {
                throw new IllegalArgumentException("the minimum learning rate must be in [0, learning_rate = "
                        + learningRate + "], got " + minLearningRate);
            }
            if (decaySteps == 0) {
                minLearningRate = learningRate; // no decay: one form, whatever the binder's default was
            }
        }

        /** The learning rate of optimizer step {@code step} (1 for the first). */
        public double learningRateAt(long step) {
            if (warmupSteps > 0 && step < warmupSteps) {
                return learningRate * step / warmupSteps;
            }
            if (decaySteps == 0) {
                return learningRate;
            }
            double progress = decaySteps <= warmupSteps
                    ? 1.0
                    : Math.min(1.0, (double) (step - warmupSteps) / (decaySteps - warmupSteps));
            return minLearningRate + (learningRate - minLearningRate) * 0.5 * (1 + Math.cos(Math.PI * progress));
        }
    }

    /** Embedding tables, which weight decay leaves alone (the built-in GPT's and the Llama family's). */
    private static final Set<String> EMBEDDINGS =
            Set.of(ParameterLayout.TOKEN_EMBEDDING, ParameterLayout.POSITION_EMBEDDING, DecoderLayout.EMBEDDING);

    /** The most bytes of a parameter one slice of the update covers (its temporaries are that size). */
    static final long SLICE_BYTES = 8L << 20;

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

    /** Learning rate of the next step (its warm-up and decay applied). */
    public double currentLearningRate() {
        return config.learningRateAt(step + 1);
    }

    /**
     * Applies one update from the parameters' accumulated gradients, then zeroes them. Grad mode is
     * off, so the scalar overloads (muli, addi) record nothing for autograd.
     */
    public void update() {
        JniUtils.setGradMode(false);
        double lr = currentLearningRate();
        step++;
        double beta1 = config.beta1();
        double beta2 = config.beta2();
        double stepSize = lr / (1 - Math.pow(beta1, step));
        double sqrtBiasCorrection2 = Math.sqrt(1 - Math.pow(beta2, step));
        // The update goes over each parameter a slice of rows at a time (views: the in-place ops write
        // through), each temporary closed as soon as it is used: at most two temporaries of one
        // slice's size exist at once, whatever the size of the parameter (an embedding's would be a
        // tenth of the model each), so the memory of an optimizer step stays weights + gradients +
        // moments. Slicing changes no value: every operation is elementwise.
        parameters.forEach((name, p) -> {
            double decay = decays(name, p) ? config.weightDecay() : 0;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray g = p.getGradient();
                NDArray m = firstMoments.get(name);
                NDArray v = secondMoments.get(name);
                for (NDIndex rows : rowSlices(p)) {
                    try (NDScope slice = new NDScope()) {
                        slice.suppressNotUsedWarning();
                        update(
                                p.get(rows),
                                g.get(rows),
                                m.get(rows),
                                v.get(rows),
                                lr,
                                decay,
                                stepSize,
                                sqrtBiasCorrection2);
                    }
                }
                JniUtils.zeroGrad((PtNDArray) p);
            }
        });
    }

    /**
     * Whether weight decay applies to a parameter: to matrices (two or more axes: projections, an
     * untied output head, LoRA adapters), not to biases and norms (one axis) or embedding tables.
     */
    static boolean decays(String name, NDArray p) {
        return p.getShape().dimension() >= 2 && !EMBEDDINGS.contains(name);
    }

    /** One update of a slice (views of the parameter, its gradient and its moments). */
    private void update(
            NDArray p,
            NDArray g,
            NDArray m,
            NDArray v,
            double lr,
            double decay,
            double stepSize,
            double sqrtBiasCorrection2) {
        if (decay > 0) {
            p.muli(1 - lr * decay);
        }
        try (NDArray scaled = g.mul(1 - config.beta1())) {
            m.muli(config.beta1()).addi(scaled);
        }
        try (NDArray squared = g.square()) {
            v.muli(config.beta2()).addi(squared.muli(1 - config.beta2()));
        }
        try (NDArray denominator = v.sqrt()) {
            denominator.divi(sqrtBiasCorrection2).addi(config.epsilon());
            try (NDArray update = m.div(denominator)) {
                p.subi(update.muli(stepSize));
            }
        }
    }

    /** Ranges of rows (the first axis) of {@code p} of at most {@link #SLICE_BYTES} each; one for a scalar. */
    static List<NDIndex> rowSlices(NDArray p) {
        Shape shape = p.getShape();
        if (shape.dimension() == 0) {
            return List.of(new NDIndex());
        }
        long rows = shape.get(0);
        long rowBytes =
                Math.max(1, shape.size() / Math.max(1, rows)) * p.getDataType().getNumOfBytes();
        long step = Math.max(1, SLICE_BYTES / rowBytes);
        List<NDIndex> out = new ArrayList<>();
        for (long from = 0; from < rows; from += step) {
            out.add(new NDIndex("{}:{}", from, Math.min(rows, from + step)));
        }
        return out;
    }

    /**
     * The state as a live view of the moments, for a checkpoint written before the next {@link
     * #update} (each moment is copied out when it is read).
     */
    public OptimizerState state() {
        return new OptimizerState(step, TensorSource.ofArrays(firstMoments), TensorSource.ofArrays(secondMoments));
    }

    /** Restores a saved state, one moment at a time; parameter names and sizes must match. */
    public void load(OptimizerState state) {
        if (!state.firstMoments().names().equals(parameters.keySet())
                || !state.secondMoments().names().equals(parameters.keySet())) {
            throw new IllegalArgumentException("optimizer state does not match the model's parameters");
        }
        parameters.forEach((name, p) -> {
            firstMoments.get(name).set(checkedSize(name, p, state.firstMoments().floats(name)));
            secondMoments
                    .get(name)
                    .set(checkedSize(name, p, state.secondMoments().floats(name)));
        });
        step = state.step();
    }

    private static float[] checkedSize(String name, NDArray p, float[] values) {
        if (values.length != p.size()) {
            throw new IllegalArgumentException(
                    "optimizer state for " + name + " has " + values.length + " values, the parameter has " + p.size());
        }
        return values;
    }

    private static NDArray untracked(NDArray a) {
        NDScope.unregister(a);
        return a;
    }
}
