package io.rollstream.model;

import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Names, shapes and initial values of a {@link GptModel}'s parameters. The order of the map is the
 * order in which checkpoints store them and in which initial values are drawn.
 */
public final class ParameterLayout {

    /** The token embedding (also the output head) and the learned position embedding. */
    public static final String TOKEN_EMBEDDING = "wte", POSITION_EMBEDDING = "wpe";

    private ParameterLayout() {}

    /** Every parameter's name and shape, in storage order. Linear weights are (out, in). */
    public static Map<String, Shape> shapes(ModelConfig c) {
        int d = c.dModel();
        Map<String, Shape> s = new LinkedHashMap<>();
        s.put(TOKEN_EMBEDDING, new Shape(c.vocabSize(), d));
        if (c.positions() == ModelConfig.Positions.LEARNED) {
            s.put(POSITION_EMBEDDING, new Shape(c.contextLength(), d));
        }
        for (int i = 0; i < c.layers(); i++) {
            String n = "h" + i + ".";
            s.put(n + "ln1.g", new Shape(d));
            s.put(n + "ln1.b", new Shape(d));
            s.put(n + "attn.qkv.w", new Shape(3L * d, d));
            s.put(n + "attn.qkv.b", new Shape(3L * d));
            s.put(n + "attn.out.w", new Shape(d, d));
            s.put(n + "attn.out.b", new Shape(d));
            s.put(n + "ln2.g", new Shape(d));
            s.put(n + "ln2.b", new Shape(d));
            s.put(n + "mlp.in.w", new Shape(c.mlpWidth(), d));
            s.put(n + "mlp.in.b", new Shape(c.mlpWidth()));
            s.put(n + "mlp.out.w", new Shape(d, c.mlpWidth()));
            s.put(n + "mlp.out.b", new Shape(d));
        }
        s.put("lnf.g", new Shape(d));
        s.put("lnf.b", new Shape(d));
        return s;
    }

    /** GPT-2 initialisation drawn from {@code random} in storage order. */
    static Map<String, float[]> initialWeights(ModelConfig c, SplittableRandom random) {
        return InitialWeights.draw(
                shapes(c),
                c.layers(),
                random,
                name -> name.endsWith(".g"),
                name -> name.endsWith(".b"),
                name -> name.endsWith("attn.out.w") || name.endsWith("mlp.out.w"));
    }
}
