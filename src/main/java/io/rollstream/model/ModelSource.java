package io.rollstream.model;

/** Where a model comes from ({@code model.source}, {@code teacher.source}). */
public enum ModelSource {
    /** Rollstream's own model: a shape in the config, or a Rollstream checkpoint. */
    BUILTIN,
    /** A pretrained Hugging Face causal LM directory ({@code model.path}, {@code teacher.path}). */
    HUGGINGFACE
}
