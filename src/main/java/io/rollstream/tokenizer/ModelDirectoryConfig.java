package io.rollstream.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * What a Hugging Face model directory says about its tokens besides {@code tokenizer.json}: the special tokens
 * and chat template of {@code tokenizer_config.json}, the ids of {@code generation_config.json}, an optional
 * {@code chat_template.jinja} and the model's {@code vocab_size} from {@code config.json}.
 *
 * <p>Resolution (first found wins), as transformers and vLLM do:
 * <ul>
 *   <li>EOS: {@code eos_token} of tokenizer_config, else the first {@code eos_token_id} of generation_config,
 *       else config.json's {@code eos_token_id}. Stop ids: that EOS plus every {@code eos_token_id} of
 *       generation_config and config.json (an int or a list), so chat models stop at the end of a turn
 *       ({@code <|im_end|>}, {@code <|eot_id|>}) and at the end of text.</li>
 *   <li>BOS: {@code bos_token}, else {@code bos_token_id} (generation_config, then config.json), else EOS
 *       (GPT-2's convention). A raw prompt starts with it when tokenizer_config's {@code add_bos_token} is true,
 *       or, when that key is absent, when the tokenizer's own post-processor adds it (Llama 3).</li>
 *   <li>PAD: {@code pad_token}, else {@code pad_token_id}, else EOS. Llama 3 has no pad token; padding is never
 *       attended to nor trained on (positions are masked, not ids), so reusing EOS is safe and is what
 *       Hugging Face users do.</li>
 * </ul>
 * A special token may be written as a string or as an AddedToken object ({@code {"content": "<s>", ...}}).
 * {@code chat_template.jinja} overrides tokenizer_config's {@code chat_template}; a list of named templates
 * uses the one named {@code default}.
 */
final class ModelDirectoryConfig {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final JsonNode tokenizerConfig;
    private final JsonNode generationConfig;
    private final JsonNode modelConfig;

    private ModelDirectoryConfig(Path dir) {
        this.dir = dir;
        this.tokenizerConfig = read(dir.resolve("tokenizer_config.json"));
        this.generationConfig = read(dir.resolve("generation_config.json"));
        this.modelConfig = read(dir.resolve("config.json"));
    }

    static ModelDirectoryConfig of(Path dir) {
        return new ModelDirectoryConfig(dir);
    }

    private static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    /** The special ids; {@code bosAddedByPostProcessor} answers for a tokenizer_config without add_bos_token. */
    SpecialTokens specialTokens(HuggingFaceVocab vocab, IntPredicate bosAddedByPostProcessor) {
        List<Integer> eosIds = ids(generationConfig.path("eos_token_id"));
        eosIds.addAll(ids(modelConfig.path("eos_token_id")));
        OptionalInt eos = tokenId(vocab, "eos_token");
        if (eos.isEmpty() && eosIds.isEmpty()) {
            throw new IllegalArgumentException("Hugging Face model directory " + dir + " names no EOS token: set"
                    + " eos_token in tokenizer_config.json or eos_token_id in generation_config.json");
        }
        int eosId = eos.isPresent() ? eos.getAsInt() : eosIds.get(0);
        int bosId = firstOf(
                        tokenId(vocab, "bos_token"),
                        id(generationConfig.path("bos_token_id")),
                        id(modelConfig.path("bos_token_id")))
                .orElse(eosId);
        int padId = firstOf(
                        tokenId(vocab, "pad_token"),
                        id(generationConfig.path("pad_token_id")),
                        id(modelConfig.path("pad_token_id")))
                .orElse(eosId);
        JsonNode addBos = tokenizerConfig.path("add_bos_token");
        boolean addsBos = addBos.isBoolean() ? addBos.asBoolean() : bosAddedByPostProcessor.test(bosId);
        for (int id : List.of(eosId, bosId, padId)) {
            checkInVocabulary(vocab, id);
        }
        eosIds.forEach(id -> checkInVocabulary(vocab, id));
        return new SpecialTokens(padId, bosId, eosId, Set.copyOf(eosIds), addsBos);
    }

    /** The special-token strings a chat template sees ({@code bos_token}, ...), only those the model sets. */
    Map<String, String> templateTokens() {
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String name : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
            tokenText(name).ifPresent(text -> tokens.put(name, text));
        }
        return tokens;
    }

    /** The chat template source: chat_template.jinja, else tokenizer_config's chat_template; empty if neither. */
    Optional<String> chatTemplate() {
        Path file = dir.resolve("chat_template.jinja");
        if (Files.isRegularFile(file)) {
            try {
                return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file, e);
            }
        }
        JsonNode template = tokenizerConfig.path("chat_template");
        if (template.isTextual()) {
            return Optional.of(template.asText());
        }
        for (JsonNode named : template) {
            if ("default".equals(named.path("name").asText())) {
                return Optional.of(named.path("template").asText());
            }
        }
        return Optional.empty();
    }

    /** config.json's {@code vocab_size} (the model's, often padded beyond the tokenizer's ids), or 0. */
    int modelVocabSize() {
        return modelConfig.path("vocab_size").asInt(0);
    }

    private Optional<String> tokenText(String name) {
        JsonNode token = tokenizerConfig.path(name);
        if (token.isTextual()) {
            return Optional.of(token.asText());
        }
        if (token.isObject() && token.path("content").isTextual()) {
            return Optional.of(token.path("content").asText());
        }
        return Optional.empty();
    }

    private OptionalInt tokenId(HuggingFaceVocab vocab, String name) {
        Optional<String> text = tokenText(name);
        if (text.isEmpty()) {
            return OptionalInt.empty();
        }
        OptionalInt id = vocab.id(text.get());
        if (id.isEmpty()) {
            throw new IllegalArgumentException(dir.resolve("tokenizer_config.json") + " sets " + name + " to '"
                    + text.get() + "', which tokenizer.json does not have");
        }
        return id;
    }

    private void checkInVocabulary(HuggingFaceVocab vocab, int id) {
        int limit = Math.max(vocab.size(), modelVocabSize());
        if (id < 0 || id >= limit) {
            throw new IllegalArgumentException("Hugging Face model directory " + dir + " names special token id " + id
                    + ", outside the vocabulary [0, " + limit + ")");
        }
    }

    private static List<Integer> ids(JsonNode node) {
        List<Integer> ids = new ArrayList<>();
        if (node.isIntegralNumber()) {
            ids.add(node.asInt());
        }
        for (JsonNode item : node) {
            if (item.isIntegralNumber()) {
                ids.add(item.asInt());
            }
        }
        return ids;
    }

    private static OptionalInt id(JsonNode node) {
        List<Integer> ids = ids(node);
        return ids.isEmpty() ? OptionalInt.empty() : OptionalInt.of(ids.get(0));
    }

    private static OptionalInt firstOf(OptionalInt... candidates) {
        for (OptionalInt candidate : candidates) {
            if (candidate.isPresent()) {
                return candidate;
            }
        }
        return OptionalInt.empty();
    }
}
