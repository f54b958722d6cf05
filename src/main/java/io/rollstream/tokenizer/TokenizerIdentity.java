package io.rollstream.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether two tokenizers give ids the same meaning — what distillation needs, since the teacher
 * scores the student's token ids one by one. Identical specs do; two Hugging Face tokenizers do when
 * their vocabularies (model vocabulary and added tokens) map every token to the same id, wherever
 * the files lie (a teacher and a student of one family each ship a copy).
 */
public final class TokenizerIdentity {

    private TokenizerIdentity() {}

    public static boolean sameIds(TokenizerSpec a, TokenizerSpec b) {
        if (a.equals(b)) {
            return true;
        }
        if (!TokenizerSpec.HUGGING_FACE.equals(a.type()) || !TokenizerSpec.HUGGING_FACE.equals(b.type())) {
            return false;
        }
        return HuggingFaceVocab.read(file(a)).sameIdsAs(HuggingFaceVocab.read(file(b)));
    }

    private static Path file(TokenizerSpec spec) {
        Path p = Path.of(spec.path());
        return Files.isDirectory(p) ? p.resolve("tokenizer.json") : p;
    }
}
