package io.rollstream.sampling;

/** Why a completion ended. */
public enum FinishReason {
    /** The model produced a stop id, one of its EOS ids (the last token of the completion). */
    STOP,
    /** max_new_tokens or the model's context length was reached first. */
    LENGTH
}
