package io.rollstream.cli;

import io.rollstream.bench.BenchSuite;
import io.rollstream.bench.GeneratorScalingBenchmark;
import io.rollstream.bench.MemoryBenchmark;
import io.rollstream.bench.ModelBenchmark;
import io.rollstream.bench.PipelineBenchmark;
import io.rollstream.bench.ResidentMemory;
import io.rollstream.common.Json;
import io.rollstream.model.LoraConfig;
import io.rollstream.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rollstream bench model|memory|pipeline|scaling}: prints one JSON line of measurements;
 * {@code bench all} runs them, each in its own JVM, and writes a Markdown table.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks that print one JSON line. Targets on a 2-core CPU: model — decode_mfu >= 0.30,"
                + " train_mfu >= 0.40, cache_speedup >= 5 (builtin model only), and with --model DIR"
                + " train_peak_over_estimate <= 1.5 (peak resident memory of training steps, measured in a fresh"
                + " JVM, over weights + gradients + AdamW state), with --lora also lora_train_peak_over_estimate"
                + " <= 1.5 and lora_state_fraction <= 0.1; MFU is over the fp32 matmul peak measured on this"
                + " machine (peak_gflops); memory — that measurement alone, in this JVM; pipeline —"
                + " pipeline_efficiency >= 0.85, learner_busy_fraction >= 0.9; scaling — rollout parallelism 2 vs"
                + " 1 through the job, speedup >= 1.7; all — model (builtin), pipeline and scaling, written to"
                + " --out. jobs/bench-model-100m.sh runs model on a 100M-parameter Llama made by model init.")
final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "what to benchmark: ${COMPLETION-CANDIDATES}")
    Target target;

    @Option(names = "--decode-rows", description = "rows decoded together (default 64 with --model, else 256)")
    Integer decodeRows;

    @Option(
            names = "--train-rows",
            defaultValue = "64",
            description = "rows per training step (default ${DEFAULT-VALUE})")
    int trainRows;

    @Option(
            names = "--micro-batch",
            description = "model, memory: rows per forward/backward pass of a training step"
                    + " (default: the most rows of 64 tokens within 128 tokens: 2)")
    Integer microBatch;

    @Option(
            names = "--lora",
            description =
                    "model: also train LoRA adapters on the --model (speed, peak memory in"
                            + " a fresh JVM, learner state against full training's); memory: train adapters instead of every weight")
    boolean lora;

    @Option(
            names = "--lora-rank",
            defaultValue = "8",
            description = "--lora: adapter rank, alpha twice it, every projection adapted (default ${DEFAULT-VALUE})")
    int loraRank;

    @Option(
            names = "--model",
            description = "model, memory: the model benchmarked instead of a fresh builtin one: a"
                    + " Hugging Face directory (e.g. made by model init), a .rsckpt checkpoint or a policy version; --d-model,"
                    + " --layers and --architecture do not apply")
    Path modelPath;

    @Option(names = "--d-model", defaultValue = "256", description = "model width (default ${DEFAULT-VALUE})")
    int dModel;

    @Option(names = "--layers", defaultValue = "4", description = "transformer blocks (default ${DEFAULT-VALUE})")
    int layers;

    @Option(
            names = "--architecture",
            defaultValue = "gpt",
            description = "model: the builtin architecture, ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    Architecture architecture;

    @Option(
            names = "--repeats",
            defaultValue = "3",
            description = "timed repeats, best kept (default ${DEFAULT-VALUE})")
    int repeats;

    @Option(
            names = "--config",
            defaultValue = "${sys:rollstream.home:-.}/configs/quickstart.yaml",
            description = "pipeline, scaling: the run config benchmarked (default ${DEFAULT-VALUE})")
    Path config;

    @Option(
            names = "--set",
            description =
                    "pipeline, scaling: override a config key, e.g. --set rollout.max_batch_rows=128 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(
            names = "--generation-minutes",
            defaultValue = "1",
            description = "pipeline, scaling: length of each generation-bound job (default ${DEFAULT-VALUE})")
    int generationMinutes;

    @Option(
            names = "--rounds",
            defaultValue = "3",
            description = "scaling: rounds of one job per parallelism, in alternating order (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(
            names = "--learner-steps",
            defaultValue = "30",
            description = "pipeline: steps of the learner-bound job (default ${DEFAULT-VALUE})")
    int learnerSteps;

    @Option(
            names = "--out",
            defaultValue = "${sys:rollstream.home:-.}/docs/benchmarks.md",
            description = "all: the Markdown file written (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--note", description = "all: a line on the conditions, e.g. \"shared machine\"")
    String note;

    enum Target {
        model,
        memory,
        pipeline,
        scaling,
        all
    }

    enum Architecture {
        gpt,
        llama
    }

    @Override
    public Integer call() throws Exception {
        if (target == Target.all) {
            List<String> pipelineArgs = new ArrayList<>(List.of("--config", config.toString()));
            overrides.forEach(o -> pipelineArgs.addAll(List.of("--set", o)));
            String md = new BenchSuite(
                            List.of("--repeats", Integer.toString(repeats)),
                            pipelineArgs,
                            List.of("--rounds", Integer.toString(rounds)))
                    .run(out, note);
            System.out.print(md);
            System.out.println("written to " + out);
            return 0;
        }
        if (target == Target.pipeline || target == Target.scaling) {
            Path work = Files.createTempDirectory("rollstream-bench-" + target);
            try {
                Callable<Map<String, Object>> benchmark;
                try {
                    PipelineBenchmark pipeline =
                            new PipelineBenchmark(config, overrides, work, generationMinutes, learnerSteps);
                    benchmark = target == Target.pipeline
                            ? pipeline::run
                            : new GeneratorScalingBenchmark(pipeline, work, rounds)::run;
                } catch (IllegalArgumentException e) {
                    System.err.println("bench " + target + ": " + e.getMessage());
                    return 2;
                }
                System.out.println(Json.mapper().writeValueAsString(benchmark.call()));
            } finally {
                deleteTree(work);
            }
            return 0;
        }
        ModelConfig d = ModelConfig.defaults(32);
        ModelConfig model = new ModelConfig(
                d.vocabSize(),
                layers,
                d.heads(),
                dModel,
                4 * dModel,
                d.contextLength(),
                architecture == Architecture.gpt ? d.positions() : null,
                architecture == Architecture.gpt ? ModelConfig.Architecture.GPT : ModelConfig.Architecture.LLAMA);
        if ((target == Target.memory || lora) && modelPath == null) {
            System.err.println("bench " + target + ": " + (lora ? "--lora" : "memory") + " needs --model DIR (e.g. a"
                    + " Llama made by model init, as jobs/bench-model-100m.sh does)");
            return 2;
        }
        if (microBatch != null && microBatch < 1) {
            throw new IllegalArgumentException(
                    "--micro-batch must be >= 1, got " + microBatch + " (leave it out for the automatic choice)");
        }
        ModelBenchmark.Settings defaults = ModelBenchmark.Settings.defaults();
        boolean pretrainedSize = modelPath != null;
        int rows = decodeRows != null ? decodeRows : pretrainedSize ? 64 : defaults.decodeRows();
        int micro = microBatch != null ? microBatch : ModelBenchmark.AUTOMATIC_MICRO_BATCH;
        // Decoding without the KV cache recomputes every prefix: minutes for a model of pretrained size.
        ModelBenchmark.Settings settings = new ModelBenchmark.Settings(
                model,
                modelPath,
                rows,
                defaults.promptTokens(),
                defaults.newTokens(),
                trainRows,
                micro,
                defaults.trainTokens(),
                repeats,
                !pretrainedSize,
                lora ? new LoraConfig(loraRank, 2.0 * loraRank, 0.0, List.of()) : null);
        Map<String, Object> result;
        if (target == Target.memory) {
            result = new MemoryBenchmark(settings).run();
        } else {
            ModelBenchmark benchmark = new ModelBenchmark(settings);
            result = benchmark.run();
            settings = benchmark.resolvedSettings(); // the fresh JVMs train in the same micro-batches
            if (pretrainedSize && ResidentMemory.available()) {
                System.err.println("bench model: peak memory of training, in a fresh JVM...");
                MemoryBenchmark.inFreshJvm(settings, false).forEachRemaining(f -> result.put(f.getKey(), f.getValue()));
                if (lora) {
                    System.err.println("bench model: peak memory of LoRA training, in a fresh JVM...");
                    MemoryBenchmark.inFreshJvm(settings, true)
                            .forEachRemaining(f -> result.put(f.getKey(), f.getValue()));
                }
            }
        }
        System.out.println(Json.mapper().writeValueAsString(result));
        return 0;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
