package io.rollstream.config;

import io.rollstream.config.SectionReader.Custom;
import io.rollstream.device.Precision;
import io.rollstream.model.LoraConfig;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ModelConfig.Architecture;
import io.rollstream.model.ModelConfig.Positions;
import io.rollstream.model.ModelSource;
import io.rollstream.tokenizer.TokenizerSpec;
import java.util.Locale;

/**
 * The {@code model} section: where the policy comes from. {@code source: builtin} (the default) is
 * Rollstream's own model, whose shape is configured here (and checked by {@link ModelConfig}
 * itself), with its tokenizer and an optional checkpoint to start from; the vocabulary size is not
 * configured but comes from the tokenizer ({@link #toModelConfig(int)}). {@code source: huggingface}
 * is a pretrained model directory ({@code path}) whose shape and tokenizer come with it, so none of
 * the builtin keys apply (setting one is an error); the builtin keys are then null.
 *
 * @param source {@code builtin} or {@code huggingface}; default builtin
 * @param path huggingface only: the model directory (config.json, model.safetensors, tokenizer.json); default null
 * @param architecture builtin only: {@code gpt} (layer norm, GELU) or {@code llama} (RMSNorm, SwiGLU, rotary;
 *     exports as LlamaForCausalLM); default gpt
 * @param layers builtin only: transformer blocks, at least 1; default 4
 * @param heads builtin only: attention heads per block, dividing {@code d_model}; default 4
 * @param dModel builtin only: residual stream width; default 128
 * @param mlpWidth builtin only: hidden width of each block's MLP; default 512
 * @param contextLength builtin only: longest sequence (BOS, prompt and completion) the model accepts, at least 2;
 *     default 32
 * @param positions builtin only: position encoding, {@code learned} or {@code rotary}; default learned (rotary
 *     for llama, which has no other)
 * @param tokenizer builtin only: null for a char tokenizer over the task's alphabet, or {@code {type: huggingface,
 *     path: ...}} (a tokenizer.json), {@code {type: huggingface_model, path: DIR}} (a Hugging Face model
 *     directory's tokenizer, special tokens and chat template) or {@code {type: char, alphabet: ...}}; default
 *     null
 * @param init builtin only: checkpoint to start from instead of random weights; default null
 * @param dtype number format of the frozen copies that run on a GPU — the generators' policy and the teacher:
 *     {@code float32} or {@code float16}; learners train float32 weights with float32 optimizer state, and a copy on
 *     the CPU computes in float32 whatever this says (logged). {@code bfloat16} is refused (DJL 0.35.1 aborts the
 *     JVM on BF16 arrays on the CPU; unproven on a GPU); default float32
 * @param lora LoRA adapters ({@code rank}, default 8; {@code alpha}, default 16; {@code dropout}, default 0;
 *     {@code targets}, default every projection: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj,
 *     down_proj): only they train and are published; on a Hugging Face model or the builtin llama
 *     architecture; default null (full training)
 */
public record ModelSection(
        ModelSource source,
        String path,
        Architecture architecture,
        Integer layers,
        Integer heads,
        Integer dModel,
        Integer mlpWidth,
        Integer contextLength,
        Positions positions,
        TokenizerSpec tokenizer,
        String init,
        Precision dtype,
        LoraConfig lora) {

    /** Any valid vocabulary size: the shape is validated before the tokenizer is known. */
    private static final int PROBE_VOCAB_SIZE = 256;

    /** Every key at its default. */
    public static ModelSection defaults() {
        return builtin(4, 4, 128, 512, 32, Positions.LEARNED, null, null);
    }

    /** A builtin {@code gpt} model of this shape. */
    public static ModelSection builtin(
            int layers,
            int heads,
            int dModel,
            int mlpWidth,
            int contextLength,
            Positions positions,
            TokenizerSpec tokenizer,
            String init) {
        return new ModelSection(
                ModelSource.BUILTIN,
                null,
                Architecture.GPT,
                layers,
                heads,
                dModel,
                mlpWidth,
                contextLength,
                positions,
                tokenizer,
                init,
                Precision.FLOAT32,
                null);
    }

    /** The Hugging Face model in {@code path}. */
    public static ModelSection huggingFace(String path) {
        return new ModelSection(
                ModelSource.HUGGINGFACE,
                path,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                Precision.FLOAT32,
                null);
    }

    public ModelSection {
        source = source == null ? ModelSource.BUILTIN : source;
        dtype = dtype == null ? Precision.FLOAT32 : dtype;
        ConfigErrors e = new ConfigErrors();
        if (source == ModelSource.BUILTIN) {
            architecture = architecture == null ? Architecture.GPT : architecture;
            layers = layers == null ? 4 : layers;
            heads = heads == null ? 4 : heads;
            dModel = dModel == null ? 128 : dModel;
            mlpWidth = mlpWidth == null ? 512 : mlpWidth;
            contextLength = contextLength == null ? 32 : contextLength;
            positions = positions == null
                    ? (architecture == Architecture.LLAMA ? Positions.ROTARY : Positions.LEARNED)
                    : positions;
            e.check(
                    path == null,
                    "model.path",
                    path,
                    "only applies to model.source huggingface: remove it, or set model.source: huggingface");
            int l = layers;
            int h = heads;
            int d = dModel;
            int w = mlpWidth;
            int c = contextLength;
            Positions p = positions;
            Architecture a = architecture;
            e.attempt(() -> new ModelConfig(PROBE_VOCAB_SIZE, l, h, d, w, c, p, a));
            if (tokenizer != null) {
                checkTokenizer(e, tokenizer);
            }
            if (lora != null && architecture != Architecture.LLAMA) {
                e.add("model.lora needs a Llama-family decoder: set model.architecture: llama (the gpt architecture"
                        + " has no separate q/k/v/o and gate/up/down projections to adapt), or remove model.lora to"
                        + " train every weight");
            }
        } else {
            e.check(
                    path != null && !path.isBlank(),
                    "model.path",
                    path,
                    "is required with model.source huggingface:"
                            + " set it to the model directory (config.json, model.safetensors, tokenizer.json)");
            String why = "does not apply to model.source huggingface (the model directory's config.json and"
                    + " tokenizer define it): remove it";
            e.check(architecture == null, "model.architecture", architecture, why);
            e.check(layers == null, "model.layers", layers, why);
            e.check(heads == null, "model.heads", heads, why);
            e.check(dModel == null, "model.d_model", dModel, why);
            e.check(mlpWidth == null, "model.mlp_width", mlpWidth, why);
            e.check(contextLength == null, "model.context_length", contextLength, why);
            e.check(positions == null, "model.positions", positions, why);
            e.check(tokenizer == null, "model.tokenizer", tokenizer, why);
            e.check(
                    init == null,
                    "model.init",
                    init,
                    "does not apply to model.source huggingface (model.path holds"
                            + " the starting weights): remove it");
        }
        e.throwIfAny();
    }

    /** The builtin model shape for a tokenizer of {@code vocabSize} ids. */
    public ModelConfig toModelConfig(int vocabSize) {
        if (source != ModelSource.BUILTIN) {
            throw new IllegalStateException("model.source " + source + " has no builtin shape");
        }
        try {
            return toConfig(vocabSize);
        } catch (IllegalArgumentException ex) {
            throw new InvalidConfigException(ex.getMessage());
        }
    }

    private ModelConfig toConfig(int vocabSize) {
        return new ModelConfig(vocabSize, layers, heads, dModel, mlpWidth, contextLength, positions, architecture);
    }

    private static void checkTokenizer(ConfigErrors e, TokenizerSpec spec) {
        switch (spec.type()) {
            case TokenizerSpec.HUGGING_FACE, TokenizerSpec.HUGGING_FACE_MODEL -> {
                e.check(
                        spec.path() != null && !spec.path().isBlank(),
                        "model.tokenizer.path",
                        spec.path(),
                        "is required for a " + spec.type() + " tokenizer: set it to "
                                + (spec.type().equals(TokenizerSpec.HUGGING_FACE)
                                        ? "a tokenizer.json file"
                                        : "a Hugging Face model directory"));
                e.check(
                        spec.alphabet() == null,
                        "model.tokenizer.alphabet",
                        spec.alphabet(),
                        "only applies to char tokenizers: remove it");
            }
            case TokenizerSpec.CHAR -> {
                e.check(
                        spec.alphabet() != null && !spec.alphabet().isEmpty(),
                        "model.tokenizer.alphabet",
                        spec.alphabet(),
                        "is required for a char tokenizer (or remove model.tokenizer to use the task's alphabet)");
                e.check(
                        spec.path() == null,
                        "model.tokenizer.path",
                        spec.path(),
                        "only applies to huggingface tokenizers: remove it");
            }
            default ->
                e.check(
                        false,
                        "model.tokenizer.type",
                        spec.type(),
                        "must be huggingface, huggingface_model or char (or remove model.tokenizer for the task's char"
                                + " tokenizer)");
        }
    }

    /**
     * The section: every key is optional (the constructor resolves what applies to the source), and
     * {@code dtype}, {@code tokenizer} and {@code lora} are read by hand.
     */
    static ModelSection read(SectionReader in) {
        return in.bind(
                ModelSection.class,
                null,
                Custom.of("tokenizer", c -> c.nested("tokenizer", ModelSection::readTokenizer, null)),
                Custom.of("dtype", ModelSection::dtype),
                Custom.of("lora", c -> c.nested("lora", ModelSection::readLora, null)));
    }

    /** {@code model.dtype}; {@code bfloat16} is refused with the reason. */
    private static Precision dtype(SectionReader in) {
        String text = in.optionalString("dtype", null);
        if (text == null) {
            return Precision.FLOAT32;
        }
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        for (Precision p : Precision.values()) {
            if (p.configName().equals(wanted)) {
                return p;
            }
        }
        if (wanted.equals("bfloat16") || wanted.equals("bf16")) {
            in.error("model.dtype (" + ConfigErrors.show(text) + ") is not supported: DJL 0.35.1's PyTorch engine"
                    + " aborts the JVM on bfloat16 arrays on the CPU, and no test has proven them on a GPU. Use"
                    + " float16 for the generators and teacher on a GPU, or float32 (bfloat16 weights on disk are"
                    + " fine: they are widened to float32 when loaded)");
        } else {
            in.error("model.dtype (" + ConfigErrors.show(text) + ") must be float32 or float16");
        }
        return Precision.FLOAT32;
    }

    private static LoraConfig readLora(SectionReader in) {
        return in.bind(
                LoraConfig.class,
                new LoraConfig(LoraConfig.DEFAULT_RANK, LoraConfig.DEFAULT_ALPHA, 0.0, LoraConfig.TARGETS));
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
