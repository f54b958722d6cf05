package io.rollstream.tokenizer;

import java.util.Arrays;

/**
 * How problems and answers become model tokens: a prompt is {@code BOS + encode(prompt)}; a target
 * completion is {@code encode(answer) + EOS}; a generated completion decodes to text without its
 * EOS. Every stage (SFT data, rollouts, scoring, evaluation) uses this one convention.
 */
public final class PromptCodec {

    private final Tokenizer tokenizer;

    public PromptCodec(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** BOS followed by the prompt's tokens. */
    public int[] prompt(String text) {
        int[] body = tokenizer.encode(text);
        int[] out = new int[body.length + 1];
        out[0] = tokenizer.bosId();
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /** The answer's tokens followed by EOS: what a demonstration teaches the model to emit. */
    public int[] targetCompletion(String answer) {
        int[] body = tokenizer.encode(answer);
        int[] out = Arrays.copyOf(body, body.length + 1);
        out[body.length] = tokenizer.eosId();
        return out;
    }

    /** The text of generated tokens (EOS and anything after it dropped). */
    public String completionText(int[] tokens) {
        int end = 0;
        while (end < tokens.length && tokens[end] != tokenizer.eosId()) {
            end++;
        }
        return tokenizer.decode(Arrays.copyOf(tokens, end));
    }
}
