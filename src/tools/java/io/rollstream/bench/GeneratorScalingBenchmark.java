package io.rollstream.bench;

import io.rollstream.config.RunConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generator scaling: rollout tokens/s of the generation-bound job ({@link PipelineBenchmark}) with
 * {@code rollout.parallelism} 2 over 1, next to what the machine allows — the same number of bare
 * sampling engines in parallel threads with nothing else running.
 *
 * <p>One measurement of each is not enough on a shared machine: back-to-back runs of the same
 * engine loop differ by up to a fifth here. So the jobs run in rounds, in one JVM, alternating the
 * order (1 then 2, then 2 then 1, …) so that a slow drift of the machine weighs on both sides
 * alike, and each job's bare engines run right after it, under the same conditions. The speedup is
 * the ratio of the means over the rounds; each round's own ratio is reported too, to show the
 * spread.
 */
public final class GeneratorScalingBenchmark {

    /** The parallelisms compared. */
    static final int[] PARALLELISMS = {1, 2};

    private final PipelineBenchmark pipeline;
    private final Path workDir;
    private final int rounds;

    /**
     * @param pipeline the generation-bound job's settings (config, overrides, minutes)
     * @param workDir scratch directory for the run directories
     * @param rounds rounds of one job per parallelism, at least 1
     */
    public GeneratorScalingBenchmark(PipelineBenchmark pipeline, Path workDir, int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
        }
        this.pipeline = pipeline;
        this.workDir = workDir;
        this.rounds = rounds;
    }

    /** Round {@code r}'s order of parallelisms: 1, 2 in even rounds and 2, 1 in odd ones. */
    static int[] order(int round) {
        return round % 2 == 0 ? PARALLELISMS : new int[] {PARALLELISMS[1], PARALLELISMS[0]};
    }

    public Map<String, Object> run() throws Exception {
        double[][] job = new double[PARALLELISMS.length][rounds];
        double[][] engines = new double[PARALLELISMS.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int parallelism : order(r)) {
                int i = parallelism - 1;
                RunConfig generation = pipeline.generationConfig(List.of("rollout.parallelism=" + parallelism));
                System.err.printf(
                        "bench scaling: round %d of %d, rollout.parallelism=%d%n", r + 1, rounds, parallelism);
                PipelineBenchmark.Generation measured = PipelineBenchmark.throughTheJob(
                        generation, workDir.resolve("round-" + r + "-parallelism-" + parallelism));
                job[i][r] = measured.tokensPerSecond();
                engines[i][r] = PipelineBenchmark.engineTokensPerSecond(
                        generation, measured.store(), measured.groups(), parallelism);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "scaling");
        out.put("config", pipeline.configFile().toString());
        out.put("rounds", rounds);
        out.put("job_tokens_per_s_1", PipelineBenchmark.round(mean(job[0])));
        out.put("job_tokens_per_s_2", PipelineBenchmark.round(mean(job[1])));
        out.put("speedup", PipelineBenchmark.round(mean(job[1]) / mean(job[0])));
        out.put("engine_tokens_per_s_1", PipelineBenchmark.round(mean(engines[0])));
        out.put("engine_tokens_per_s_2", PipelineBenchmark.round(mean(engines[1])));
        out.put("engine_speedup", PipelineBenchmark.round(mean(engines[1]) / mean(engines[0])));
        out.put("round_speedups", ratios(job[1], job[0]));
        out.put("round_engine_speedups", ratios(engines[1], engines[0]));
        return out;
    }

    static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    static List<Double> ratios(double[] numerators, double[] denominators) {
        List<Double> out = new ArrayList<>(numerators.length);
        for (int i = 0; i < numerators.length; i++) {
            out.add(PipelineBenchmark.round(numerators[i] / denominators[i]));
        }
        return out;
    }
}
