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

/**
 * {@link Tokenizer} backed by DJL's native Hugging Face tokenizer, loaded from a local {@code tokenizer.json}.
 *
 * <p>Special tokens are never added automatically (BOS/EOS placement is the caller's job) and padding and
 * truncation are disabled. PAD/BOS/EOS ids are looked up by name in the vocabulary (see the candidate lists);
 * loading fails if any role has no candidate. Text whose encoding contains the model's unknown token, or that
 * loses a non-whitespace character (models without an unknown token drop what they cannot represent), raises
 * {@link UnencodableTextException} naming the first responsible character. The vocabulary size is one past the
 * largest id in the file. Holds a native handle: close it.
 */
public final class HuggingFaceTokenizerAdapter implements Tokenizer, AutoCloseable {

    static final List<String> PAD_CANDIDATES = List.of("<pad>", "[PAD]", "<|pad|>");
    static final List<String> BOS_CANDIDATES = List.of("<s>", "<bos>", "[BOS]", "<|bos|>", "<|endoftext|>");
    static final List<String> EOS_CANDIDATES = List.of("</s>", "<eos>", "[EOS]", "<|eos|>", "<|endoftext|>");

    private final HuggingFaceTokenizer tokenizer;
    private final String path;
    private final int vocabSize;
    private final int padId;
    private final int bosId;
    private final int eosId;
    private final int unknownId;

    private HuggingFaceTokenizerAdapter(HuggingFaceTokenizer tokenizer, String path, HuggingFaceVocab vocab, Path file) {
        this.tokenizer = tokenizer;
        this.path = path;
        this.vocabSize = vocab.size();
        this.padId = vocab.firstIdOf("PAD", PAD_CANDIDATES, file);
        this.bosId = vocab.firstIdOf("BOS", BOS_CANDIDATES, file);
        this.eosId = vocab.firstIdOf("EOS", EOS_CANDIDATES, file);
        this.unknownId = vocab.unknownId().orElse(-1);
    }

    /**
     * Loads the tokenizer at {@code path}: a {@code tokenizer.json} file or a directory containing one.
     *
     * @throws IllegalArgumentException if the file is missing or lacks a PAD, BOS or EOS token
     */
    public static HuggingFaceTokenizerAdapter load(String path) {
        Path file = Path.of(path);
        if (Files.isDirectory(file)) {
            file = file.resolve("tokenizer.json");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Hugging Face tokenizer file not found: " + file);
        }
        HuggingFaceVocab vocab = HuggingFaceVocab.read(file);
        HuggingFaceTokenizer loaded;
        try {
            loaded = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optPadding(false)
                    .optTruncation(false)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot load Hugging Face tokenizer " + file, e);
        }
        try {
            return new HuggingFaceTokenizerAdapter(loaded, path, vocab, file);
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
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
                throw new UnencodableTextException(text, culprit(text, spans[i]),
                        "maps to the unknown token of Hugging Face tokenizer " + path);
            }
        }
        int uncovered = firstUncovered(text, spans);
        if (uncovered >= 0) {
            // Offsets after a dropped character are shifted by the runtime, so locate the culprit by encoding
            // characters on their own; the uncovered position is only the fallback.
            int dropped = firstUnencodable(text, 0, text.length());
            throw new UnencodableTextException(text, dropped >= 0 ? dropped : uncovered,
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
        boolean spanUsable = span != null && span.getStart() >= 0 && span.getStart() < span.getEnd()
                && span.getEnd() <= codePoints;
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
                long[] ids = tokenizer.encode(new String(Character.toChars(cp)), false, false).getIds();
                if (ids.length == 0 || Arrays.stream(ids).anyMatch(id -> id == unknownId)) {
                    return i;
                }
            }
            i += Character.charCount(cp);
        }
        return -1;
    }

    @Override
    public String decode(int[] ids) {
        long[] kept = new long[ids.length];
        int n = 0;
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException("Token id " + id + " is outside the vocabulary [0, " + vocabSize + ")");
            }
            if (id != padId && id != bosId && id != eosId) {
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
        return padId;
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public TokenizerSpec spec() {
        return TokenizerSpec.huggingFace(path);
    }

    /** Releases the native tokenizer; the adapter must not be used afterwards. */
    @Override
    public void close() {
        tokenizer.close();
    }
}
