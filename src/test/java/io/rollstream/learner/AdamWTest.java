package io.rollstream.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("djl")
class AdamWTest {

    /** The gradients of src/test/python/adamw_reference.py, step by step. */
    private static final float[][] W_GRADS = {{1e-3f, -2e-3f, 5e-4f}, {-5e-4f, 1e-3f, 2e-3f}, {2e-3f, 2e-3f, -1e-3f}};

    private static final float[][] B_GRADS = {{3e-3f, -1e-4f}, {1e-3f, 4e-4f}, {-2e-3f, 1e-4f}};

    /**
     * Three steps against torch.optim.AdamW's algorithm as written in NumPy by
     * src/test/python/adamw_reference.py (lr 0.01, β 0.9/0.99, ε 1e-3, weight decay 0.1 on the
     * matrix only). The gradients are about ε in size, so adding ε before bias correction (DJL's
     * kernel) would land on layer.w = 0.49611, −0.99548, 1.99140 instead.
     */
    @Test
    void threeStepsMatchTorchAdamW() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("layer.w", m.create(new float[] {0.5f, -1f, 2f}, new Shape(1, 3)));
            params.put("layer.b", m.create(new float[] {0.1f, -0.2f}));
            params.values().forEach(p -> p.setRequiresGradient(true));
            AdamW adam = new AdamW(new AdamW.Config(0.01, 0.9, 0.99, 1e-3, 0.1, 0), params);
            for (int step = 0; step < 3; step++) {
                setGradients(m, params, Map.of("layer.w", W_GRADS[step], "layer.b", B_GRADS[step]));
                adam.update();
            }
            assertThat(params.get("layer.w").toFloatArray())
                    .containsExactly(new float[] {0.488593253f, -0.990447338f, 1.983531413f}, within(2e-6f));
            assertThat(params.get("layer.b").toFloatArray())
                    .containsExactly(new float[] {0.084919057f, -0.201476914f}, within(2e-6f));
            assertThat(params.get("layer.w").getGradient().toFloatArray()).containsOnly(0f);
            assertThat(adam.step()).isEqualTo(3);
        }
    }

    /**
     * Warm-up over 4 steps, then a cosine from 1e-3 to 1e-4 reached at step 10 and kept: half-way
     * (step 7) it is the mean of the two, and without decay steps the rate stays at its peak.
     */
    @Test
    void theLearningRateWarmsUpThenFollowsACosineToItsMinimum() {
        AdamW.Config decaying = new AdamW.Config(1e-3, 0.9, 0.99, 1e-8, 0, 4, 10, 1e-4);
        assertThat(decaying.learningRateAt(1)).isCloseTo(2.5e-4, within(1e-15));
        assertThat(decaying.learningRateAt(4)).isEqualTo(1e-3);
        assertThat(decaying.learningRateAt(5)).isCloseTo(1e-4 + 9e-4 * (1 + Math.cos(Math.PI / 6)) / 2, within(1e-15));
        assertThat(decaying.learningRateAt(7)).isCloseTo(5.5e-4, within(1e-15));
        assertThat(decaying.learningRateAt(10)).isCloseTo(1e-4, within(1e-15));
        assertThat(decaying.learningRateAt(50)).isCloseTo(1e-4, within(1e-15));
        AdamW.Config constant = new AdamW.Config(1e-3, 0.9, 0.99, 1e-8, 0, 4);
        assertThat(constant.learningRateAt(50)).isEqualTo(1e-3);
        assertThatThrownBy(() -> new AdamW.Config(1e-3, 0.9, 0.99, 1e-8, 0, 4, 10, 2e-3))
                .hasMessageContaining("minimum learning rate");
    }

    /** Makes each parameter's gradient {@code grads[name]}: backward of Σ p · g. */
    /**
     * A parameter larger than one slice of the update ({@link AdamW#SLICE_BYTES}) is updated through
     * views, slice by slice: every row of it ends exactly where a one-row parameter with the same
     * values and gradients does, after steps with weight decay.
     */
    @Test
    void aParameterOfSeveralSlicesStepsExactlyLikeOneOfOneRow() {
        int rows = 5000;
        int width = 1000; // 19 MiB: three slices
        float[] row = new float[width];
        float[] gradient = new float[width];
        for (int i = 0; i < width; i++) {
            row[i] = (float) Math.sin(i);
            gradient[i] = (float) (1e-3 * Math.cos(3 * i));
        }
        float[] big = new float[rows * width];
        float[] bigGradient = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(row, 0, big, r * width, width);
            System.arraycopy(gradient, 0, bigGradient, r * width, width);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("big.w", m.create(big, new Shape(rows, width)));
            params.put("one.w", m.create(row, new Shape(1, width)));
            assertThat(AdamW.rowSlices(params.get("big.w"))).hasSize(3);
            params.values().forEach(p -> p.setRequiresGradient(true));
            AdamW adam = new AdamW(new AdamW.Config(0.01, 0.9, 0.99, 1e-8, 0.1, 0), params);
            for (int step = 0; step < 2; step++) {
                setGradients(m, params, Map.of("big.w", bigGradient, "one.w", gradient));
                adam.update();
            }
            float[] one = params.get("one.w").toFloatArray();
            float[] updated = params.get("big.w").toFloatArray();
            assertThat(one).isNotEqualTo(row);
            for (int r = 0; r < rows; r += 999) {
                assertThat(Arrays.copyOfRange(updated, r * width, (r + 1) * width))
                        .as("row %d", r)
                        .containsExactly(one);
            }
        }
    }

    /** Weight decay applies to matrices of either naming (the built-in GPT's, Hugging Face's, LoRA's), never to embeddings, biases or norms. */
    @Test
    void weightDecayAppliesToMatricesOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray matrix = m.zeros(new Shape(4, 3));
            NDArray vector = m.zeros(new Shape(3));
            assertThat(AdamW.decays("h0.mlp.in.w", matrix)).isTrue();
            assertThat(AdamW.decays("model.layers.0.self_attn.q_proj.weight", matrix))
                    .isTrue();
            assertThat(AdamW.decays("lm_head.weight", matrix)).isTrue();
            assertThat(AdamW.decays("model.layers.0.self_attn.q_proj.lora_A.weight", matrix))
                    .isTrue();
            assertThat(AdamW.decays("wte", matrix)).isFalse();
            assertThat(AdamW.decays("wpe", matrix)).isFalse();
            assertThat(AdamW.decays("model.embed_tokens.weight", matrix)).isFalse();
            assertThat(AdamW.decays("model.norm.weight", vector)).isFalse();
            assertThat(AdamW.decays("model.layers.0.self_attn.q_proj.bias", vector))
                    .isFalse();
            assertThat(AdamW.decays("h0.attn.qkv.b", vector)).isFalse();
        }
    }

    private static void setGradients(NDManager m, Map<String, NDArray> params, Map<String, float[]> grads) {
        try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
            NDArray loss = null;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray term = e.getValue()
                        .mul(m.create(grads.get(e.getKey()))
                                .reshape(e.getValue().getShape()))
                        .sum();
                loss = loss == null ? term : loss.add(term);
            }
            c.backward(loss);
        }
    }

    @Test
    void aRestoredStateContinuesExactly() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> a = Map.of("x.w", m.create(new float[] {1f, 2f}));
            Map<String, NDArray> b = Map.of("x.w", m.create(new float[] {1f, 2f}));
            a.values().forEach(p -> p.setRequiresGradient(true));
            b.values().forEach(p -> p.setRequiresGradient(true));
            AdamW first = new AdamW(new AdamW.Config(0.1, 0.9, 0.99, 1e-8, 0.0, 0), a);
            setGradients(m, a, Map.of("x.w", new float[] {0.5f, -0.25f}));
            first.update();
            b.get("x.w").set(a.get("x.w").toFloatArray());
            AdamW second = new AdamW(first.config(), b);
            second.load(first.state());
            setGradients(m, a, Map.of("x.w", new float[] {0.1f, 0.3f}));
            setGradients(m, b, Map.of("x.w", new float[] {0.1f, 0.3f}));
            first.update();
            second.update();
            assertThat(b.get("x.w").toFloatArray()).containsExactly(a.get("x.w").toFloatArray());
        }
    }
}
