package io.rollstream.checkpoint;

import io.rollstream.model.LoraConfig;
import java.io.Serializable;

/**
 * What a checkpoint of LoRA adapters adapts: its {@link LoraConfig} and the base model the
 * adapters are applied to, named by path and checksum, so a base that changed since the run
 * started is refused rather than silently adapted.
 *
 * @param lora the adapters' shape and scale
 * @param base where the frozen base model is
 */
public record Adapter(LoraConfig lora, Base base) implements Serializable {

    /**
     * The base model of an adapter.
     *
     * @param source {@code huggingface}: a Hugging Face model directory ({@code model.path}),
     *     checksum {@link io.rollstream.huggingface.HfModelDirectory#fingerprint}; {@code checkpoint}:
     *     a Rollstream checkpoint file (of weights, on any Flink file system), its checksum
     * @param path the directory or file
     * @param sha256 its checksum, hex
     */
    public record Base(String source, String path, String sha256) implements Serializable {

        public static final String HUGGINGFACE = "huggingface";
        public static final String CHECKPOINT = "checkpoint";

        public Base {
            if (!HUGGINGFACE.equals(source) && !CHECKPOINT.equals(source)) {
                throw new IllegalArgumentException(
                        "an adapter's base is a huggingface directory or a checkpoint, not " + source);
            }
        }
    }
}
