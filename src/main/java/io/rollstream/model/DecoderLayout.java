package io.rollstream.model;

import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Names, shapes and initial values of a {@link DecoderModel}'s parameters, named exactly as in a
 * Hugging Face checkpoint ({@code model.layers.3.self_attn.q_proj.weight}, ...), so weights load
 * and export without renaming. Linear weights are (out, in) and are applied as {@code x Wᵀ}.
 */
public final class DecoderLayout {

    public static final String EMBEDDING = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String OUTPUT_HEAD = "lm_head.weight";

    private DecoderLayout() {}

    /** Prefix of block {@code layer}'s parameters. */
    public static String layer(int layer) {
        return "model.layers." + layer + ".";
    }

    /** Every parameter's name and shape, in storage order. */
    public static Map<String, Shape> shapes(DecoderConfig c) {
        long h = c.hiddenSize();
        long q = (long) c.heads() * c.headDim();
        long kv = (long) c.kvHeads() * c.headDim();
        Map<String, Shape> s = new LinkedHashMap<>();
        s.put(EMBEDDING, new Shape(c.vocabSize(), h));
        for (int i = 0; i < c.layers(); i++) {
            String n = layer(i);
            s.put(n + "input_layernorm.weight", new Shape(h));
            projection(s, n + "self_attn.q_proj", q, h, c.qkvBias());
            projection(s, n + "self_attn.k_proj", kv, h, c.qkvBias());
            projection(s, n + "self_attn.v_proj", kv, h, c.qkvBias());
            projection(s, n + "self_attn.o_proj", h, q, false);
            if (c.qkNorm()) {
                s.put(n + "self_attn.q_norm.weight", new Shape(c.headDim()));
                s.put(n + "self_attn.k_norm.weight", new Shape(c.headDim()));
            }
            s.put(n + "post_attention_layernorm.weight", new Shape(h));
            projection(s, n + "mlp.gate_proj", c.intermediateSize(), h, false);
            projection(s, n + "mlp.up_proj", c.intermediateSize(), h, false);
            projection(s, n + "mlp.down_proj", h, c.intermediateSize(), false);
        }
        s.put(FINAL_NORM, new Shape(h));
        if (!c.tieWordEmbeddings()) {
            s.put(OUTPUT_HEAD, new Shape(c.vocabSize(), h));
        }
        return s;
    }

    /**
     * Random weights drawn from {@code random} in storage order ({@link InitialWeights}: the
     * residual projections are {@code o_proj} and {@code down_proj}).
     */
    public static Map<String, float[]> initialWeights(DecoderConfig c, SplittableRandom random) {
        return InitialWeights.draw(
                shapes(c),
                c.layers(),
                random,
                name -> name.endsWith("norm.weight"),
                name -> name.endsWith(".bias"),
                name -> name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight"));
    }

    private static void projection(Map<String, Shape> s, String name, long out, long in, boolean bias) {
        s.put(name + ".weight", new Shape(out, in));
        if (bias) {
            s.put(name + ".bias", new Shape(out));
        }
    }
}
