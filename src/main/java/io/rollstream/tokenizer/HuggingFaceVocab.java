package io.rollstream.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The token-to-id table of a Hugging Face {@code tokenizer.json}, read with Jackson because the native tokenizer
 * exposes no vocabulary lookup.
 *
 * <p>Covers the model vocabularies of WordLevel, WordPiece and BPE (an object {@code token -> id}) and Unigram
 * (an array of {@code [token, score]} whose position is the id), plus {@code added_tokens}. Added tokens win
 * over model entries of the same content, matching the Hugging Face runtime. Added tokens marked
 * {@code special} are the control tokens ({@code <|im_end|>}, ...) whose texts {@link #specialTexts()} lists.
 */
final class HuggingFaceVocab {

    private final Map<String, Integer> idByToken;
    private final int size;
    private final OptionalInt unknownId;
    private final List<String> specialTexts;

    private HuggingFaceVocab(Map<String, Integer> idByToken, OptionalInt unknownId, List<String> specialTexts) {
        this.idByToken = Map.copyOf(idByToken);
        this.size =
                idByToken.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        this.unknownId = unknownId;
        this.specialTexts = List.copyOf(specialTexts);
    }

    /** Reads the vocabulary of the {@code tokenizer.json} at {@code file}. */
    static HuggingFaceVocab read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read Hugging Face tokenizer file " + file, e);
        }
        JsonNode model = root.path("model");
        JsonNode vocab = model.path("vocab");
        Map<String, Integer> ids = new HashMap<>();
        if (vocab.isObject()) {
            vocab.fields()
                    .forEachRemaining(e -> ids.put(e.getKey(), e.getValue().asInt()));
        } else if (vocab.isArray()) {
            for (int id = 0; id < vocab.size(); id++) {
                ids.put(vocab.get(id).path(0).asText(), id);
            }
        } else {
            throw new IllegalArgumentException(
                    "Hugging Face tokenizer file " + file + " has no model.vocab object or array (model type "
                            + model.path("type").asText("?") + ")");
        }
        List<String> specialTexts = new ArrayList<>();
        for (JsonNode added : root.path("added_tokens")) {
            ids.put(added.path("content").asText(), added.path("id").asInt());
            if (added.path("special").asBoolean(false)
                    && !added.path("content").asText().isEmpty()) {
                specialTexts.add(added.path("content").asText());
            }
        }
        return new HuggingFaceVocab(ids, unknownId(model, ids), specialTexts);
    }

    private static OptionalInt unknownId(JsonNode model, Map<String, Integer> ids) {
        JsonNode unkId = model.path("unk_id");
        if (unkId.isInt()) {
            return OptionalInt.of(unkId.asInt());
        }
        JsonNode unkToken = model.path("unk_token");
        if (unkToken.isTextual() && ids.containsKey(unkToken.asText())) {
            return OptionalInt.of(ids.get(unkToken.asText()));
        }
        return OptionalInt.empty();
    }

    /** Whether both vocabularies give every token the same id (so ids mean the same text in both). */
    boolean sameIdsAs(HuggingFaceVocab other) {
        return idByToken.equals(other.idByToken);
    }

    /** Number of ids: one past the largest id in the file. */
    int size() {
        return size;
    }

    /** Id of {@code token}, if the vocabulary has it. */
    OptionalInt id(String token) {
        Integer id = idByToken.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The texts of the added tokens marked special: the runtime turns them into their ids wherever they occur. */
    List<String> specialTexts() {
        return specialTexts;
    }

    /** Id of the model's unknown token, if the model defines one. */
    OptionalInt unknownId() {
        return unknownId;
    }

    /**
     * Id of the first of {@code candidates} present in the vocabulary.
     *
     * @param role what the token is for, used in the error message, e.g. "PAD"
     * @throws IllegalArgumentException listing every candidate looked for, if none is present
     */
    int firstIdOf(String role, List<String> candidates, Path file) {
        for (String candidate : candidates) {
            Integer id = idByToken.get(candidate);
            if (id != null) {
                return id;
            }
        }
        throw new IllegalArgumentException(
                "Hugging Face tokenizer " + file + " has no " + role + " token; looked for " + candidates);
    }
}
