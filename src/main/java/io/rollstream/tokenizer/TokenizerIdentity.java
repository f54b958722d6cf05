package io.rollstream.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether two tokenizers give ids the same meaning — what distillation needs, since the teacher
 * scores the student's token ids one by one. Specs equal but for the prompt format do; two Hugging
 * Face tokenizers (a tokenizer.json or a model directory's) do when
 * their vocabularies (model vocabulary and added tokens) map every token to the same id, wherever
 * the files lie (a teacher and a student of one family each ship a copy).
 */
public final class TokenizerIdentity {

    private TokenizerIdentity() {}

    public static boolean sameIds(TokenizerSpec a, TokenizerSpec b) {
        if (a.tokens().equals(b.tokens())) {
            return true;
        }
        if (!isHuggingFace(a) || !isHuggingFace(b)) {
            return false;
        }
        return HuggingFaceVocab.read(file(a)).sameIdsAs(HuggingFaceVocab.read(file(b)));
    }

    private static boolean isHuggingFace(TokenizerSpec spec) {
        return TokenizerSpec.HUGGING_FACE.equals(spec.type()) || TokenizerSpec.HUGGING_FACE_MODEL.equals(spec.type());
    }

    /** The tokenizer.json of a spec's path (a file, or a model directory). */
    private static Path file(TokenizerSpec spec) {
        Path p = Path.of(spec.path());
        return Files.isDirectory(p) ? p.resolve("tokenizer.json") : p;
    }
}
