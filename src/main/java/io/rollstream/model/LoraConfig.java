package io.rollstream.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Low-rank adapters ({@code model.lora}) on the projections of a Llama-family decoder, as PEFT's
 * {@code LoraConfig} defines them: a targeted projection {@code W x} becomes {@code W x + (alpha /
 * rank) · B A x}, with {@code A} (rank × in) drawn Kaiming-uniform as PEFT does (bound {@code
 * 1/sqrt(in)}), {@code B} (out × rank) zero, so a fresh adapter changes nothing, and dropout on the
 * adapter's input while training only. Only the adapters train; the base stays frozen.
 *
 * @param rank {@code r}, at least 1
 * @param alpha {@code lora_alpha}, > 0; the adapter's output is scaled by {@code alpha / rank}
 * @param dropout {@code lora_dropout} in [0, 1)
 * @param targets the projections adapted, a non-empty subset of {@link #TARGETS}
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> targets) implements Serializable {

    /** Every projection an adapter may target, in storage order, with the module each belongs to. */
    public static final List<String> TARGETS =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    private static final List<String> MLP_TARGETS = List.of("gate_proj", "up_proj", "down_proj");

    /** Defaults of {@code model.lora} (targets: every projection). */
    public static final int DEFAULT_RANK = 8;

    public static final double DEFAULT_ALPHA = 16;

    public LoraConfig {
        if (rank < 1) {
            throw new IllegalArgumentException("model.lora.rank must be >= 1, got " + rank);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("model.lora.alpha must be a number > 0, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("model.lora.dropout must be in [0, 1), got " + dropout);
        }
        if (targets == null || targets.isEmpty()) {
            targets = TARGETS;
        }
        List<String> ordered = new ArrayList<>();
        for (String t : TARGETS) {
            if (targets.contains(t)) {
                ordered.add(t);
            }
        }
        for (String t : targets) {
            if (!TARGETS.contains(t)) {
                throw new IllegalArgumentException("model.lora.targets has " + t + ", which is not a projection of"
                        + " the decoder: choose from " + TARGETS);
            }
        }
        targets = List.copyOf(ordered);
    }

    /** The factor the adapter's output is scaled by: {@code alpha / rank}. */
    public double scale() {
        return alpha / rank;
    }

    /** The module path of a target inside a block: {@code self_attn.q_proj}, {@code mlp.gate_proj}, ... */
    public static String module(String target) {
        return (MLP_TARGETS.contains(target) ? "mlp." : "self_attn.") + target;
    }
}
