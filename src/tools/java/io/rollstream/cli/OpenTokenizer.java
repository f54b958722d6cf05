package io.rollstream.cli;

import io.rollstream.tokenizer.Tokenizer;
import io.rollstream.tokenizer.TokenizerSpec;
import io.rollstream.tokenizer.Tokenizers;

/** A tokenizer a command opens and closes (a Hugging Face tokenizer holds a native handle). */
final class OpenTokenizer implements AutoCloseable {

    private final Tokenizer tokenizer;

    OpenTokenizer(TokenizerSpec spec) {
        this.tokenizer = Tokenizers.create(spec);
    }

    Tokenizer get() {
        return tokenizer;
    }

    @Override
    public void close() throws Exception {
        if (tokenizer instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }
}
