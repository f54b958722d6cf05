package io.rollstream.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollstream.tokenizer.CharTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Rollstream's char tokenizer as Hugging Face tokenizer files: a {@code tokenizer.json} with a
 * WordLevel model whose vocabulary is the char tokenizer's ids (PAD, BOS, EOS as added special
 * tokens, then one entry per character), a pre-tokenizer that isolates every character and a
 * {@code Fuse} decoder (no spaces between tokens), a post-processor that starts a text with BOS (as
 * Rollstream's prompts start), and a {@code tokenizer_config.json} naming the special tokens. Any text of the
 * alphabet encodes to exactly the char tokenizer's ids (checked through DJL's Hugging Face
 * tokenizers in the tests); a character outside it has no id in either.
 */
final class CharTokenizerJson {

    /** The special tokens' texts, unlikely in any alphabet. */
    static final List<String> SPECIALS = List.of("<|pad|>", "<|bos|>", "<|eos|>");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CharTokenizerJson() {}

    /** Writes tokenizer.json and tokenizer_config.json for {@code alphabet} into {@code dir}. */
    static void write(Path dir, String alphabet, int contextLength) throws IOException {
        for (String special : SPECIALS) {
            if (alphabet.contains(special)) {
                throw new IllegalArgumentException("the char alphabet contains " + special + ", the text of a special"
                        + " token: no Hugging Face tokenizer can tell them apart");
            }
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < SPECIALS.size(); id++) {
            added.addObject()
                    .put("id", id)
                    .put("content", SPECIALS.get(id))
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", false)
                    .put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode split = root.putObject("pre_tokenizer");
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", "[\\s\\S]");
        split.put("behavior", "Isolated");
        split.put("invert", false);
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        String bos = SPECIALS.get(CharTokenizer.BOS_ID);
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode bosEntry = post.putObject("special_tokens").putObject(bos);
        bosEntry.put("id", bos);
        bosEntry.putArray("ids").add(CharTokenizer.BOS_ID);
        bosEntry.putArray("tokens").add(bos);
        root.putObject("decoder").put("type", "Fuse");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < SPECIALS.size(); id++) {
            vocab.put(SPECIALS.get(id), id);
        }
        int id = CharTokenizer.FIRST_CHAR_ID;
        for (int i = 0; i < alphabet.length(); ) {
            int cp = alphabet.codePointAt(i);
            vocab.put(new String(Character.toChars(cp)), id++);
            i += Character.charCount(cp);
        }
        model.put("unk_token", "<|unk|>"); // not in the vocabulary: an unknown character is an error, as in Rollstream
        Files.writeString(dir.resolve("tokenizer.json"), JSON.writeValueAsString(root));
        ObjectNode config = JSON.createObjectNode();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.put("pad_token", SPECIALS.get(CharTokenizer.PAD_ID));
        config.put("bos_token", SPECIALS.get(CharTokenizer.BOS_ID));
        config.put("eos_token", SPECIALS.get(CharTokenizer.EOS_ID));
        config.put("add_bos_token", true);
        config.put("model_max_length", contextLength);
        Files.writeString(dir.resolve("tokenizer_config.json"), JSON.writeValueAsString(config));
    }
}
