package io.rollstream.huggingface;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollstream.model.TensorSource;
import io.rollstream.safetensors.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The weights of a Hugging Face model directory — {@code model.safetensors}, or the shards a {@code
 * model.safetensors.index.json} maps each tensor to — offered tensor by tensor as float32. Every file's
 * header is validated when opened; shard names must be plain file names inside the directory, and
 * every tensor the index maps must be in its shard.
 */
public final class HfWeights implements TensorSource, AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path dir;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> fileByTensor;

    private HfWeights(Path dir, List<SafetensorsFile> files, Map<String, SafetensorsFile> fileByTensor) {
        this.dir = dir;
        this.files = files;
        this.fileByTensor = fileByTensor;
    }

    /** Opens the weights of {@code dir}: its single file, else its index and shards. */
    public static HfWeights open(Path dir) throws IOException {
        Path single = dir.resolve(SINGLE_FILE);
        Path index = dir.resolve(INDEX_FILE);
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        try {
            if (Files.isRegularFile(single)) {
                SafetensorsFile f = SafetensorsFile.open(single);
                files.add(f);
                f.tensors().keySet().forEach(name -> byTensor.put(name, f));
            } else if (Files.isRegularFile(index)) {
                openShards(dir, index, files, byTensor);
            } else {
                throw new IOException(dir + " has neither " + SINGLE_FILE + " nor " + INDEX_FILE + " (only safetensors"
                        + " weights are read: convert a pytorch_model.bin with transformers' save_pretrained)");
            }
            return new HfWeights(dir, files, Collections.unmodifiableMap(byTensor));
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile f : files) {
                f.close();
            }
            throw e;
        }
    }

    private static void openShards(
            Path dir, Path index, List<SafetensorsFile> files, Map<String, SafetensorsFile> byTensor)
            throws IOException {
        JsonNode map = new ObjectMapper().readTree(Files.readString(index)).path("weight_map");
        if (!map.isObject() || map.isEmpty()) {
            throw new IOException(index + " has no weight_map object");
        }
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String shard = e.getValue().asText("");
            if (!e.getValue().isTextual()
                    || shard.isEmpty()
                    || shard.contains("/")
                    || shard.contains("\\")
                    || shard.startsWith(".")) {
                throw new IOException(index + " maps " + e.getKey() + " to " + e.getValue()
                        + ", which is not a file name inside " + dir);
            }
            SafetensorsFile file = byName.get(shard);
            if (file == null) {
                file = SafetensorsFile.open(dir.resolve(shard));
                files.add(file);
                byName.put(shard, file);
            }
            if (!file.tensors().containsKey(e.getKey())) {
                throw new IOException(index + " maps " + e.getKey() + " to " + shard + ", which has no such tensor");
            }
            byTensor.put(e.getKey(), file);
        }
    }

    @Override
    public Set<String> names() {
        return fileByTensor.keySet();
    }

    @Override
    public NDArray read(String name, Shape shape, NDManager manager) {
        SafetensorsFile file = fileByTensor.get(name);
        if (file == null) {
            throw new IllegalArgumentException(dir + " has no tensor " + name);
        }
        Shape stored = new Shape(file.tensors().get(name).shape());
        if (!stored.equals(shape)) {
            throw new IllegalArgumentException(
                    file.path() + ": tensor " + name + " has shape " + stored + ", but config.json implies " + shape);
        }
        try {
            return file.readFloat32(name, manager);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    @Override
    public float[] floats(String name) {
        SafetensorsFile file = fileByTensor.get(name);
        if (file == null) {
            throw new IllegalArgumentException(dir + " has no tensor " + name);
        }
        try {
            return file.readFloats(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        for (SafetensorsFile f : files) {
            f.close();
        }
    }
}
