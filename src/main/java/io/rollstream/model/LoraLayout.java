package io.rollstream.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Names, shapes and initial values of a decoder's LoRA adapters. Names are PEFT's without its
 * {@code base_model.model.} prefix ({@code model.layers.3.self_attn.q_proj.lora_A.weight}: A is
 * (rank, in), B is (out, rank)), layer by layer in {@link LoraConfig#TARGETS} order.
 */
public final class LoraLayout {

    private LoraLayout() {}

    /** Prefix of the adapter of {@code target} in block {@code layer}. */
    public static String prefix(int layer, String target) {
        return DecoderLayout.layer(layer) + LoraConfig.module(target) + ".";
    }

    public static String a(int layer, String target) {
        return prefix(layer, target) + "lora_A.weight";
    }

    public static String b(int layer, String target) {
        return prefix(layer, target) + "lora_B.weight";
    }

    /** Every adapter tensor's name and shape, in storage order. */
    public static Map<String, Shape> shapes(DecoderConfig decoder, LoraConfig lora) {
        Map<String, Shape> base = DecoderLayout.shapes(decoder);
        Map<String, Shape> s = new LinkedHashMap<>();
        for (int i = 0; i < decoder.layers(); i++) {
            for (String target : lora.targets()) {
                Shape w = base.get(DecoderLayout.layer(i) + LoraConfig.module(target) + ".weight");
                s.put(a(i, target), new Shape(lora.rank(), w.get(1)));
                s.put(b(i, target), new Shape(w.get(0), lora.rank()));
            }
        }
        return s;
    }

    /**
     * Fresh adapters as PEFT makes them: A uniform in ±1/sqrt(in) (PyTorch's Kaiming-uniform with
     * a = sqrt(5), PEFT's default), B zero — drawn from {@code random} in storage order.
     */
    public static Map<String, float[]> initialWeights(DecoderConfig decoder, LoraConfig lora, SplittableRandom random) {
        Map<String, float[]> out = new LinkedHashMap<>();
        shapes(decoder, lora).forEach((name, shape) -> {
            float[] values = new float[Math.toIntExact(shape.size())];
            if (name.endsWith("lora_A.weight")) {
                double bound = 1.0 / Math.sqrt(shape.get(1));
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
                }
            }
            out.put(name, values);
        });
        return out;
    }

    /**
     * {@code weight + (alpha / rank) · B A}: a targeted projection's weight with its adapter merged
     * in (float32, PyTorch's matrix product on the CPU).
     *
     * @param weight (out, in) row-major
     * @param a (rank, in)
     * @param b (out, rank)
     */
    public static float[] merge(float[] weight, Shape shape, float[] a, float[] b, LoraConfig lora) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray product = m.create(b, new Shape(shape.get(0), lora.rank()))
                    .matMul(m.create(a, new Shape(lora.rank(), shape.get(1))));
            return product.mul(m.create((float) lora.scale()))
                    .add(m.create(weight, shape))
                    .toFloatArray();
        }
    }
}
