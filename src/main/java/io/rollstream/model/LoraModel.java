package io.rollstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.rollstream.device.Placement;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A Llama-family {@link DecoderModel} with LoRA adapters ({@link LoraConfig}): every targeted
 * projection computes {@code W x + (alpha / rank) · B A x}. The base stays frozen (its fused
 * projections serve training and generation alike); this model's {@link #parameters()} are the
 * adapters alone, so the trainer, its optimizer, checkpoints and published policy versions hold
 * only them. Dropout on the adapters' input applies while they are trainable (training) only.
 *
 * <p>The adapters are applied beside the base, never merged into it, so a zero B gives exactly the
 * base model's outputs, and one base can serve several adapters (the generators keep a few policy
 * versions over one base: {@code ownsBase} false).
 *
 * <p>The adapters take the base's precision: over a float16 base (a generator's frozen copy on a
 * GPU) they are float16 too and cannot train, as the base cannot.
 *
 * <p>Invariant (DJL's scalar autograd bug): the scale {@code alpha / rank} is an array this model
 * owns and keeps alive, never a scalar {@code mul(Number)}.
 */
public final class LoraModel extends ParameterizedModel implements DecoderModel.ProjectionDeltas {

    private final DecoderModel base;
    private final boolean ownsBase;
    private final LoraConfig lora;
    /** Per layer and per {@link LoraConfig#TARGETS} index: {A, B}, or null for a projection not adapted. */
    private final NDArray[][][] adapters;

    private final NDArray scale;

    private LoraModel(DecoderModel base, boolean ownsBase, LoraConfig lora, Parameters parameters) {
        super(parameters);
        this.base = base;
        this.ownsBase = ownsBase;
        this.lora = lora;
        DecoderConfig config = base.decoderConfig();
        this.adapters = new NDArray[config.layers()][LoraConfig.TARGETS.size()][];
        for (int layer = 0; layer < config.layers(); layer++) {
            for (String target : lora.targets()) {
                adapters[layer][LoraConfig.TARGETS.indexOf(target)] =
                        new NDArray[] {p(LoraLayout.a(layer, target)), p(LoraLayout.b(layer, target))};
            }
        }
        this.scale = inModelType(manager().create((float) lora.scale()));
        base.setTrainable(false);
    }

    /**
     * Adapters read from {@code source} (every name of {@link LoraLayout#shapes}) on {@code base}.
     *
     * @param ownsBase whether closing this model closes the base too
     */
    public static LoraModel create(DecoderModel base, boolean ownsBase, LoraConfig lora, TensorSource source) {
        Map<String, Shape> shapes = LoraLayout.shapes(base.decoderConfig(), lora);
        return new LoraModel(
                base, ownsBase, lora, load(shapes, source, new Placement(base.device(), base.precision())));
    }

    /** Fresh adapters ({@link LoraLayout#initialWeights}: B zero), deterministic in {@code seed}. */
    public static LoraModel initialize(DecoderModel base, boolean ownsBase, LoraConfig lora, long seed) {
        return create(
                base,
                ownsBase,
                lora,
                TensorSource.of(LoraLayout.initialWeights(base.decoderConfig(), lora, new SplittableRandom(seed))));
    }

    @Override
    public ModelSpec spec() {
        return base.spec();
    }

    public LoraConfig lora() {
        return lora;
    }

    /** The frozen model the adapters adapt. */
    public DecoderModel base() {
        return base;
    }

    @Override
    public NDArray hidden(NDArray ids, NDArray positions, NDArray bias, KvCache cache, boolean lastOnly) {
        return base.hidden(ids, positions, bias, cache, lastOnly, this);
    }

    @Override
    public NDArray outputMatrix() {
        return base.outputMatrix();
    }

    /** The base's output head (never adapted). */
    @Override
    public NDArray head(NDArray hidden) {
        return base.head(hidden);
    }

    /** {@code (alpha / rank) · B A dropout(x)} for a targeted projection, null for one not adapted. */
    @Override
    public NDArray delta(int layer, int target, NDArray x) {
        NDArray[] ab = adapters[layer][target];
        if (ab == null) {
            return null;
        }
        NDArray in = x;
        if (lora.dropout() > 0 && ab[0].hasGradient()) {
            in = x.getNDArrayInternal().dropout(x, (float) lora.dropout(), true).singletonOrThrow();
        }
        return linear(linear(in, ab[0], null), ab[1], null).mul(scale);
    }

    @Override
    public void close() {
        super.close();
        if (ownsBase) {
            base.close();
        }
    }
}
