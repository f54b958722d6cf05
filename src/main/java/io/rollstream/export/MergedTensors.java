package io.rollstream.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.DecoderLayout;
import io.rollstream.model.LoraConfig;
import io.rollstream.model.LoraLayout;
import io.rollstream.model.TensorSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A base model's weights with LoRA adapters merged into every targeted projection ({@link
 * LoraLayout#merge}), computed one tensor at a time when read; other tensors are the base's.
 */
final class MergedTensors implements TensorSource {

    private final TensorSource base;
    private final TensorSource adapters;
    private final LoraConfig lora;
    private final Map<String, Shape> shapes;
    /** Targeted weight → its adapter's A and B names. */
    private final Map<String, String[]> adapted = new LinkedHashMap<>();

    MergedTensors(TensorSource base, TensorSource adapters, DecoderConfig decoder, LoraConfig lora) {
        this.base = base;
        this.adapters = adapters;
        this.lora = lora;
        this.shapes = decoder.parameterShapes();
        for (int layer = 0; layer < decoder.layers(); layer++) {
            for (String target : lora.targets()) {
                adapted.put(
                        DecoderLayout.layer(layer) + LoraConfig.module(target) + ".weight",
                        new String[] {LoraLayout.a(layer, target), LoraLayout.b(layer, target)});
            }
        }
    }

    @Override
    public Set<String> names() {
        return shapes.keySet();
    }

    @Override
    public NDArray read(String name, Shape shape, NDManager manager) {
        return TensorSource.of(Map.of(name, floats(name))).read(name, shape, manager);
    }

    @Override
    public float[] floats(String name) {
        String[] ab = adapted.get(name);
        float[] weight = base.floats(name);
        return ab == null
                ? weight
                : LoraLayout.merge(weight, shapes.get(name), adapters.floats(ab[0]), adapters.floats(ab[1]), lora);
    }
}
