package io.rollstream.checkpoint;

import ai.djl.Device;
import io.rollstream.device.Placement;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.DecoderModel;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.ModelSpec;
import io.rollstream.model.Models;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.core.fs.Path;

/**
 * The frozen base models of LoRA adapters, each loaded once and shared by every adapter on it (a
 * generator keeps a few policy versions, a learner its policy and its KL reference, all over one
 * base). A base is checked against the checksum the adapter recorded: a Hugging Face directory
 * that changed since the run started, or another checkpoint file, is refused.
 */
public final class BaseModels implements AutoCloseable {

    private final Placement placement;
    private final Map<Adapter.Base, DecoderModel> loaded = new LinkedHashMap<>();

    /** Float32 bases on {@code device} (a learner's). */
    public BaseModels(Device device) {
        this(Placement.float32(device));
    }

    /** Bases where and in the precision {@code placement} says (a generator's frozen copies). */
    public BaseModels(Placement placement) {
        this.placement = placement;
    }

    /** Where the bases (and the models built on them) live, and their precision. */
    public Placement placement() {
        return placement;
    }

    /** The device the bases (and the models built on them) live on. */
    public Device device() {
        return placement.device();
    }

    /** The base of {@code adapter}, whose maths {@code spec} describes, loaded on first use. */
    public synchronized DecoderModel get(Adapter.Base base, ModelSpec spec) throws IOException {
        DecoderModel model = loaded.get(base);
        if (model == null) {
            model = load(base, spec, placement);
            loaded.put(base, model);
        }
        return model;
    }

    /** Loads the base of an adapter (the caller owns the model). */
    static DecoderModel load(Adapter.Base base, ModelSpec spec, Placement placement) throws IOException {
        if (Adapter.Base.HUGGINGFACE.equals(base.source())) {
            java.nio.file.Path dir = java.nio.file.Path.of(base.path());
            if (!HfModelDirectory.fingerprint(dir).equals(base.sha256())) {
                throw new IOException("the base model " + dir + " changed since the adapters were made from it (its"
                        + " config and weights no longer have the checksum they recorded): restore that model, or"
                        + " start a new run from the model as it is now");
            }
            return HfModelDirectory.load(dir, (DecoderConfig) spec, placement);
        }
        Checkpoint checkpoint = baseCheckpoint(base);
        if (!checkpoint.model().equals(spec)) {
            throw new IOException("the base model " + base.path() + " is not the model the adapters were made for");
        }
        LanguageModel model = Models.create(checkpoint.model(), checkpoint.weights(), placement);
        if (!(model instanceof DecoderModel decoder)) {
            model.close();
            throw new IOException("the base model " + base.path() + " is not a Llama-family decoder: LoRA needs one");
        }
        return decoder;
    }

    /** The full checkpoint an adapter's {@code checkpoint} base names, verified against its recorded checksum. */
    public static Checkpoint baseCheckpoint(Adapter.Base base) throws IOException {
        Checkpoint checkpoint =
                CheckpointFormat.load(new Path(base.path()), base.sha256(), "the adapters' base reference");
        if (checkpoint.adapter() != null) {
            throw new IOException("the base model " + base.path() + " holds adapters itself, not a full model");
        }
        return checkpoint;
    }

    @Override
    public synchronized void close() {
        loaded.values().forEach(DecoderModel::close);
        loaded.clear();
    }
}
