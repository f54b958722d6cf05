package io.rollstream.huggingface;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.RopeScaling;
import io.rollstream.safetensors.SafetensorsDtype;
import io.rollstream.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a model in Hugging Face layout — {@code config.json}, {@code model.safetensors}, {@code
 * generation_config.json}, and the tokenizer files when a tokenizer directory is given — that
 * {@link HfModelDirectory} (and transformers) load back. {@link #configJson} is the inverse of
 * {@link HfConfigReader}: reading what it writes gives the same {@link DecoderConfig}.
 */
public final class HfModelWriter {

    /** Tokenizer files copied along when present. */
    public static final List<String> TOKENIZER_FILES =
            List.of(HfModelDirectory.TOKENIZER_FILE, "tokenizer_config.json", "special_tokens_map.json");

    public static final String GENERATION_CONFIG_FILE = "generation_config.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String TRANSFORMERS_VERSION = "4.51.0";

    private HfModelWriter() {}

    /**
     * Writes the model into {@code dir} (created if needed).
     *
     * @param weights parameters by Hugging Face name, shapes as {@code config.parameterShapes()}
     * @param dtype {@link SafetensorsDtype#F32} or {@link SafetensorsDtype#BF16}
     * @param bosTokenId BOS id for config.json and generation_config.json, or null
     * @param eosTokenIds EOS ids (one or more), possibly empty
     * @param tokenizerDir a directory whose tokenizer files are copied, or null
     */
    public static void write(
            Path dir,
            DecoderConfig config,
            Map<String, float[]> weights,
            SafetensorsDtype dtype,
            Integer bosTokenId,
            List<Integer> eosTokenIds,
            Path tokenizerDir)
            throws IOException {
        Files.createDirectories(dir);
        Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        config.parameterShapes().forEach((name, shape) -> {
            float[] values = weights.get(name);
            if (values == null) {
                throw new IllegalArgumentException("no weights for " + name);
            }
            tensors.put(name, new SafetensorsWriter.Tensor(shape.getShape(), values));
        });
        SafetensorsWriter.write(dir.resolve(HfWeights.SINGLE_FILE), tensors, dtype, Map.of("format", "pt"));
        writeJson(dir.resolve(HfModelDirectory.CONFIG_FILE), configJson(config, dtype, bosTokenId, eosTokenIds));
        writeJson(dir.resolve(GENERATION_CONFIG_FILE), generationConfig(bosTokenId, eosTokenIds));
        if (tokenizerDir != null) {
            for (String name : TOKENIZER_FILES) {
                Path source = tokenizerDir.resolve(name);
                if (Files.isRegularFile(source)) {
                    Files.copy(source, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** The generation_config.json of a model with these special ids. */
    public static ObjectNode generationConfig(Integer bosTokenId, List<Integer> eosTokenIds) {
        ObjectNode generation = JSON.createObjectNode();
        putTokenIds(generation, bosTokenId, eosTokenIds);
        generation.put("transformers_version", TRANSFORMERS_VERSION);
        return generation;
    }

    /** Writes {@code node} as indented JSON, as transformers writes its configs. */
    public static void writeJson(Path file, JsonNode node) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(node) + "\n");
    }

    /** The config.json of {@code config}, in the shape transformers writes for its architecture. */
    public static ObjectNode configJson(
            DecoderConfig config, SafetensorsDtype dtype, Integer bosTokenId, List<Integer> eosTokenIds) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add(config.architecture());
        c.put("model_type", config.modelType());
        c.put("vocab_size", config.vocabSize());
        c.put("hidden_size", config.hiddenSize());
        c.put("intermediate_size", config.intermediateSize());
        c.put("num_hidden_layers", config.layers());
        c.put("num_attention_heads", config.heads());
        c.put("num_key_value_heads", config.kvHeads());
        c.put("head_dim", config.headDim());
        c.put("hidden_act", "silu");
        c.put("max_position_embeddings", config.contextLength());
        c.put("rms_norm_eps", config.rmsNormEps());
        c.put("rope_theta", config.ropeTheta());
        RopeScaling scaling = config.ropeScaling();
        if (scaling == null) {
            c.putNull("rope_scaling");
        } else {
            ObjectNode s = c.putObject("rope_scaling");
            s.put("rope_type", scaling.type());
            s.put("factor", scaling.factor());
            if (RopeScaling.LLAMA3.equals(scaling.type())) {
                s.put("low_freq_factor", scaling.lowFreqFactor());
                s.put("high_freq_factor", scaling.highFreqFactor());
                s.put("original_max_position_embeddings", scaling.originalMaxPositionEmbeddings());
            }
        }
        c.put("tie_word_embeddings", config.tieWordEmbeddings());
        c.put("attention_dropout", 0.0);
        switch (config.architecture()) {
            case DecoderConfig.LLAMA ->
                c.put("attention_bias", false).put("mlp_bias", false).put("pretraining_tp", 1);
            case DecoderConfig.MISTRAL -> c.putNull("sliding_window");
            case DecoderConfig.QWEN2 -> c.put("use_sliding_window", false).putNull("sliding_window");
            default ->
                c.put("attention_bias", false).put("use_sliding_window", false).putNull("sliding_window");
        }
        putTokenIds(c, bosTokenId, eosTokenIds);
        c.put("torch_dtype", dtype == SafetensorsDtype.BF16 ? "bfloat16" : "float32");
        c.put("use_cache", true);
        c.put("transformers_version", TRANSFORMERS_VERSION);
        return c;
    }

    private static void putTokenIds(ObjectNode node, Integer bos, List<Integer> eos) {
        if (bos != null) {
            node.put("bos_token_id", bos);
        }
        if (eos.size() == 1) {
            node.put("eos_token_id", eos.get(0));
        } else if (!eos.isEmpty()) {
            ArrayNode ids = node.putArray("eos_token_id");
            eos.forEach(ids::add);
        }
    }
}
