package io.rollstream.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@link Tokenizer} backed by DJL's native Hugging Face tokenizer, loaded from a local {@code tokenizer.json}
 * ({@link #load}) or from a Hugging Face model directory ({@link #loadModelDirectory}).
 *
 * <p>Special tokens are never added automatically (BOS/EOS placement is the caller's job) and padding and
 * truncation are disabled. For a lone {@code tokenizer.json}, PAD/BOS/EOS ids are looked up by name in the
 * vocabulary (see the candidate lists) and loading fails if any role has no candidate; a model directory says
 * them itself (see {@link ModelDirectoryConfig}), with a list of stop ids and its chat template.
 * {@link #encode} turns the texts of special added tokens ({@code <|im_end|>}) into their ids, as the Hugging
 * Face runtime does; {@link #specialTokenTexts()} lists them so callers can keep untrusted text literal.
 *
 * <p>Text whose encoding contains the model's unknown token, or that loses a non-whitespace character (models
 * without an unknown token drop what they cannot represent), raises {@link UnencodableTextException} naming the
 * first responsible character. The vocabulary size is one past the
 * largest id in the file, or the model's {@code vocab_size} when a model directory's config.json gives a
 * larger one (padded vocabularies): ids the tokenizer has no text for decode to nothing. Holds a native handle:
 * close it.
 */
public final class HuggingFaceTokenizerAdapter implements Tokenizer, AutoCloseable {

    static final List<String> PAD_CANDIDATES = List.of("<pad>", "[PAD]", "<|pad|>");
    static final List<String> BOS_CANDIDATES = List.of("<s>", "<bos>", "[BOS]", "<|bos|>", "<|endoftext|>");
    static final List<String> EOS_CANDIDATES = List.of("</s>", "<eos>", "[EOS]", "<|eos|>", "<|endoftext|>");

    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerSpec spec;
    private final String path;
    private final int vocabSize;
    private final int textIds;
    private final SpecialTokens special;
    private final List<String> specialTexts;
    private final ChatTemplate chatTemplate;
    private final int unknownId;

    private HuggingFaceTokenizerAdapter(
            HuggingFaceTokenizer tokenizer,
            TokenizerSpec spec,
            HuggingFaceVocab vocab,
            SpecialTokens special,
            int modelVocabSize,
            ChatTemplate chatTemplate) {
        this.tokenizer = tokenizer;
        this.spec = spec;
        this.path = spec.path();
        this.textIds = vocab.size();
        this.vocabSize = Math.max(vocab.size(), modelVocabSize);
        this.special = special;
        this.specialTexts = vocab.specialTexts();
        this.chatTemplate = chatTemplate;
        this.unknownId = vocab.unknownId().orElse(-1);
    }

    /**
     * Loads the tokenizer at {@code path}: a {@code tokenizer.json} file or a directory containing one. Special
     * ids come from the candidate lists; the tokenizer has one stop id (EOS), always starts raw prompts with BOS
     * and has no chat template (use {@link #loadModelDirectory} for a model's own settings).
     *
     * @throws IllegalArgumentException if the file is missing or lacks a PAD, BOS or EOS token
     */
    public static HuggingFaceTokenizerAdapter load(String path) {
        Path file = tokenizerFile(Path.of(path));
        HuggingFaceVocab vocab = HuggingFaceVocab.read(file);
        HuggingFaceTokenizer loaded = open(file);
        try {
            int eos = vocab.firstIdOf("EOS", EOS_CANDIDATES, file);
            SpecialTokens special = new SpecialTokens(
                    vocab.firstIdOf("PAD", PAD_CANDIDATES, file),
                    vocab.firstIdOf("BOS", BOS_CANDIDATES, file),
                    eos,
                    Set.of(eos),
                    true);
            return new HuggingFaceTokenizerAdapter(loaded, TokenizerSpec.huggingFace(path), vocab, special, 0, null);
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /**
     * Loads the tokenizer of a Hugging Face model directory (as {@code huggingface-cli download} leaves it):
     * {@code tokenizer.json}, with special tokens, stop ids and chat template from {@code tokenizer_config.json},
     * {@code generation_config.json}, {@code chat_template.jinja} and {@code config.json} when present (see
     * {@link ModelDirectoryConfig} for how each is resolved).
     *
     * @throws IllegalArgumentException if the directory or its tokenizer.json is missing, names no EOS, names a
     *     special token the vocabulary lacks, or has a chat template that does not parse
     */
    public static HuggingFaceTokenizerAdapter loadModelDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("Hugging Face model directory not found: " + dir);
        }
        Path file = tokenizerFile(dir);
        HuggingFaceVocab vocab = HuggingFaceVocab.read(file);
        ModelDirectoryConfig config = ModelDirectoryConfig.of(dir);
        HuggingFaceTokenizer loaded = open(file);
        try {
            SpecialTokens special = config.specialTokens(vocab, bos -> addsBosItself(loaded, bos));
            ChatTemplate template = config.chatTemplate()
                    .map(t -> ChatTemplate.of(t, config.templateTokens()))
                    .orElse(null);
            return new HuggingFaceTokenizerAdapter(
                    loaded,
                    TokenizerSpec.huggingFaceModel(dir.toString()),
                    vocab,
                    special,
                    config.modelVocabSize(),
                    template);
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    private static Path tokenizerFile(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Hugging Face tokenizer file not found: " + file);
        }
        return file;
    }

    private static HuggingFaceTokenizer open(Path file) {
        try {
            return HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optPadding(false)
                    .optTruncation(false)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot load Hugging Face tokenizer " + file, e);
        }
    }

    /** Whether the tokenizer's post-processor puts {@code bosId} first when asked to add special tokens. */
    private static boolean addsBosItself(HuggingFaceTokenizer tokenizer, int bosId) {
        long[] ids = tokenizer.encode("a", true, false).getIds();
        return ids.length > 0 && ids[0] == bosId;
    }

    /**
     * Encodes without special tokens. Fails if any id is the unknown token, or if a non-whitespace character
     * is covered by no token at all (models without an unknown token, such as BPE without {@code unk_token},
     * silently drop such characters; normalizers that delete characters are caught the same way).
     */
    @Override
    public int[] encode(String text) {
        Encoding encoding = tokenizer.encode(text, false, false);
        long[] ids = encoding.getIds();
        CharSpan[] spans = encoding.getCharTokenSpans();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == unknownId) {
                throw new UnencodableTextException(
                        text, culprit(text, spans[i]), "maps to the unknown token of Hugging Face tokenizer " + path);
            }
        }
        int uncovered = firstUncovered(text, spans);
        if (uncovered >= 0) {
            // Offsets after a dropped character are shifted by the runtime, so locate the culprit by encoding
            // characters on their own; the uncovered position is only the fallback.
            int dropped = firstUnencodable(text, 0, text.length());
            throw new UnencodableTextException(
                    text,
                    dropped >= 0 ? dropped : uncovered,
                    "no token of Hugging Face tokenizer " + path + " covers it (it would be dropped)");
        }
        return Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
    }

    /**
     * UTF-16 index of the first non-whitespace character that no token span covers, or -1 if all are covered.
     * Returns -1 without checking if the runtime reported any span it could not locate.
     */
    private static int firstUncovered(String text, CharSpan[] spans) {
        int codePoints = text.codePointCount(0, text.length());
        boolean[] covered = new boolean[codePoints];
        for (CharSpan span : spans) {
            if (span == null || span.getStart() < 0 || span.getEnd() > codePoints || span.getStart() > span.getEnd()) {
                return -1;
            }
            Arrays.fill(covered, span.getStart(), span.getEnd(), true);
        }
        for (int i = 0, cpIndex = 0; i < text.length(); cpIndex++) {
            int cp = text.codePointAt(i);
            if (!covered[cpIndex] && !Character.isWhitespace(cp)) {
                return i;
            }
            i += Character.charCount(cp);
        }
        return -1;
    }

    /**
     * UTF-16 index of the first character responsible for an unknown token whose span is {@code span}: the first
     * non-whitespace character inside the span that encodes to the unknown token on its own, else the span's
     * first character (the token is unknown only as a whole, e.g. a word missing from a WordLevel vocabulary).
     * The native runtime reports spans in code points; a span it could not report falls back to the whole text.
     */
    private int culprit(String text, CharSpan span) {
        int codePoints = text.codePointCount(0, text.length());
        boolean spanUsable =
                span != null && span.getStart() >= 0 && span.getStart() < span.getEnd() && span.getEnd() <= codePoints;
        int start = spanUsable ? text.offsetByCodePoints(0, span.getStart()) : 0;
        int end = spanUsable ? text.offsetByCodePoints(0, span.getEnd()) : text.length();
        int culprit = firstUnencodable(text, start, end);
        return culprit >= 0 ? culprit : start;
    }

    /**
     * UTF-16 index of the first non-whitespace character in {@code [start, end)} that, encoded on its own, yields
     * no token or the unknown token; -1 if there is none.
     */
    private int firstUnencodable(String text, int start, int end) {
        for (int i = start; i < end; ) {
            int cp = text.codePointAt(i);
            if (!Character.isWhitespace(cp)) {
                long[] ids = tokenizer
                        .encode(new String(Character.toChars(cp)), false, false)
                        .getIds();
                if (ids.length == 0 || Arrays.stream(ids).anyMatch(id -> id == unknownId)) {
                    return i;
                }
            }
            i += Character.charCount(cp);
        }
        return -1;
    }

    /**
     * Decodes, skipping PAD, BOS and every stop id, and ids past the tokenizer's own (a padded model
     * vocabulary's unused rows, which have no text). Other special tokens are kept as their text.
     */
    @Override
    public String decode(int[] ids) {
        long[] kept = new long[ids.length];
        int n = 0;
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException(
                        "Token id " + id + " is outside the vocabulary [0, " + vocabSize + ")");
            }
            if (id != special.padId()
                    && id != special.bosId()
                    && !special.stopIds().contains(id)
                    && id < textIds) {
                kept[n++] = id;
            }
        }
        return tokenizer.decode(Arrays.copyOf(kept, n), false);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int padId() {
        return special.padId();
    }

    @Override
    public int bosId() {
        return special.bosId();
    }

    @Override
    public int eosId() {
        return special.eosId();
    }

    @Override
    public Set<Integer> stopIds() {
        return special.stopIds();
    }

    @Override
    public boolean addsBos() {
        return special.addsBos();
    }

    @Override
    public List<String> specialTokenTexts() {
        return specialTexts;
    }

    @Override
    public Optional<ChatTemplate> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    @Override
    public TokenizerSpec spec() {
        return spec;
    }

    /** Releases the native tokenizer; the adapter must not be used afterwards. */
    @Override
    public void close() {
        tokenizer.close();
    }
}
