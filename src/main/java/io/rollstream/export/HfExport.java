package io.rollstream.export;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollstream.checkpoint.Adapter;
import io.rollstream.checkpoint.BaseModels;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.huggingface.HfConfig;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.huggingface.HfModelWriter;
import io.rollstream.huggingface.HfWeights;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.LoraConfig;
import io.rollstream.model.LoraLayout;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ModelSpec;
import io.rollstream.model.Models;
import io.rollstream.model.TensorSource;
import io.rollstream.safetensors.SafetensorsDtype;
import io.rollstream.safetensors.SafetensorsWriter;
import io.rollstream.tokenizer.Tokenizer;
import io.rollstream.tokenizer.TokenizerSpec;
import io.rollstream.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Writes a policy as transformers and vLLM load it ({@code rollstream export}):
 *
 * <ul>
 *   <li>{@link #model}: a Hugging Face model directory — {@code config.json} (the original model's,
 *       every key kept, when the policy came from a Hugging Face directory that is still there and
 *       unchanged in its maths; else written for the architecture, a builtin {@code llama} as {@code
 *       LlamaForCausalLM}), the weights as {@code model.safetensors} or, above {@code maxShardBytes},
 *       shards {@code model-0000i-of-0000n.safetensors} with {@code model.safetensors.index.json}
 *       (transformers' layout, 5 GB by default), {@code generation_config.json} and the tokenizer
 *       files (copied; a char tokenizer written as an equivalent {@link CharTokenizerJson}). LoRA
 *       adapters are merged into their base ({@link LoraLayout#merge}).
 *   <li>{@link #adapter}: LoRA adapters as PEFT saves them — {@code adapter_config.json} and {@code
 *       adapter_model.safetensors} with PEFT's tensor names ({@code
 *       base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight}); a base that is a Rollstream
 *       checkpoint is exported beside them ({@code base-model/}) and named as the base.
 * </ul>
 *
 * Tensors are written one at a time. F32 keeps every bit, so loading the export gives the very
 * log-probabilities of the policy (for merged adapters: of the merged weights); BF16 halves the files.
 * The output directory must not exist or be empty.
 */
public final class HfExport {

    /** transformers' default {@code max_shard_size} ("5GB"). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    /** PEFT's file names and the prefix its LoRA tensor names carry. */
    public static final String ADAPTER_CONFIG = "adapter_config.json";

    public static final String ADAPTER_WEIGHTS = "adapter_model.safetensors";
    public static final String PEFT_PREFIX = "base_model.model.";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param dtype {@link SafetensorsDtype#F32} (exact) or {@link SafetensorsDtype#BF16}
     * @param maxShardBytes weights above this size are split into shards
     */
    public record Settings(SafetensorsDtype dtype, long maxShardBytes) {

        public static final Settings DEFAULTS = new Settings(SafetensorsDtype.F32, DEFAULT_MAX_SHARD_BYTES);

        public Settings {
            if (dtype != SafetensorsDtype.F32 && dtype != SafetensorsDtype.BF16) {
                throw new IllegalArgumentException("exports are written as F32 or BF16, not " + dtype);
            }
            if (maxShardBytes < 1) {
                throw new IllegalArgumentException("the largest shard must be at least 1 byte, got " + maxShardBytes);
            }
        }
    }

    private HfExport() {}

    /**
     * Writes {@code policy} (adapters merged into their base) as a Hugging Face model directory.
     *
     * @return a one-line description of what was written
     */
    public static String model(Checkpoint policy, Path out, Settings options) throws IOException {
        DecoderConfig decoder = decoder(policy.model());
        requireEmpty(out);
        Files.createDirectories(out);
        Optional<Path> origin = origin(policy, decoder);
        List<String> files;
        try (Weights weights = Weights.of(policy, decoder)) {
            files = writeWeights(out, decoder.parameterShapes(), weights.source(), options);
        }
        SpecialIds ids = SpecialIds.of(policy.tokenizer());
        ObjectNode config = origin.isPresent()
                ? originalConfig(origin.get())
                : HfModelWriter.configJson(decoder, options.dtype(), ids.bos(), ids.eos());
        config.put("torch_dtype", options.dtype() == SafetensorsDtype.BF16 ? "bfloat16" : "float32");
        HfModelWriter.writeJson(out.resolve(HfModelDirectory.CONFIG_FILE), config);
        Path generation = origin.map(dir -> dir.resolve(HfModelWriter.GENERATION_CONFIG_FILE))
                .orElse(null);
        if (generation != null && Files.isRegularFile(generation)) {
            Files.copy(generation, out.resolve(HfModelWriter.GENERATION_CONFIG_FILE));
        } else {
            HfModelWriter.writeJson(
                    out.resolve(HfModelWriter.GENERATION_CONFIG_FILE),
                    HfModelWriter.generationConfig(ids.bos(), ids.eos()));
        }
        writeTokenizer(out, policy.tokenizer(), decoder.contextLength());
        return String.format(
                "%s: %s, %s%s, %d weight file(s)%s",
                out,
                decoder.architecture(),
                decoder.describe(),
                policy.adapter() != null ? ", LoRA merged" : "",
                files.size(),
                origin.map(dir -> ", config.json of " + dir).orElse(""));
    }

    /**
     * Writes the LoRA adapters of {@code policy} as a PEFT adapter directory.
     *
     * @return a one-line description of what was written
     */
    public static String adapter(Checkpoint policy, Path out, Settings options) throws IOException {
        Adapter adapter = policy.adapter();
        if (adapter == null) {
            throw new IllegalArgumentException("--adapter needs a policy of LoRA adapters (a run with model.lora);"
                    + " this one is a full model: export it without --adapter");
        }
        requireEmpty(out);
        Files.createDirectories(out);
        String base = adapter.base().path();
        if (Adapter.Base.CHECKPOINT.equals(adapter.base().source())) {
            Path baseDir = out.resolve("base-model").toAbsolutePath();
            model(BaseModels.baseCheckpoint(adapter.base()), baseDir, options);
            base = baseDir.toString();
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        policy.tensorShapes().forEach((name, shape) -> shapes.put(PEFT_PREFIX + name, shape.getShape()));
        SafetensorsWriter.write(
                out.resolve(ADAPTER_WEIGHTS),
                shapes,
                name -> policy.weights().floats(name.substring(PEFT_PREFIX.length())),
                options.dtype(),
                Map.of("format", "pt"));
        HfModelWriter.writeJson(out.resolve(ADAPTER_CONFIG), adapterConfig(adapter.lora(), base));
        return String.format(
                "%s: PEFT LoRA adapter, rank %d, alpha %s, targets %s, base %s",
                out,
                adapter.lora().rank(),
                adapter.lora().alpha(),
                adapter.lora().targets(),
                base);
    }

    /** PEFT's {@code adapter_config.json} for {@code lora} on the model at {@code base}. */
    static ObjectNode adapterConfig(LoraConfig lora, String base) {
        ObjectNode c = JSON.createObjectNode();
        c.putObject("alpha_pattern");
        c.putNull("auto_mapping");
        c.put("base_model_name_or_path", base);
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        c.putNull("layers_pattern");
        c.putNull("layers_to_transform");
        c.put("lora_alpha", lora.alpha());
        c.put("lora_dropout", lora.dropout());
        c.putNull("modules_to_save");
        c.put("peft_type", "LORA");
        c.put("r", lora.rank());
        c.putObject("rank_pattern");
        c.putNull("revision");
        lora.targets().forEach(c.putArray("target_modules")::add);
        c.put("task_type", "CAUSAL_LM");
        c.put("use_dora", false);
        c.put("use_rslora", false);
        return c;
    }

    /** The policy's decoder; the builtin gpt has no Hugging Face architecture. */
    private static DecoderConfig decoder(ModelSpec model) {
        if (model instanceof ModelConfig builtin && builtin.architecture() != ModelConfig.Architecture.LLAMA) {
            throw new IllegalArgumentException(
                    "the policy is a builtin " + builtin.architecture().name().toLowerCase(Locale.ROOT)
                            + " model, which has no Hugging Face architecture: only"
                            + " Llama-family models export (model.architecture: llama, or a Hugging Face model)");
        }
        return Models.decoder(model);
    }

    /** The directory must not exist, or be empty: an export never mixes with other files. */
    static void requireEmpty(Path out) throws IOException {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file: give a new or empty directory");
        }
        try (Stream<Path> entries = Files.list(out)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException("--out " + out + " is not empty: give a new or empty directory (an"
                        + " export never overwrites or mixes with other files)");
            }
        }
    }

    /**
     * The Hugging Face directory the policy came from — its adapters' base, or the {@code model.path}
     * a full-training run recorded — if it is still there with the same maths in its config.json.
     */
    static Optional<Path> origin(Checkpoint policy, DecoderConfig decoder) {
        List<String> candidates = new ArrayList<>();
        if (policy.adapter() != null
                && Adapter.Base.HUGGINGFACE.equals(policy.adapter().base().source())) {
            candidates.add(policy.adapter().base().path());
        }
        String origin = policy.metadata().getOrDefault("origin", "");
        if (origin.startsWith("huggingface ")) {
            candidates.add(origin.substring("huggingface ".length()));
        }
        for (String candidate : candidates) {
            Path dir = Path.of(candidate);
            try {
                if (HfModelDirectory.isModelDirectory(dir)) {
                    HfConfig config = HfModelDirectory.config(dir);
                    if (config.decoder().equals(decoder)) {
                        return Optional.of(dir);
                    }
                }
            } catch (IOException | RuntimeException unreadable) {
                // not the origin any more: the config is written from the policy's own spec
            }
        }
        return Optional.empty();
    }

    private static ObjectNode originalConfig(Path dir) throws IOException {
        JsonNode root = JSON.readTree(Files.readString(dir.resolve(HfModelDirectory.CONFIG_FILE)));
        return (ObjectNode) root;
    }

    /**
     * Writes the weights in order, one file while they fit {@code maxShardBytes} (a tensor larger
     * than that gets a shard of its own), with transformers' index when there are several.
     *
     * @return the weight files written
     */
    static List<String> writeWeights(Path out, Map<String, Shape> shapes, TensorSource source, Settings options)
            throws IOException {
        List<Map<String, long[]>> shards = new ArrayList<>();
        Map<String, long[]> current = new LinkedHashMap<>();
        long currentBytes = 0;
        long total = 0;
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            long bytes = e.getValue().size() * options.dtype().bytes();
            if (!current.isEmpty() && currentBytes + bytes > options.maxShardBytes()) {
                shards.add(current);
                current = new LinkedHashMap<>();
                currentBytes = 0;
            }
            current.put(e.getKey(), e.getValue().getShape());
            currentBytes += bytes;
            total += bytes;
        }
        shards.add(current);
        List<String> files = new ArrayList<>();
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode weightMap = index.putObject("weight_map");
        for (int i = 0; i < shards.size(); i++) {
            String file = shards.size() == 1
                    ? HfWeights.SINGLE_FILE
                    : String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            SafetensorsWriter.write(
                    out.resolve(file), shards.get(i), source::floats, options.dtype(), Map.of("format", "pt"));
            shards.get(i).keySet().forEach(name -> weightMap.put(name, file));
            files.add(file);
        }
        if (shards.size() > 1) {
            HfModelWriter.writeJson(out.resolve(HfWeights.INDEX_FILE), index);
        }
        return files;
    }

    /** Copies (or, for a char tokenizer, writes) the policy's tokenizer files. */
    private static void writeTokenizer(Path out, TokenizerSpec spec, int contextLength) throws IOException {
        switch (spec.type()) {
            case TokenizerSpec.CHAR -> CharTokenizerJson.write(out, spec.alphabet(), contextLength);
            case TokenizerSpec.HUGGING_FACE ->
                Files.copy(
                        Path.of(spec.path()),
                        out.resolve(HfModelDirectory.TOKENIZER_FILE),
                        StandardCopyOption.COPY_ATTRIBUTES);
            case TokenizerSpec.HUGGING_FACE_MODEL -> {
                Path dir = Path.of(spec.path());
                List<String> names = new ArrayList<>(HfModelWriter.TOKENIZER_FILES);
                names.add("chat_template.jinja");
                for (String name : names) {
                    if (Files.isRegularFile(dir.resolve(name))) {
                        Files.copy(dir.resolve(name), out.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
            default -> throw new IllegalArgumentException("tokenizer type " + spec.type() + " cannot be exported");
        }
    }

    /** The BOS and stop ids the configs name. */
    private record SpecialIds(Integer bos, List<Integer> eos) {

        static SpecialIds of(TokenizerSpec spec) {
            Tokenizer tokenizer;
            try {
                tokenizer = Tokenizers.create(spec);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "the policy's tokenizer (" + spec.type() + " "
                                + (spec.path() != null ? spec.path() : "")
                                + ") cannot be loaded, so its files cannot be"
                                + " exported: " + e.getMessage(),
                        e);
            }
            List<Integer> eos = new ArrayList<>(List.of(tokenizer.eosId()));
            tokenizer.stopIds().stream()
                    .sorted()
                    .filter(id -> !eos.contains(id))
                    .forEach(eos::add);
            return new SpecialIds(tokenizer.bosId(), eos);
        }
    }

    /** The weights to export: the policy's own, or its base with its adapters merged. */
    private record Weights(TensorSource source, HfWeights resource) implements AutoCloseable {

        static Weights of(Checkpoint policy, DecoderConfig decoder) throws IOException {
            Adapter adapter = policy.adapter();
            if (adapter == null) {
                return new Weights(policy.weights(), null);
            }
            TensorSource base;
            HfWeights resource = null;
            if (Adapter.Base.HUGGINGFACE.equals(adapter.base().source())) {
                Path dir = Path.of(adapter.base().path());
                if (!HfModelDirectory.fingerprint(dir).equals(adapter.base().sha256())) {
                    throw new IOException("the base model " + dir + " changed since the adapters were made from it:"
                            + " restore it to export the merged model, or export the adapters alone (--adapter)");
                }
                resource = HfWeights.open(dir);
                base = resource;
            } else {
                base = BaseModels.baseCheckpoint(adapter.base()).weights();
            }
            return new Weights(new MergedTensors(base, policy.weights(), decoder, adapter.lora()), resource);
        }

        @Override
        public void close() throws IOException {
            if (resource != null) {
                resource.close();
            }
        }
    }
}
