package io.rollstream.huggingface;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.RopeScaling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Hugging Face {@code config.json} of a {@code LlamaForCausalLM}, {@code MistralForCausalLM},
 * {@code Qwen2ForCausalLM} or {@code Qwen3ForCausalLM} into a {@link DecoderConfig}. Every key that
 * would change the maths and that this decoder does not implement is refused with an error naming
 * it (another architecture, an activation other than SiLU, attention or MLP biases on Llama, rope
 * scaling other than linear and llama3, partial or interleaved rotary, quantization, dropout);
 * keys known not to change the maths are accepted, and any other key is accepted with a note that
 * names it, never silently.
 *
 * <p>A sliding window ({@code sliding_window} on Mistral, {@code use_sliding_window} or a {@code
 * sliding_attention} layer on Qwen) changes nothing for sequences no longer than the window, so it
 * bounds the context length instead of being refused.
 */
public final class HfConfigReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Keys read (or checked) below. */
    private static final Set<String> MATHS_KEYS = Set.of(
            "architectures",
            "model_type",
            "vocab_size",
            "hidden_size",
            "intermediate_size",
            "num_hidden_layers",
            "num_attention_heads",
            "num_key_value_heads",
            "head_dim",
            "hidden_act",
            "rms_norm_eps",
            "rope_theta",
            "rope_scaling",
            "rope_parameters",
            "max_position_embeddings",
            "tie_word_embeddings",
            "attention_bias",
            "mlp_bias",
            "attention_dropout",
            "sliding_window",
            "use_sliding_window",
            "max_window_layers",
            "layer_types",
            "partial_rotary_factor",
            "rope_interleaved",
            "quantization_config",
            "bos_token_id",
            "eos_token_id",
            "use_mrope");

    /** Keys known not to change the forward pass (bookkeeping, generation defaults, legacy switches). */
    private static final Set<String> HARMLESS_KEYS = Set.of(
            "pad_token_id",
            "torch_dtype",
            "dtype",
            "transformers_version",
            "use_cache",
            "initializer_range",
            "_name_or_path",
            "pretraining_tp",
            "tokenizer_class",
            "is_llama_config",
            "return_dict",
            "output_hidden_states",
            "output_attentions",
            "torchscript",
            "use_bfloat16",
            "tie_encoder_decoder",
            "is_encoder_decoder",
            "is_decoder",
            "add_cross_attention",
            "id2label",
            "label2id",
            "problem_type",
            "finetuning_task",
            "prefix",
            "sep_token_id",
            "decoder_start_token_id",
            "task_specific_params",
            "max_length",
            "min_length",
            "do_sample",
            "early_stopping",
            "num_beams",
            "num_beam_groups",
            "temperature",
            "top_k",
            "top_p",
            "typical_p",
            "repetition_penalty",
            "length_penalty",
            "no_repeat_ngram_size",
            "bad_words_ids",
            "num_return_sequences",
            "chunk_size_feed_forward",
            "pruned_heads",
            "_attn_implementation_autoset",
            "_from_model_config");

    private HfConfigReader() {}

    /** Reads {@code dir/config.json}. */
    public static HfConfig read(Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IOException(dir + " has no config.json: point model.path (or --model) at a Hugging Face model"
                    + " directory (config.json, model.safetensors, tokenizer.json)");
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + " is not a JSON object");
        }
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The config of {@code root}, or an {@link IllegalArgumentException} naming the key that is not supported. */
    static HfConfig parse(JsonNode root) {
        List<String> notes = new ArrayList<>();
        String architecture = architecture(root);
        String type = text(root, "model_type", null);
        checkActivation(root);
        boolean llamaLike = !DecoderConfig.QWEN2.equals(architecture);
        refuseIf(
                llamaLike && bool(root, "attention_bias", false),
                "attention_bias",
                root,
                "biases on the attention projections are supported for Qwen2 only");
        refuseIf(bool(root, "mlp_bias", false), "mlp_bias", root, "MLP biases are not supported");
        refuseIf(
                root.hasNonNull("quantization_config"),
                "quantization_config",
                root,
                "quantized weights are not supported: use an unquantized (F32, BF16 or F16) checkpoint");
        refuseIf(
                number(root, "attention_dropout", 0) != 0,
                "attention_dropout",
                root,
                "dropout is not supported: set it to 0.0");
        refuseIf(
                number(root, "partial_rotary_factor", 1) != 1,
                "partial_rotary_factor",
                root,
                "rotary embeddings on part of a head are not supported");
        refuseIf(
                bool(root, "rope_interleaved", false),
                "rope_interleaved",
                root,
                "interleaved rotary embeddings are not supported (only rotate-half)");
        refuseIf(bool(root, "use_mrope", false), "use_mrope", root, "multimodal rotary embeddings are not supported");

        int hidden = requiredInt(root, "hidden_size");
        int heads = requiredInt(root, "num_attention_heads");
        Integer kvHeads = optionalInt(root, "num_key_value_heads");
        if (kvHeads == null) {
            refuseIf(
                    !DecoderConfig.LLAMA.equals(architecture),
                    "num_key_value_heads",
                    root,
                    "is required for " + architecture + " (its default differs between versions)");
            kvHeads = heads;
        }
        Integer headDim = optionalInt(root, "head_dim");
        if (headDim == null) {
            refuseIf(
                    hidden % heads != 0,
                    "num_attention_heads",
                    root,
                    "must divide hidden_size when head_dim is absent");
            headDim = hidden / heads;
        }
        Rope rope = rope(root);
        int context = requiredInt(root, "max_position_embeddings");
        Integer window = slidingWindow(root, architecture);
        if (window != null && window < context) {
            notes.add("sliding_window " + window + " bounds the context length to " + window + " tokens (within it"
                    + " the window changes nothing; max_position_embeddings is " + context + ")");
            context = window;
        }
        DecoderConfig decoder = new DecoderConfig(
                architecture,
                requiredInt(root, "vocab_size"),
                hidden,
                requiredInt(root, "intermediate_size"),
                requiredInt(root, "num_hidden_layers"),
                heads,
                kvHeads,
                headDim,
                number(root, "rms_norm_eps", 1e-6),
                rope.theta(),
                rope.scaling(),
                context,
                bool(root, "tie_word_embeddings", false));
        if (type != null && !type.equals(decoder.modelType())) {
            throw new IllegalArgumentException("model_type " + type + " does not match architectures " + architecture);
        }
        Set<String> unknown = new LinkedHashSet<>();
        for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!MATHS_KEYS.contains(key) && !HARMLESS_KEYS.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            notes.add("config.json keys not known to Rollstream, accepted as not changing the maths: " + unknown);
        }
        return new HfConfig(decoder, optionalInt(root, "bos_token_id"), tokenIds(root.get("eos_token_id")), notes);
    }

    private static String architecture(JsonNode root) {
        JsonNode list = root.get("architectures");
        String type = text(root, "model_type", null);
        if (list == null || list.isNull()) {
            return DecoderConfig.MODEL_TYPES.entrySet().stream()
                    .filter(e -> e.getValue().equals(type))
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("model_type " + type + " is not supported"
                            + " (supported: " + DecoderConfig.MODEL_TYPES.values() + ") and there is no architectures"
                            + " list"));
        }
        if (!list.isArray() || list.size() != 1 || !list.get(0).isTextual()) {
            throw new IllegalArgumentException("architectures must name exactly one architecture, got " + list);
        }
        String name = list.get(0).asText();
        if (!DecoderConfig.ARCHITECTURES.contains(name)) {
            throw new IllegalArgumentException(
                    "architectures " + name + " is not supported (supported: " + DecoderConfig.ARCHITECTURES + ")");
        }
        return name;
    }

    private static void checkActivation(JsonNode root) {
        String act = text(root, "hidden_act", "silu").toLowerCase(Locale.ROOT);
        refuseIf(!act.equals("silu") && !act.equals("swish"), "hidden_act", root, "only silu (SwiGLU) is supported");
    }

    private record Rope(double theta, RopeScaling scaling) {}

    /** rope_theta and rope_scaling, or transformers 5's rope_parameters holding both. */
    private static Rope rope(JsonNode root) {
        JsonNode parameters = root.get("rope_parameters");
        JsonNode scaling = root.get("rope_scaling");
        double theta = number(root, "rope_theta", 10000.0);
        if (parameters != null && !parameters.isNull()) {
            refuseIf(!parameters.isObject(), "rope_parameters", root, "must be an object");
            theta = parameters.hasNonNull("rope_theta")
                    ? parameters.get("rope_theta").asDouble()
                    : theta;
            scaling = parameters;
        }
        if (scaling == null || scaling.isNull()) {
            return new Rope(theta, null);
        }
        refuseIf(!scaling.isObject(), "rope_scaling", root, "must be an object or null");
        String type = scaling.hasNonNull("rope_type")
                ? scaling.get("rope_type").asText()
                : scaling.path("type").asText("default");
        if (type.equals("default")) {
            return new Rope(theta, null);
        }
        if (!type.equals(RopeScaling.LINEAR) && !type.equals(RopeScaling.LLAMA3)) {
            throw new IllegalArgumentException(
                    "rope_scaling type " + type + " is not supported (supported: default, linear, llama3)");
        }
        try {
            return new Rope(
                    theta,
                    new RopeScaling(
                            type,
                            scaling.path("factor").asDouble(Double.NaN),
                            doubleOrNull(scaling, "low_freq_factor"),
                            doubleOrNull(scaling, "high_freq_factor"),
                            scaling.hasNonNull("original_max_position_embeddings")
                                    ? scaling.get("original_max_position_embeddings")
                                            .asInt()
                                    : null));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rope_scaling " + scaling + ": " + e.getMessage(), e);
        }
    }

    /** The window some layers attend within, or null when every layer attends to the whole sequence. */
    private static Integer slidingWindow(JsonNode root, String architecture) {
        Integer window = optionalInt(root, "sliding_window");
        boolean active;
        if (DecoderConfig.MISTRAL.equals(architecture)) {
            active = window != null;
        } else {
            boolean slidingLayer = false;
            for (JsonNode t : root.path("layer_types")) {
                slidingLayer |= "sliding_attention".equals(t.asText());
            }
            active = bool(root, "use_sliding_window", false) || slidingLayer;
            refuseIf(active && window == null, "use_sliding_window", root, "is on but sliding_window is not set");
        }
        return active ? window : null;
    }

    private static List<Integer> tokenIds(JsonNode node) {
        List<Integer> ids = new ArrayList<>();
        if (node != null && node.isIntegralNumber()) {
            ids.add(node.asInt());
        } else if (node != null && node.isArray()) {
            node.forEach(n -> ids.add(n.asInt()));
        }
        return ids;
    }

    private static void refuseIf(boolean refused, String key, JsonNode root, String why) {
        if (refused) {
            throw new IllegalArgumentException(key + " = " + root.get(key) + " is not supported: " + why);
        }
    }

    private static int requiredInt(JsonNode root, String key) {
        Integer value = optionalInt(root, key);
        if (value == null) {
            throw new IllegalArgumentException(key + " is required");
        }
        return value;
    }

    private static Integer optionalInt(JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException(key + " must be an integer, got " + n);
        }
        return n.asInt();
    }

    private static double number(JsonNode root, String key, double def) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return def;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException(key + " must be a number, got " + n);
        }
        return n.asDouble();
    }

    private static Double doubleOrNull(JsonNode node, String key) {
        return node.hasNonNull(key) ? node.get(key).asDouble() : null;
    }

    private static boolean bool(JsonNode root, String key, boolean def) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return def;
        }
        if (!n.isBoolean()) {
            throw new IllegalArgumentException(key + " must be true or false, got " + n);
        }
        return n.asBoolean();
    }

    private static String text(JsonNode root, String key, String def) {
        JsonNode n = root.get(key);
        return n == null || n.isNull() ? def : n.asText();
    }
}
