package io.rollstream.cli;

import io.rollstream.bench.ModelBenchmark;
import io.rollstream.common.Json;
import io.rollstream.model.ModelConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code rollstream bench model}: prints one JSON line of measurements. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print one JSON line. Targets: model — decode_mfu >= 0.30, train_mfu >= 0.40,"
                + " cache_speedup >= 5 on a 2-core CPU.")
final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "what to benchmark: ${COMPLETION-CANDIDATES}")
    Target target;

    @Option(names = "--decode-rows", defaultValue = "256", description = "rows decoded together (default ${DEFAULT-VALUE})")
    int decodeRows;

    @Option(names = "--train-rows", defaultValue = "64", description = "rows per training step (default ${DEFAULT-VALUE})")
    int trainRows;

    @Option(names = "--d-model", defaultValue = "256", description = "model width (default ${DEFAULT-VALUE})")
    int dModel;

    @Option(names = "--layers", defaultValue = "4", description = "transformer blocks (default ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--repeats", defaultValue = "3", description = "timed repeats, best kept (default ${DEFAULT-VALUE})")
    int repeats;

    enum Target { model }

    @Override
    public Integer call() throws Exception {
        ModelConfig d = ModelConfig.defaults(32);
        ModelConfig model = new ModelConfig(d.vocabSize(), layers, d.heads(), dModel, 4 * dModel, d.contextLength(),
                d.positions());
        ModelBenchmark.Settings defaults = ModelBenchmark.Settings.defaults();
        ModelBenchmark.Settings settings = new ModelBenchmark.Settings(model, decodeRows, defaults.promptTokens(),
                defaults.newTokens(), trainRows, defaults.trainTokens(), repeats);
        System.out.println(Json.mapper().writeValueAsString(new ModelBenchmark(settings).run()));
        return 0;
    }
}
