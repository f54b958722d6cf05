package io.rollstream.huggingface;

import ai.djl.Device;

import io.rollstream.device.Placement;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.DecoderLayout;
import io.rollstream.model.DecoderModel;
import io.rollstream.tokenizer.TokenizerSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Hugging Face causal LM directory as {@code huggingface-cli download} leaves it: {@code
 * config.json}, {@code model.safetensors} (or an index and shards), {@code tokenizer.json} and its
 * companions. Loads the model tensor by tensor, refusing a directory whose tensors are not exactly
 * the ones its config implies (a missing tensor, or one this decoder would not use, means a variant
 * it does not implement).
 */
public final class HfModelDirectory {

    public static final String CONFIG_FILE = "config.json";
    public static final String TOKENIZER_FILE = "tokenizer.json";

    private HfModelDirectory() {}

    /** Whether {@code path} looks like a Hugging Face model directory (it has a config.json). */
    public static boolean isModelDirectory(Path path) {
        return Files.isDirectory(path) && Files.isRegularFile(path.resolve(CONFIG_FILE));
    }

    /**
     * The tokenizer that comes with the model in {@code dir}: its tokenizer.json with the special
     * tokens, stop ids and chat template of its configs ({@link TokenizerSpec#huggingFaceModel}).
     */
    public static TokenizerSpec tokenizer(Path dir) {
        return TokenizerSpec.huggingFaceModel(dir.toAbsolutePath().normalize().toString());
    }

    /** The directory's config.json, read and checked. */
    public static HfConfig config(Path dir) throws IOException {
        return HfConfigReader.read(dir);
    }

    /** The model of {@code dir} on {@code device}, its weights widened to float32. */
    public static DecoderModel load(Path dir, Device device) throws IOException {
        return load(dir, config(dir).decoder(), Placement.float32(device));
    }

    /**
     * The model of {@code dir} with its config already read, in the placement's precision (weights are
     * widened to float32 as they are read, then converted tensor by tensor).
     */
    public static DecoderModel load(Path dir, DecoderConfig config, Placement placement) throws IOException {
        try (HfWeights weights = HfWeights.open(dir)) {
            Set<String> expected = DecoderLayout.shapes(config).keySet();
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(weights.names());
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(dir + " lacks tensors that a " + config.architecture()
                        + " with its config.json needs: " + abbreviate(missing));
            }
            Set<String> unused = new TreeSet<>(weights.names());
            unused.removeAll(expected);
            unused.removeIf(name -> isIgnorable(name, config));
            if (!unused.isEmpty()) {
                throw new IllegalArgumentException(dir + " has tensors this " + config.architecture()
                        + " decoder does not use (a variant it does not implement?): " + abbreviate(unused));
            }
            return DecoderModel.create(config, config, weights, placement);
        }
    }

    /**
     * Tensors transformers ignores too: rotary inverse frequencies some checkpoints store as buffers
     * (they are recomputed from rope_theta), and a stored output head when the embeddings are tied
     * (tying makes the head the embedding).
     */
    private static boolean isIgnorable(String name, DecoderConfig config) {
        return name.endsWith("rotary_emb.inv_freq")
                || (config.tieWordEmbeddings() && name.equals(DecoderLayout.OUTPUT_HEAD));
    }

    private static String abbreviate(Set<String> names) {
        return names.size() <= 8 ? names.toString()
                : names.stream().limit(8).toList() + " and " + (names.size() - 8) + " more";
    }
}
