package io.rollstream.tokenizer;

import java.io.Serializable;
import java.util.Objects;

/**
 * How a problem's prompt text becomes the text a model sees (config {@code data.prompt_format} and
 * {@code data.system_prompt}); {@link PromptCodec} applies it.
 *
 * @param kind {@link Kind#RAW}: the prompt as it is (after BOS when the tokenizer adds one); {@link Kind#CHAT}:
 *     a user turn of the model's chat template, after an optional system turn, ending with the assistant header
 * @param systemPrompt the system turn's text in chat format; null for none (always null in raw format)
 */
public record PromptFormat(Kind kind, String systemPrompt) implements Serializable {

    /** The two formats. */
    public enum Kind {
        RAW,
        CHAT
    }

    /** Prompts as they are. */
    public static final PromptFormat RAW = new PromptFormat(Kind.RAW, null);

    public PromptFormat {
        Objects.requireNonNull(kind, "prompt format kind must not be null");
        if (kind == Kind.RAW && systemPrompt != null) {
            throw new IllegalArgumentException("a system prompt needs the chat prompt format");
        }
    }

    /** Chat format with an optional system prompt (null for none). */
    public static PromptFormat chat(String systemPrompt) {
        return new PromptFormat(Kind.CHAT, systemPrompt);
    }
}
