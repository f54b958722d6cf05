package io.rollstream.tokenizer;

/** A chat template that does not parse, or that refuses to render a conversation (its {@code raise_exception}). */
public final class ChatTemplateException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ChatTemplateException(String message) {
        super(message);
    }
}
