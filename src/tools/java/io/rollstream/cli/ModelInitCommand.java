package io.rollstream.cli;

import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.huggingface.HfModelWriter;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.DecoderLayout;
import io.rollstream.safetensors.SafetensorsDtype;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rollstream model init}: a randomly initialised Llama-family model in Hugging Face layout
 * (config.json, model.safetensors, generation_config.json, and the tokenizer files of {@code
 * --tokenizer} when given), for benchmarks and tests. Deterministic in {@code --seed}.
 */
@Command(
        name = "init",
        mixinStandardHelpOptions = true,
        description = "Writes a random model in Hugging Face layout (config.json, model.safetensors,"
                + " generation_config.json; tokenizer files copied from --tokenizer).")
final class ModelInitCommand implements Callable<Integer> {

    enum Arch {
        llama,
        mistral,
        qwen2,
        qwen3
    }

    enum Dtype {
        f32,
        bf16
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--arch", required = true, description = "${COMPLETION-CANDIDATES}")
    Arch arch;

    @Option(names = "--out", required = true, description = "directory to write (must not exist or be empty)")
    Path out;

    @Option(names = "--layers", defaultValue = "2", description = "blocks (default ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--hidden", defaultValue = "64", description = "hidden size (default ${DEFAULT-VALUE})")
    int hidden;

    @Option(names = "--heads", defaultValue = "4", description = "attention heads (default ${DEFAULT-VALUE})")
    int heads;

    @Option(names = "--kv-heads", description = "key/value heads (default: --heads)")
    Integer kvHeads;

    @Option(names = "--head-dim", description = "width of a head (default: hidden / heads)")
    Integer headDim;

    @Option(names = "--intermediate", description = "MLP width (default: 3 x hidden)")
    Integer intermediate;

    @Option(names = "--vocab", description = "vocabulary size (default: the --tokenizer's; required without one)")
    Integer vocab;

    @Option(
            names = "--context",
            defaultValue = "2048",
            description = "max_position_embeddings (default ${DEFAULT-VALUE})")
    int context;

    @Option(names = "--rope-theta", description = "rotary base (default: 10000, or 1000000 for qwen2/qwen3)")
    Double ropeTheta;

    @Option(names = "--untied", description = "an output head of its own (default: tied to the embedding)")
    boolean untied;

    @Option(
            names = "--dtype",
            defaultValue = "f32",
            description = "storage type: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    Dtype dtype;

    @Option(
            names = "--tokenizer",
            description = "a directory whose tokenizer.json (and tokenizer_config.json,"
                    + " special_tokens_map.json) is copied along; its BOS and stop ids go into the configs")
    Path tokenizer;

    @Option(names = "--seed", defaultValue = "0", description = "initialisation seed (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        try (Stream<Path> existing = Files.isDirectory(out) ? Files.list(out) : Stream.empty()) {
            if (Files.exists(out)
                    && (!Files.isDirectory(out) || existing.findAny().isPresent())) {
                return fail("--out " + out + " exists and is not an empty directory");
            }
        }
        Integer bos = null;
        List<Integer> eos = List.of();
        int vocabSize;
        if (tokenizer != null) {
            if (!Files.isRegularFile(tokenizer.resolve(HfModelDirectory.TOKENIZER_FILE))) {
                return fail("--tokenizer " + tokenizer + " has no " + HfModelDirectory.TOKENIZER_FILE);
            }
            try (OpenTokenizer t = new OpenTokenizer(HfModelDirectory.tokenizer(tokenizer))) {
                bos = t.get().bosId();
                List<Integer> stops = new ArrayList<>(List.of(t.get().eosId()));
                t.get().stopIds().stream()
                        .sorted()
                        .filter(id -> !stops.contains(id))
                        .forEach(stops::add);
                eos = stops;
                vocabSize = vocab != null ? vocab : t.get().vocabSize();
                if (vocabSize < t.get().vocabSize()) {
                    return fail("--vocab " + vocabSize + " is smaller than the tokenizer's "
                            + t.get().vocabSize());
                }
            }
        } else if (vocab != null) {
            vocabSize = vocab;
        } else {
            return fail("give --vocab (or --tokenizer, whose vocabulary size is used)");
        }
        DecoderConfig config;
        try {
            config = new DecoderConfig(
                    architecture(),
                    vocabSize,
                    hidden,
                    intermediate != null ? intermediate : 3 * hidden,
                    layers,
                    heads,
                    kvHeads != null ? kvHeads : heads,
                    headDim != null ? headDim : hidden / Math.max(1, heads),
                    arch == Arch.llama ? 1e-5 : 1e-6,
                    ropeTheta != null ? ropeTheta : arch == Arch.qwen2 || arch == Arch.qwen3 ? 1e6 : 1e4,
                    null,
                    context,
                    !untied);
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        }
        HfModelWriter.write(
                out,
                config,
                DecoderLayout.initialWeights(config, new SplittableRandom(seed)),
                dtype == Dtype.bf16 ? SafetensorsDtype.BF16 : SafetensorsDtype.F32,
                bos,
                eos,
                tokenizer);
        spec.commandLine().getOut().println("wrote " + out + ": " + config.describe());
        return 0;
    }

    private String architecture() {
        return switch (arch) {
            case llama -> DecoderConfig.LLAMA;
            case mistral -> DecoderConfig.MISTRAL;
            case qwen2 -> DecoderConfig.QWEN2;
            case qwen3 -> DecoderConfig.QWEN3;
        };
    }

    private int fail(String message) {
        spec.commandLine().getErr().println("model init: " + message);
        return 2;
    }
}
