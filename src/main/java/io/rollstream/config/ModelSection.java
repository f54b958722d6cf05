package io.rollstream.config;

import io.rollstream.model.ModelConfig;
import io.rollstream.model.ModelConfig.Positions;
import io.rollstream.tokenizer.TokenizerSpec;

import java.util.Locale;

/**
 * The {@code model} section: the policy's shape (checked by {@link ModelConfig} itself), its
 * tokenizer and where its weights start from. The vocabulary size is not configured: it comes from
 * the tokenizer, see {@link #toModelConfig(int)}.
 *
 * @param layers transformer blocks, at least 1; default 4
 * @param heads attention heads per block, dividing {@code d_model}; default 4
 * @param dModel residual stream width; default 128
 * @param mlpWidth hidden width of each block's MLP; default 512
 * @param contextLength longest sequence (BOS, prompt and completion) the model accepts, at least 2; default 32
 * @param positions position encoding, {@code learned} or {@code rotary}; default {@code learned}
 * @param tokenizer null for a char tokenizer over the task's alphabet, or {@code {type: huggingface, path: ...}}
 *     (a tokenizer.json), {@code {type: huggingface_model, path: DIR}} (a Hugging Face model directory's
 *     tokenizer, special tokens and chat template) or {@code {type: char, alphabet: ...}}; default null
 * @param init checkpoint to start from instead of random weights; default null
 */
public record ModelSection(int layers, int heads, int dModel, int mlpWidth, int contextLength, Positions positions,
        TokenizerSpec tokenizer, String init) {

    /** Any valid vocabulary size: the shape is validated before the tokenizer is known. */
    private static final int PROBE_VOCAB_SIZE = 256;

    /** Every key at its default. */
    public static ModelSection defaults() {
        return new ModelSection(4, 4, 128, 512, 32, Positions.LEARNED, null, null);
    }

    public ModelSection {
        positions = positions == null ? Positions.LEARNED : positions;
        ConfigErrors e = new ConfigErrors();
        Positions p = positions;
        e.attempt(() -> new ModelConfig(PROBE_VOCAB_SIZE, layers, heads, dModel, mlpWidth, contextLength, p));
        if (tokenizer != null) {
            checkTokenizer(e, tokenizer);
        }
        e.throwIfAny();
    }

    /** The model shape for a tokenizer of {@code vocabSize} ids. */
    public ModelConfig toModelConfig(int vocabSize) {
        try {
            return new ModelConfig(vocabSize, layers, heads, dModel, mlpWidth, contextLength, positions);
        } catch (IllegalArgumentException ex) {
            throw new InvalidConfigException(ex.getMessage());
        }
    }

    private static void checkTokenizer(ConfigErrors e, TokenizerSpec spec) {
        switch (spec.type()) {
            case TokenizerSpec.HUGGING_FACE, TokenizerSpec.HUGGING_FACE_MODEL -> {
                e.check(spec.path() != null && !spec.path().isBlank(), "model.tokenizer.path", spec.path(),
                        "is required for a " + spec.type() + " tokenizer: set it to "
                                + (spec.type().equals(TokenizerSpec.HUGGING_FACE) ? "a tokenizer.json file"
                                        : "a Hugging Face model directory"));
                e.check(spec.alphabet() == null, "model.tokenizer.alphabet", spec.alphabet(),
                        "only applies to char tokenizers: remove it");
            }
            case TokenizerSpec.CHAR -> {
                e.check(spec.alphabet() != null && !spec.alphabet().isEmpty(), "model.tokenizer.alphabet",
                        spec.alphabet(), "is required for a char tokenizer (or remove model.tokenizer to use the"
                                + " task's alphabet)");
                e.check(spec.path() == null, "model.tokenizer.path", spec.path(),
                        "only applies to huggingface tokenizers: remove it");
            }
            default -> e.check(false, "model.tokenizer.type", spec.type(),
                    "must be huggingface, huggingface_model or char (or remove model.tokenizer for the task's char"
                            + " tokenizer)");
        }
    }

    static ModelSection read(SectionReader in) {
        ModelSection d = defaults();
        return new ModelSection(
                in.integer("layers", d.layers()),
                in.integer("heads", d.heads()),
                in.integer("d_model", d.dModel()),
                in.integer("mlp_width", d.mlpWidth()),
                in.integer("context_length", d.contextLength()),
                in.choice("positions", d.positions()),
                in.nested("tokenizer", ModelSection::readTokenizer, d.tokenizer()),
                in.optionalString("init", d.init()));
    }

    private static TokenizerSpec readTokenizer(SectionReader in) {
        String type = in.optionalString("type", null);
        String alphabet = in.optionalString("alphabet", null);
        String path = in.optionalString("path", null);
        if (type == null) {
            throw new InvalidConfigException("model.tokenizer.type is required: set it to huggingface (with"
                    + " model.tokenizer.path) or char (with model.tokenizer.alphabet)");
        }
        return new TokenizerSpec(type.trim().toLowerCase(Locale.ROOT), alphabet, path, null);
    }
}
