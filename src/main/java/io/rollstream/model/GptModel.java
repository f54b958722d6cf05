package io.rollstream.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rollstream.device.Placement;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Rollstream's own GPT ({@code model.architecture: gpt}), written directly on DJL NDArrays: token (+ learned position)
 * embedding, {@code layers} pre-norm blocks of causal self-attention and a GELU MLP, a final layer
 * norm and an output projection tied to the token embedding.
 *
 * <p>The model owns its parameters in its own {@link NDManager}; every forward allocates its
 * intermediates in the caller's {@link ai.djl.ndarray.NDScope} or manager, never here. Invariant:
 * no scalar {@code mul/div(Number)} is used on anything that may need gradients (DJL frees that
 * scalar before backward reads it); constants live as arrays owned by the model.
 */
public final class GptModel extends ParameterizedModel {

    /** Additive bias that removes a key from attention: exp(-1e9 - max) is exactly 0 in fp32. */
    public static final float MASKED = -1e9f;

    private static final float LAYER_NORM_EPS = 1e-5f;

    private final ModelConfig config;
    private final NDArray attentionScale;
    private final NDArray rotaryCos;
    private final NDArray rotarySin;

    private GptModel(ModelConfig config, Parameters parameters) {
        super(parameters);
        this.config = config;
        NDManager manager = manager();
        this.attentionScale = manager.create((float) (1.0 / Math.sqrt(config.headDim())));
        if (config.positions() == ModelConfig.Positions.ROTARY) {
            NDArray[] tables = RotaryTables.create(manager, config.contextLength(), config.headDim());
            this.rotaryCos = tables[0];
            this.rotarySin = tables[1];
        } else {
            this.rotaryCos = null;
            this.rotarySin = null;
        }
    }

    /**
     * A freshly initialised model (GPT-2 scheme: N(0, 0.02) weights, residual projections scaled by
     * 1/sqrt(2 layers), zero biases, unit norms). Deterministic in {@code seed} on every device.
     */
    public static GptModel initialize(ModelConfig config, long seed, Device device) {
        return fromWeights(
                config, ParameterLayout.initialWeights(config, new SplittableRandom(seed)), Placement.float32(device));
    }

    /** A model with the given weights (names and shapes as in {@link ParameterLayout}). */
    public static GptModel fromWeights(ModelConfig config, Map<String, float[]> weights, Placement placement) {
        requireNames(ParameterLayout.shapes(config), weights);
        return create(config, TensorSource.of(weights), placement);
    }

    /** A model with the parameters {@code source} offers (every name of {@link ParameterLayout#shapes}). */
    public static GptModel create(ModelConfig config, TensorSource source, Placement placement) {
        if (config.architecture() != ModelConfig.Architecture.GPT) {
            throw new IllegalArgumentException("GptModel implements model.architecture gpt, not "
                    + config.architecture() + " (build models through Models)");
        }
        return new GptModel(config, load(ParameterLayout.shapes(config), source, placement));
    }

    public ModelConfig config() {
        return config;
    }

    @Override
    public ModelSpec spec() {
        return config;
    }

    @Override
    public NDArray hidden(NDArray ids, NDArray positions, NDArray bias, KvCache cache, boolean lastOnly) {
        long b = ids.getShape().get(0);
        long t = ids.getShape().get(1);
        int d = config.dModel();
        NDArray x = embed(ids, p("wte"));
        if (config.positions() == ModelConfig.Positions.LEARNED) {
            x = x.add(embed(positions, p("wpe")));
        }
        NDArray cos = null;
        NDArray sin = null;
        if (rotaryCos != null) {
            cos = inModelType(embed(positions, rotaryCos).expandDims(1)); // (B|1, 1, T, hd)
            sin = inModelType(embed(positions, rotarySin).expandDims(1));
        }
        for (int layer = 0; layer < config.layers(); layer++) {
            String n = "h" + layer + ".";
            NDArray h = layerNorm(x, p(n + "ln1.g"), p(n + "ln1.b"));
            NDList qkv = linear(h, p(n + "attn.qkv.w"), p(n + "attn.qkv.b")).split(3, 2);
            NDArray q = heads(qkv.get(0), b, t);
            NDArray k = heads(qkv.get(1), b, t);
            NDArray v = heads(qkv.get(2), b, t);
            if (cos != null) {
                q = RotaryTables.apply(q, cos, sin);
                k = RotaryTables.apply(k, cos, sin);
            }
            if (cache != null) {
                k = cache.appendKeys(layer, k);
                v = cache.appendValues(layer, v);
            }
            NDArray attention = attentionWeights(q.mul(attentionScale).matMul(k.transpose(0, 1, 3, 2)), bias);
            NDArray mixed = attention.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, d);
            x = x.add(linear(mixed, p(n + "attn.out.w"), p(n + "attn.out.b")));
            NDArray m = layerNorm(x, p(n + "ln2.g"), p(n + "ln2.b"));
            m = linear(m, p(n + "mlp.in.w"), p(n + "mlp.in.b"))
                    .getNDArrayInternal()
                    .gelu();
            x = x.add(linear(m, p(n + "mlp.out.w"), p(n + "mlp.out.b")));
        }
        if (cache != null) {
            cache.advance(t);
        }
        if (lastOnly) {
            x = x.get(":, -1, :"); // (B, D)
        }
        return layerNorm(x, p("lnf.g"), p("lnf.b"));
    }

    /** The output head, tied to the token embedding, as float32 logits. */
    @Override
    public NDArray head(NDArray hidden) {
        return float32Logits(hidden.matMul(p("wte").transpose()));
    }

    @Override
    public NDArray outputMatrix() {
        return p("wte");
    }

    private NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) {
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(config.dModel()), gamma, beta, LAYER_NORM_EPS)
                .singletonOrThrow();
    }

    /** (B, T, D) → (B, heads, T, headDim). */
    private NDArray heads(NDArray x, long b, long t) {
        return x.reshape(b, t, config.heads(), config.headDim()).transpose(0, 2, 1, 3);
    }
}
