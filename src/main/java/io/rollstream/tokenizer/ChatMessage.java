package io.rollstream.tokenizer;

import java.util.Objects;

/**
 * One turn of a conversation handed to a {@link ChatTemplate}: the template sees it as
 * {@code message.role} / {@code message['content']}.
 *
 * @param role {@code system}, {@code user} or {@code assistant} (templates may know others)
 * @param content the turn's text, taken literally (see {@link PromptCodec} for how it is encoded)
 */
public record ChatMessage(String role, String content) {

    public ChatMessage {
        Objects.requireNonNull(role, "role must not be null");
        Objects.requireNonNull(content, "content must not be null");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
