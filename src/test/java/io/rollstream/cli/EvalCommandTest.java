package io.rollstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import io.rollstream.config.ConfigLoader;
import io.rollstream.config.RunConfig;
import io.rollstream.job.LocalRun;
import io.rollstream.policy.PolicyStore;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code rollstream eval} against the run that produced the policies: a tiny run (configs/ci/smoke.yaml,
 * 4 RL steps, held-out evaluation every 2 steps, with pass@k of 4 samples) and then the command on its
 * saved versions.
 */
@Tag("djl")
class EvalCommandTest {

    @TempDir
    static Path work;

    static Path run;
    static List<JsonNode> metrics = new ArrayList<>();

    @BeforeAll
    static void runTinyJob() throws Exception {
        run = work.resolve("run");
        RunConfig config = ConfigLoader.load(
                Path.of("configs/ci/smoke.yaml"),
                List.of("job.max_steps=4", "eval.every_steps=2", "job.max_minutes=5", "eval.samples=4"));
        try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
            LocalRun.run(config, run, null, quiet);
        }
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            metrics.add(Json.mapper().readTree(line));
        }
    }

    @Test
    void everySavedVersionScoresWhatTheRunsPeriodicEvaluationMeasured() throws Exception {
        int compared = 0;
        for (JsonNode m : metrics) {
            if ("rl".equals(m.path("phase").asText()) && m.has("eval_accuracy")) {
                String version = PolicyStore.folder(m.path("step").asLong() + 1);
                JsonNode out =
                        eval("--policy", run.resolve("policy").resolve(version).toString());
                assertThat(out.path("policy_version").asLong())
                        .isEqualTo(m.path("step").asLong() + 1);
                assertThat(out.path("accuracy").asDouble())
                        .as("version %s", version)
                        .isEqualTo(m.path("eval_accuracy").asDouble());
                compared++;
            }
        }
        assertThat(compared).isEqualTo(2); // after steps 1 and 3
    }

    @Test
    void theWarmStartedVersionAndTheFinalModelMatchTheirEvaluationsToo() throws Exception {
        JsonNode sftEval = metrics.stream()
                .filter(m -> "sft".equals(m.path("phase").asText()))
                .filter(m -> m.has("eval_accuracy"))
                .reduce((a, b) -> b)
                .orElseThrow();
        JsonNode lastRl = metrics.get(metrics.size() - 1);
        // The checkpoint file inside the version folder, with the run's settings given as flags.
        String weights = Json.mapper()
                .readTree(run.resolve("policy/step-000000/MANIFEST.json").toFile())
                .path("file")
                .asText();
        JsonNode initial = eval(
                "--policy",
                run.resolve("policy/step-000000").resolve(weights).toString(),
                "--task",
                "arithmetic",
                "--seed",
                "3",
                "--difficulty",
                "1",
                "--n",
                "20",
                "--max-new-tokens",
                "4");
        assertThat(initial.path("accuracy").asDouble())
                .isEqualTo(sftEval.path("eval_accuracy").asDouble());
        // The run directory: its final model, the version of the last step.
        JsonNode fin = eval("--policy", run.toString());
        assertThat(fin.path("policy_version").asLong()).isEqualTo(4);
        assertThat(fin.path("accuracy").asDouble())
                .isEqualTo(lastRl.path("eval_accuracy").asDouble());
        assertThat(fin.path("problems").asInt()).isEqualTo(20);
        assertThat(fin.path("defaults_from").asText()).endsWith("config.yaml");
    }

    @Test
    void thePeriodicPassAtKIsWhatEvalWithAsManySamplesMeasures() throws Exception {
        int compared = 0;
        for (JsonNode m : metrics) {
            if (!m.has("eval_accuracy")) {
                continue;
            }
            assertThat(m.has("eval_pass_at_1") && m.has("eval_pass_at_2") && m.has("eval_pass_at_4"))
                    .as("%s", m)
                    .isTrue();
            if ("rl".equals(m.path("phase").asText())) {
                String version = PolicyStore.folder(m.path("step").asLong() + 1);
                JsonNode out =
                        eval("--policy", run.resolve("policy").resolve(version).toString(), "--samples", "4");
                for (String k : List.of("1", "2", "4")) {
                    assertThat(out.path("pass_at").path(k).asDouble())
                            .as("version %s pass@%s", version, k)
                            .isEqualTo(m.path("eval_pass_at_" + k).asDouble());
                }
                assertThat(out.path("pass_at_k").asDouble())
                        .isEqualTo(m.path("eval_pass_at_4").asDouble());
                compared++;
            }
        }
        assertThat(compared).isEqualTo(2);
    }

    @Test
    void otherHeldOutProblemsGiveAnotherMeasurement() throws Exception {
        JsonNode more = eval("--policy", run.toString(), "--n", "60");
        assertThat(more.path("problems").asInt()).isEqualTo(60);
        assertThat(more.path("accuracy").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void sampledPassAtKIsRepeatableAndAtLeastThePerSampleAccuracy() throws Exception {
        String[] args = {"--policy", run.toString(), "--samples", "4", "--temperature", "1.0"};
        JsonNode first = eval(args);
        assertThat(first.path("mode").asText()).isEqualTo("sampled");
        assertThat(first.path("pass_at_k").asDouble())
                .isBetween(0.0, 1.0)
                .isGreaterThanOrEqualTo(first.path("sample_accuracy").asDouble());
        assertThat(eval(args)).isEqualTo(first);
    }

    @Test
    void aPathThatHoldsNoPolicyIsRefusedNamingTheArgument() {
        StringWriter err = new StringWriter();
        int code = RollstreamCli.commandLine()
                .setErr(new PrintWriter(err))
                .execute("eval", "--policy", work.toString(), "--task", "arithmetic");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .startsWith("rollstream eval: --policy " + work)
                .contains("neither a .rsckpt file")
                .doesNotContain("\tat ");
    }

    private static JsonNode eval(String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new EvalCommand())
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
        assertThat(code).as("exit code; stderr: %s", err).isZero();
        String[] lines = out.toString().strip().split("\n");
        assertThat(lines).as("one JSON line").hasSize(1);
        return Json.mapper().readTree(lines[0]);
    }
}
