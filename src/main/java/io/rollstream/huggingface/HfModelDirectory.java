package io.rollstream.huggingface;

import ai.djl.Device;
import io.rollstream.device.Placement;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.DecoderLayout;
import io.rollstream.model.DecoderModel;
import io.rollstream.tokenizer.TokenizerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

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

    /** Fingerprints computed in this JVM, by directory, with the sizes and times of the files they covered. */
    private static final Map<Path, String[]> FINGERPRINTS = new ConcurrentHashMap<>();

    /**
     * A checksum of the model in {@code dir}: SHA-256 over the name, size and content of its {@code
     * config.json}, weight index and safetensors files, in name order. LoRA adapters record it for
     * their base, so a directory changed since the run started is found. Computed once per JVM for
     * files of the same sizes and modification times (it reads every weight).
     */
    public static String fingerprint(Path dir) throws IOException {
        Path key = dir.toAbsolutePath().normalize();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(key)) {
            list.filter(f -> {
                        String name = f.getFileName().toString();
                        return name.equals(CONFIG_FILE)
                                || name.equals(HfWeights.INDEX_FILE)
                                || name.endsWith(".safetensors");
                    })
                    .sorted()
                    .forEach(files::add);
        }
        StringBuilder stamp = new StringBuilder();
        for (Path f : files) {
            stamp.append(f.getFileName())
                    .append(' ')
                    .append(Files.size(f))
                    .append(' ')
                    .append(Files.getLastModifiedTime(f).toMillis())
                    .append('\n');
        }
        String[] cached = FINGERPRINTS.get(key);
        if (cached != null && cached[0].equals(stamp.toString())) {
            return cached[1];
        }
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 20];
        for (Path f : files) {
            digest.update((f.getFileName() + "\n" + Files.size(f) + "\n").getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(f)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            }
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        FINGERPRINTS.put(key, new String[] {stamp.toString(), sha});
        return sha;
    }

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
        return names.size() <= 8
                ? names.toString()
                : names.stream().limit(8).toList() + " and " + (names.size() - 8) + " more";
    }
}
