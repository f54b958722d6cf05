package io.rollstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.common.Json;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

class BenchmarkTableTest {

    private static final Machine MACHINE = new Machine(2, "Test CPU @ 2.0GHz", "Linux amd64", "OpenJDK 17");

    @Test
    void tablesListEveryMeasurementWithItsTargetAndTheGeneratorSpeedup() throws Exception {
        Map<String, JsonNode> results = new LinkedHashMap<>();
        results.put("model", Json.mapper().readTree("{\"benchmark\":\"model\",\"decode_mfu\":0.27,\"train_mfu\":0.73}"));
        results.put("p1", Json.mapper().readTree("{\"engine_tokens_per_s\":1100.0,\"pipeline_tokens_per_s\":1000.0,"
                + "\"pipeline_efficiency\":0.9}"));
        results.put("p2", Json.mapper().readTree("{\"engine_tokens_per_s\":1980.0,\"pipeline_tokens_per_s\":1500.0,"
                + "\"pipeline_efficiency\":0.8}"));
        Map<String, String> commands = Map.of("model", "jobs/rollstream bench model", "p1", "a", "p2", "b");

        String md = BenchmarkTable.markdown(MACHINE, results, commands, List.of("p1", "p2"), "2026-12-01",
                "Shared machine.");

        assertThat(md).contains("2 cores, Test CPU @ 2.0GHz", "Shared machine.", "`jobs/rollstream bench model`")
                .contains("| decode_mfu | 0.27 | ≥ 0.3 (not met) |", "| train_mfu | 0.73 | ≥ 0.4 (met) |")
                .contains("| pipeline_efficiency | 0.9 | ≥ 0.85 (met) |", "| pipeline_efficiency | 0.8 | ≥ 0.85 (not met) |")
                .contains("| through the job | 1000 | 1500 | 1.50 | ≥ 1.7 (not met) |")
                .contains("| bare engines | 1100 | 1980 | 1.80 | |");
    }

    @Test
    void theCpuModelComesFromProcCpuinfo() {
        assertThat(Machine.cpuModel(List.of("processor\t: 0", "model name\t: Intel(R) Xeon(R) Platinum 8488C",
                "model name\t: other"))).isEqualTo("Intel(R) Xeon(R) Platinum 8488C");
        assertThat(Machine.cpuModel(List.of())).isEqualTo("unknown");
    }

    @Test
    void theModelRunsOnEveryCoreAndEachPipelineRunWithOneThreadPerPyTorchUser() {
        List<BenchSuite.Run> runs = new BenchSuite(List.of("--repeats", "1"), List.of("--set", "job.max_steps=40"))
                .runs();
        assertThat(runs).extracting(BenchSuite.Run::threads)
                .containsExactly(Runtime.getRuntime().availableProcessors(), 1, 1);
        assertThat(runs.get(0).benchArgs()).containsExactly("model", "--repeats", "1");
        assertThat(runs.get(1).benchArgs()).containsExactly("pipeline", "--set", "job.max_steps=40", "--set",
                "rollout.parallelism=1");
        assertThat(runs.get(2).benchArgs()).endsWith("--set", "rollout.parallelism=2");
    }
}
