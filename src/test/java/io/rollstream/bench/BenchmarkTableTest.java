package io.rollstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchmarkTableTest {

    private static final Machine MACHINE = new Machine(2, "Test CPU @ 2.0GHz", "Linux amd64", "OpenJDK 17");

    @Test
    void tablesListEveryMeasurementWithItsTargetAndTheGeneratorSpeedup() throws Exception {
        Map<String, JsonNode> results = new LinkedHashMap<>();
        results.put(
                "model", Json.mapper().readTree("{\"benchmark\":\"model\",\"decode_mfu\":0.27,\"train_mfu\":0.73}"));
        results.put(
                "p1",
                Json.mapper()
                        .readTree("{\"engine_tokens_per_s\":1100.0,\"pipeline_tokens_per_s\":1000.0,"
                                + "\"pipeline_efficiency\":0.9}"));
        results.put(
                "scaling",
                Json.mapper()
                        .readTree("{\"benchmark\":\"scaling\",\"rounds\":2,"
                                + "\"job_tokens_per_s_1\":1000.0,\"job_tokens_per_s_2\":1500.0,\"speedup\":1.5,"
                                + "\"engine_tokens_per_s_1\":1100.0,\"engine_tokens_per_s_2\":1980.0,\"engine_speedup\":1.8,"
                                + "\"round_speedups\":[1.45,1.55],\"round_engine_speedups\":[1.79,1.81]}"));
        Map<String, String> commands = Map.of("model", "jobs/rollstream bench model", "p1", "a", "scaling", "b");

        String md = BenchmarkTable.markdown(MACHINE, results, commands, "scaling", "2026-12-01", "Shared machine.");

        assertThat(md)
                .contains("2 cores, Test CPU @ 2.0GHz", "Shared machine.", "`jobs/rollstream bench model`")
                .contains("| decode_mfu | 0.27 | ≥ 0.3 (not met) |", "| train_mfu | 0.73 | ≥ 0.4 (met) |")
                .contains("| pipeline_efficiency | 0.9 | ≥ 0.85 (met) |", "| speedup | 1.5 | ≥ 1.7 (not met) |")
                .contains("| round_speedups | [1.45,1.55] |  |", "Means over 2 rounds")
                .contains("| through the job | 1000 | 1500 | 1.50 | ≥ 1.7 (not met) | 1.45, 1.55 |")
                .contains("| bare engines | 1100 | 1980 | 1.80 | | 1.79, 1.81 |");
    }

    @Test
    void theCpuModelComesFromProcCpuinfo() {
        assertThat(Machine.cpuModel(List.of(
                        "processor\t: 0", "model name\t: Intel(R) Xeon(R) Platinum 8488C", "model name\t: other")))
                .isEqualTo("Intel(R) Xeon(R) Platinum 8488C");
        assertThat(Machine.cpuModel(List.of())).isEqualTo("unknown");
    }

    @Test
    void theModelRunsOnEveryCoreAndEachPipelineRunWithOneThreadPerPyTorchUser() {
        List<BenchSuite.Run> runs = new BenchSuite(
                        List.of("--repeats", "1"), List.of("--set", "job.max_steps=40"), List.of("--rounds", "3"))
                .runs();
        assertThat(runs)
                .extracting(BenchSuite.Run::threads)
                .containsExactly(Runtime.getRuntime().availableProcessors(), 1, 1);
        assertThat(runs.get(0).benchArgs()).containsExactly("model", "--repeats", "1");
        assertThat(runs.get(1).benchArgs())
                .containsExactly("pipeline", "--set", "job.max_steps=40", "--set", "rollout.parallelism=1");
        assertThat(runs.get(2).benchArgs()).containsExactly("scaling", "--set", "job.max_steps=40", "--rounds", "3");
    }

    @Test
    void scalingRoundsAlternateTheirOrderSoADriftWeighsOnBothSides() {
        assertThat(GeneratorScalingBenchmark.order(0)).containsExactly(1, 2);
        assertThat(GeneratorScalingBenchmark.order(1)).containsExactly(2, 1);
        assertThat(GeneratorScalingBenchmark.order(2)).containsExactly(1, 2);
        assertThat(GeneratorScalingBenchmark.ratios(new double[] {3, 4}, new double[] {2, 2}))
                .containsExactly(1.5, 2.0);
        assertThat(GeneratorScalingBenchmark.mean(new double[] {1, 2, 6})).isEqualTo(3.0);
    }
}
