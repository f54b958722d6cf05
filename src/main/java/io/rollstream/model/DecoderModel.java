package io.rollstream.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rollstream.device.Placement;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Llama-family decoder (Llama, Mistral, Qwen2, Qwen3, and the built-in {@code llama}
 * architecture) on DJL NDArrays, written from the Hugging Face modeling code: token embedding,
 * {@code layers} pre-norm blocks — RMSNorm, grouped-query self-attention with rotate-half rotary
 * embeddings (optional q/k/v biases, optional per-head q/k RMSNorm before the rotation), RMSNorm,
 * SwiGLU MLP {@code down(silu(gate(x)) · up(x))} — a final RMSNorm and the output head (tied to the
 * embedding or not). Parameter names are Hugging Face's ({@link DecoderLayout}).
 *
 * <p>Grouped-query attention never copies keys or values per query head: the query heads that share
 * a key/value head are folded into the query-position axis, so one batched matrix product per
 * key/value head serves the whole group, and the {@link KvCache} stores key/value heads only.
 * Rotary angles are computed per forward from the positions (in float32, as transformers does), so
 * no table bounds the context.
 */
public final class DecoderModel extends ParameterizedModel {

    private final ModelSpec spec;
    private final DecoderConfig config;
    private final Block[] blocks;
    private final NDArray embedding;
    private final NDArray finalNorm;
    private final NDArray outputHead;
    private final NDArray attentionScale;
    private final NDArray inverseFrequencies;

    /**
     * One block's projections side by side — q/k/v in one matrix (and bias), gate/up in another — so
     * a frozen model makes two matrix products where it would make five. The parameters of those
     * projections are views of these arrays ({@link #fuseParameters}): the model holds every weight
     * once, and a trainable model uses the separate views (their gradients stay separate and exact).
     */
    private record Fused(NDArray qkv, NDArray qkvBias, NDArray gateUp) {}

    /** Per block, its fused projections (built when the model is, never stale: the parameters are views of them). */
    private final Fused[] fused;

    /** Indices of the projections in {@link LoraConfig#TARGETS} order. */
    static final int Q = 0, K = 1, V = 2, O = 3, GATE = 4, UP = 5, DOWN = 6;

    /**
     * What adapters add to a block's projections ({@link LoraModel}): for projection {@code target}
     * (an index in {@link LoraConfig#TARGETS}) of block {@code layer} with input {@code x}, the
     * term added to its output, or null for none.
     */
    interface ProjectionDeltas {
        NDArray delta(int layer, int target, NDArray x);
    }

    /** One block's parameters (looked up once, not per forward). */
    private record Block(
            NDArray inputNorm,
            NDArray qWeight,
            NDArray qBias,
            NDArray kWeight,
            NDArray kBias,
            NDArray vWeight,
            NDArray vBias,
            NDArray oWeight,
            NDArray qNorm,
            NDArray kNorm,
            NDArray postNorm,
            NDArray gate,
            NDArray up,
            NDArray down) {}

    private DecoderModel(ModelSpec spec, DecoderConfig config, Parameters parameters) {
        super(parameters);
        this.spec = spec;
        this.config = config;
        NDManager manager = manager();
        this.blocks = new Block[config.layers()];
        this.fused = new Fused[config.layers()];
        for (int i = 0; i < blocks.length; i++) {
            String n = DecoderLayout.layer(i);
            String attention = n + "self_attn.";
            fused[i] = new Fused(
                    fuseParameters(
                            attention + "q_proj.weight", attention + "k_proj.weight", attention + "v_proj.weight"),
                    config.qkvBias()
                            ? fuseParameters(
                                    attention + "q_proj.bias", attention + "k_proj.bias", attention + "v_proj.bias")
                            : null,
                    fuseParameters(n + "mlp.gate_proj.weight", n + "mlp.up_proj.weight"));
            blocks[i] = new Block(
                    p(n + "input_layernorm.weight"),
                    p(n + "self_attn.q_proj.weight"),
                    p(n + "self_attn.q_proj.bias"),
                    p(n + "self_attn.k_proj.weight"),
                    p(n + "self_attn.k_proj.bias"),
                    p(n + "self_attn.v_proj.weight"),
                    p(n + "self_attn.v_proj.bias"),
                    p(n + "self_attn.o_proj.weight"),
                    p(n + "self_attn.q_norm.weight"),
                    p(n + "self_attn.k_norm.weight"),
                    p(n + "post_attention_layernorm.weight"),
                    p(n + "mlp.gate_proj.weight"),
                    p(n + "mlp.up_proj.weight"),
                    p(n + "mlp.down_proj.weight"));
        }
        this.embedding = p(DecoderLayout.EMBEDDING);
        this.finalNorm = p(DecoderLayout.FINAL_NORM);
        this.outputHead = config.tieWordEmbeddings() ? embedding : p(DecoderLayout.OUTPUT_HEAD);
        this.attentionScale = manager.create((float) (1.0 / Math.sqrt(config.headDim())));
        double[] inv = RopeScaling.inverseFrequencies(config.headDim(), config.ropeTheta(), config.ropeScaling());
        float[] invFloat = new float[inv.length];
        for (int i = 0; i < inv.length; i++) {
            invFloat[i] = (float) inv[i];
        }
        this.inverseFrequencies = manager.create(invFloat);
    }

    /**
     * A model with the parameters {@code source} offers (every name of {@link DecoderLayout#shapes};
     * other names are the caller's business).
     *
     * @param spec what the model records in checkpoints ({@code config} itself, or the built-in
     *     {@code llama} config it came from)
     */
    public static DecoderModel create(ModelSpec spec, DecoderConfig config, TensorSource source, Placement placement) {
        return new DecoderModel(spec, config, load(DecoderLayout.shapes(config), source, placement));
    }

    /** A model with exactly the given weights (names and shapes as in {@link DecoderLayout}). */
    public static DecoderModel fromWeights(
            ModelSpec spec, DecoderConfig config, Map<String, float[]> weights, Placement placement) {
        requireNames(DecoderLayout.shapes(config), weights);
        return create(spec, config, TensorSource.of(weights), placement);
    }

    /** Freshly initialised ({@link DecoderLayout#initialWeights}), deterministic in {@code seed}, float32. */
    public static DecoderModel initialize(ModelSpec spec, DecoderConfig config, long seed, Device device) {
        return fromWeights(
                spec,
                config,
                DecoderLayout.initialWeights(config, new SplittableRandom(seed)),
                Placement.float32(device));
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    /** The decoder's maths. */
    public DecoderConfig decoderConfig() {
        return config;
    }

    /** The fused projections of block {@code layer}, or null while the parameters need gradients. */
    private Fused fused(int layer) {
        return blocks[layer].qWeight().hasGradient() ? null : fused[layer];
    }

    @Override
    public NDArray hidden(NDArray ids, NDArray positions, NDArray bias, KvCache cache, boolean lastOnly) {
        return hidden(ids, positions, bias, cache, lastOnly, null);
    }

    /** The output head: hidden states times the (tied or separate) output matrix, as float32 logits. */
    @Override
    public NDArray head(NDArray hidden) {
        return float32Logits(linear(hidden, outputHead, null));
    }

    @Override
    public NDArray outputMatrix() {
        return outputHead;
    }

    /** {@link #hidden} with {@code deltas} added to the projections they adapt (null: none). */
    NDArray hidden(
            NDArray ids, NDArray positions, NDArray bias, KvCache cache, boolean lastOnly, ProjectionDeltas deltas) {
        long b = ids.getShape().get(0);
        long t = ids.getShape().get(1);
        NDArray x = embed(ids, embedding);
        NDArray angles =
                positions.toType(DataType.FLOAT32, false).expandDims(-1).mul(inverseFrequencies);
        NDArray doubled = angles.concat(angles, -1); // (B|1, T, hd)
        NDArray cos = inModelType(doubled.cos().expandDims(1));
        NDArray sin = inModelType(doubled.sin().expandDims(1));
        // Scores of grouped attention are (B, kv, group, T, keys): a (B, 1, T, keys) bias needs one more axis.
        NDArray groupedBias = config.groupSize() > 1 && bias.getShape().dimension() == 4 ? bias.expandDims(1) : bias;
        for (int layer = 0; layer < blocks.length; layer++) {
            int l = layer;
            NDArray in = x;
            x = scoped(() -> block(l, blocks[l], in, b, t, cos, sin, groupedBias, cache, deltas));
        }
        if (cache != null) {
            cache.advance(t);
        }
        if (lastOnly) {
            x = x.get(":, -1, :"); // (B, hidden)
        }
        return rmsNorm(x, finalNorm);
    }

    private NDArray block(
            int layer,
            Block w,
            NDArray x,
            long b,
            long t,
            NDArray cos,
            NDArray sin,
            NDArray bias,
            KvCache cache,
            ProjectionDeltas deltas) {
        int hd = config.headDim();
        Fused fused = fused(layer);
        NDArray h = rmsNorm(x, w.inputNorm());
        NDArray q;
        NDArray k;
        NDArray v;
        long qWidth = (long) config.heads() * hd;
        long kvWidth = (long) config.kvHeads() * hd;
        if (fused != null) {
            NDArray qkv =
                    adapted(linear(h, fused.qkv(), fused.qkvBias()), deltas, layer, h, new int[] {Q, K, V}, new long[] {
                        qWidth, kvWidth, kvWidth
                    });
            NDList parts = qkv.split(new long[] {qWidth, qWidth + kvWidth}, 2);
            q = parts.get(0);
            k = parts.get(1);
            v = parts.get(2);
        } else {
            q = adapted(linear(h, w.qWeight(), w.qBias()), deltas, layer, Q, h);
            k = adapted(linear(h, w.kWeight(), w.kBias()), deltas, layer, K, h);
            v = adapted(linear(h, w.vWeight(), w.vBias()), deltas, layer, V, h);
        }
        q = q.reshape(b, t, config.heads(), hd);
        k = k.reshape(b, t, config.kvHeads(), hd);
        v = v.reshape(b, t, config.kvHeads(), hd).transpose(0, 2, 1, 3);
        if (config.qkNorm()) {
            q = rmsNorm(q, w.qNorm());
            k = rmsNorm(k, w.kNorm());
        }
        q = RotaryTables.apply(q.transpose(0, 2, 1, 3), cos, sin); // (B, heads, T, hd)
        k = RotaryTables.apply(k.transpose(0, 2, 1, 3), cos, sin); // (B, kv, T, hd)
        if (cache != null) {
            k = cache.appendKeys(layer, k);
            v = cache.appendValues(layer, v);
        }
        NDArray mixed = attention(q, k, v, bias, b, t);
        x = x.add(adapted(linear(mixed, w.oWeight(), null), deltas, layer, O, mixed));
        NDArray m = rmsNorm(x, w.postNorm());
        NDArray gate;
        NDArray up;
        if (fused != null) {
            long width = config.intermediateSize();
            NDList gateUp = adapted(
                            linear(m, fused.gateUp(), null), deltas, layer, m, new int[] {GATE, UP}, new long[] {
                                width, width
                            })
                    .split(2, 2);
            gate = gateUp.get(0);
            up = gateUp.get(1);
        } else {
            gate = adapted(linear(m, w.gate(), null), deltas, layer, GATE, m);
            up = adapted(linear(m, w.up(), null), deltas, layer, UP, m);
        }
        NDArray activated = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(up);
        return x.add(adapted(linear(activated, w.down(), null), deltas, layer, DOWN, activated));
    }

    /** {@code projected} plus what {@code deltas} add for projection {@code target} of its input {@code in}. */
    private static NDArray adapted(NDArray projected, ProjectionDeltas deltas, int layer, int target, NDArray in) {
        NDArray delta = deltas == null ? null : deltas.delta(layer, target, in);
        return delta == null ? projected : projected.add(delta);
    }

    /**
     * The output of fused projections ({@code targets}, of {@code widths}, side by side on the last
     * axis) plus what {@code deltas} add to each, added before the output is split: the parts keep
     * exactly the layout they have without adapters, so adapters that add zero change no bit of the
     * result (PyTorch's kernels may round differently on differently laid-out inputs).
     */
    private static NDArray adapted(
            NDArray projected, ProjectionDeltas deltas, int layer, NDArray in, int[] targets, long[] widths) {
        if (deltas == null) {
            return projected;
        }
        NDList parts = new NDList();
        boolean any = false;
        for (int i = 0; i < targets.length; i++) {
            NDArray delta = deltas.delta(layer, targets[i], in);
            any |= delta != null;
            Shape shape = projected.getShape();
            parts.add(
                    delta != null
                            ? delta
                            : projected.getManager().zeros(new Shape(shape.get(0), shape.get(1), widths[i])));
        }
        return any ? projected.add(NDArrays.concat(parts, 2)) : projected;
    }

    /**
     * softmax(q kᵀ / sqrt(hd) + bias) v for queries (B, heads, T, hd) and keys/values (B, kv, S, hd);
     * returns (B, T, heads · hd). Query head h uses key/value head h ÷ group, as transformers'
     * {@code repeat_kv} arranges them.
     */
    private NDArray attention(NDArray q, NDArray k, NDArray v, NDArray bias, long b, long t) {
        int hd = config.headDim();
        int heads = config.heads();
        int kv = config.kvHeads();
        int group = config.groupSize();
        long keys = k.getShape().get(2);
        NDArray scaled = q.mul(attentionScale);
        NDArray out;
        if (group == 1) {
            NDArray scores = attentionWeights(scaled.matMul(k.transpose(0, 1, 3, 2)), bias);
            out = scores.matMul(v);
        } else {
            NDArray grouped = scaled.reshape(b, kv, group * t, hd);
            NDArray scores = attentionWeights(
                            grouped.matMul(k.transpose(0, 1, 3, 2)).reshape(b, kv, group, t, keys), bias)
                    .reshape(b, kv, group * t, keys);
            out = scores.matMul(v).reshape(b, heads, t, hd);
        }
        return out.transpose(0, 2, 1, 3).reshape(b, t, (long) heads * hd);
    }

    /** x · rsqrt(mean(x²) + eps) · w over the last axis, normalised in float32 (then w in the model's type). */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray wide = x.toType(DataType.FLOAT32, false);
        NDArray variance = wide.square().mean(new int[] {-1}, true);
        return inModelType(wide.div(variance.add(config.rmsNormEps()).sqrt())).mul(weight);
    }
}
