package io.rollstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.config.ConfigLoader;
import io.rollstream.config.ConfigWriter;
import io.rollstream.config.RunConfig;
import io.rollstream.job.PlanFactory;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ParameterLayout;
import io.rollstream.tokenizer.TokenizerSpec;
import io.rollstream.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every command ends a user error in one line (a few for several config problems) with exit code 2,
 * no stack trace unless {@code --verbose}, and nothing written: the replays of issue 13's findings.
 */
class RollstreamCliTest {

    private static final String SMOKE = "configs/ci/smoke.yaml";

    @TempDir
    Path dir;

    /** What a command printed to stderr and how it exited. */
    private record Ended(int code, String err) {
        List<String> lines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        /** A user error: exit code 2, no stack trace, the given number of lines, the first containing {@code text}. */
        Ended userError(int lines, String text) {
            assertThat(code).as("exit code; stderr: %s", err).isEqualTo(2);
            assertThat(err).as("no stack trace").doesNotContain("\tat ");
            assertThat(lines()).as(err).hasSize(lines);
            assertThat(lines().get(0)).contains(text);
            return this;
        }
    }

    private static Ended rollstream(String... args) {
        StringWriter err = new StringWriter();
        int code = RollstreamCli.commandLine()
                .setErr(new PrintWriter(err))
                .setOut(new PrintWriter(new StringWriter()))
                .execute(args);
        return new Ended(code, err.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "model.d_model=65536            | rollstream run: the model (model.layers 1, model.d_model 65536",
                "model.context_length=2147483647 | has a parameter wpe of (2147483647 x 32) = 68,719,476,704 values",
                "sft.examples=2000000000        | ROLLSTREAM_JAVA_OPTS=-Xmx",
                "model.init=/nope               | rollstream run: model.init ('/nope') does not exist: give a checkpoint",
                "model.tokenizer={type: huggingface, path: /nope} | model.tokenizer.path ('/nope') does not exist",
                "job.name=../../x               | rollstream run: invalid config configs/ci/smoke.yaml: job.name ('../../x')",
                "rollout.temprature=0.7         | unknown key rollout.temprature (did you mean rollout.temperature?)",
            })
    void runRefusesAUserErrorInOneLineBeforeWritingAnything(String override, String text) {
        Path run = dir.resolve("run");
        rollstream("run", "--config", SMOKE, "--run-dir", run.toString(), "--set", override)
                .userError(1, text);
        assertThat(run).doesNotExist();
    }

    @Test
    void aJsonlRunChecksItsDataAndOptionsFirst() throws IOException {
        Path run = dir.resolve("run");
        String tokenizer = "model.tokenizer={type: char, alphabet: '0123456789+='}";
        rollstream(
                        "run",
                        "--config",
                        SMOKE,
                        "--run-dir",
                        run.toString(),
                        "--set",
                        "data.source=jsonl",
                        "--set",
                        "data.path=/nope",
                        "--set",
                        tokenizer,
                        "--set",
                        "sft.steps=0")
                .userError(1, "data.path ('/nope') does not exist: give a JSONL file or a directory of them");
        Path data = Files.writeString(dir.resolve("p.jsonl"), "{\"prompt\": \"1+1=\", \"answer\": 2}\n");
        rollstream(
                        "run",
                        "--config",
                        SMOKE,
                        "--run-dir",
                        run.toString(),
                        "--set",
                        "data.source=jsonl",
                        "--set",
                        "data.path=" + data,
                        "--set",
                        tokenizer)
                .userError(1, "sft.steps (120) needs data.source: task");
        rollstream(
                        "run",
                        "--config",
                        SMOKE,
                        "--run-dir",
                        run.toString(),
                        "--set",
                        "data.source=jsonl",
                        "--set",
                        "data.path=/nope",
                        "--set",
                        "model.init=/nope")
                .userError(4, "rollstream run: 3 problems:");
        assertThat(run).doesNotExist();
    }

    @Test
    void badFlagsAndMissingFilesAreOneLine() {
        rollstream("run", "--config", SMOKE, "--nope")
                .userError(1, "rollstream run: unknown option '--nope' (see rollstream run --help)");
        rollstream("run", "--config", "nope.yaml")
                .userError(
                        1,
                        "rollstream run: invalid config nope.yaml:"
                                + " configuration file nope.yaml does not exist (looked for "
                                + Path.of("nope.yaml").toAbsolutePath());
        rollstream().userError(1, "rollstream: name a command (see rollstream --help)");
        rollstream("bench", "nope").userError(1, "rollstream bench: Invalid value for positional parameter");
        rollstream("bench", "memory", "--model", dir.toString(), "--micro-batch", "0")
                .userError(
                        1,
                        "rollstream bench: --micro-batch must be >= 1, got 0 (leave it out for the automatic choice)");
        rollstream("report", dir.toString()).userError(1, "rollstream report: " + dir + " is not a run directory");
        rollstream("stop", dir.toString())
                .userError(1, "rollstream stop: " + dir + " has no running job (no job.json)");
        rollstream("eval", "--policy", dir.resolve("nope.rsckpt").toString())
                .userError(1, "rollstream eval: --policy " + dir.resolve("nope.rsckpt") + " is neither a .rsckpt file");
    }

    @Test
    void aMistypedCommandOrOptionGetsTheNearestNamesNotTheUsage() {
        rollstream("rnu").userError(1, "rollstream: unknown command 'rnu'; did you mean run? (see rollstream --help)");
        rollstream("reprot", "runs/x").userError(1, "rollstream: unknown command 'reprot'; did you mean report?");
        rollstream("qwerty").userError(1, "rollstream: unknown command 'qwerty' (see rollstream --help)");
        // before picocli's complaint about the missing --config, the misspelt --config itself
        rollstream("run", "--confg", SMOKE)
                .userError(
                        1,
                        "rollstream run: unknown option '--confg'; did you mean"
                                + " --config? (see rollstream run --help)");
        rollstream("run", "--config", SMOKE, "--sett=a=b").userError(1, "unknown option '--sett'; did you mean --set?");
    }

    @Test
    void evalTemperatureWithoutSamplesNamesTheFix() {
        rollstream("eval", "--policy", dir.toString(), "--temperature", "0.7")
                .userError(1, "rollstream eval: --temperature applies to sampled pass@K only: add --samples K");
    }

    @Test
    void helpBreaksLinesBetweenWordsOnly() {
        for (String command : List.of("run", "eval", "export", "sft", "report", "stop", "experiment")) {
            StringWriter out = new StringWriter();
            RollstreamCli.commandLine().setOut(new PrintWriter(out)).execute(command, "--help");
            String help = out.toString();
            for (String word : List.of(
                    "final-model.rsckpt",
                    "rollout.temperature=0.7",
                    "runs/<job.name>-<timestamp>",
                    "model.safetensors",
                    "teacher.checkpoint")) {
                String head = word.substring(0, word.indexOf('.') + 1);
                assertThat(help)
                        .as("%s --help:%n%s", command, help)
                        .doesNotContainPattern(Pattern.quote(head) + "\\s*\\R");
            }
            assertThat(help.lines())
                    .as(help)
                    .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        }
    }

    @Test
    void verboseAddsTheStackTrace() {
        Ended ended = rollstream("run", "--verbose", "--config", SMOKE, "--set", "model.init=/nope");
        assertThat(ended.code()).isEqualTo(2);
        assertThat(ended.err()).contains("\tat io.rollstream.job.PreFlight");
        assertThat(ended.lines().get(ended.lines().size() - 1))
                .isEqualTo("rollstream run: model.init ('/nope') does not exist: give a checkpoint (.rsckpt)");
    }

    @Test
    void evalOfADamagedCheckpointIsOneLine() throws IOException {
        Path damaged =
                Files.write(dir.resolve("damaged.rsckpt"), ("RSCK" + "x".repeat(100)).getBytes(StandardCharsets.UTF_8));
        rollstream("eval", "--policy", damaged.toString(), "--task", "arithmetic")
                .userError(
                        1,
                        "rollstream eval: " + damaged + ": checkpoint checksum mismatch: the file is truncated or"
                                + " corrupted");
    }

    @Test
    void aRunDirectoryWithFilesIsNeverWrittenByAnotherRun() throws IOException {
        Path used = dir.resolve("used");
        Files.createDirectories(used);
        Files.writeString(used.resolve("config.yaml"), "job: {name: other}\n");
        Files.writeString(used.resolve("metrics.jsonl"), "{\"phase\":\"rl\",\"step\":0}\n");
        Map<String, String> before = contents(used);

        rollstream("run", "--config", SMOKE, "--run-dir", used.toString())
                .userError(
                        1,
                        "rollstream run: --run-dir "
                                + used
                                + " already holds a run (config.yaml, metrics.jsonl): a new run needs a new or empty directory;"
                                + " choose another --run-dir, or continue that run with --resume-from " + used);
        rollstream("sft", "--config", SMOKE, "--run-dir", used.toString())
                .userError(1, "rollstream sft: --run-dir " + used + " already holds a run");
        assertThat(contents(used)).isEqualTo(before);
    }

    @Test
    void aRefusedResumeChangesNothing() throws IOException {
        Path run = fakeRun(dir.resolve("run"));
        Map<String, String> before = contents(run);

        rollstream("run", "--config", SMOKE, "--resume-from", run.toString(), "--set", "model.d_model=64")
                .userError(
                        1,
                        "rollstream run: --resume-from " + run + ": model.d_model is 64 here but 32 in the run being"
                                + " resumed: a resumed run keeps its model, data source and algorithm; resume with --config "
                                + run.resolve("config.yaml"));
        rollstream(
                        "run",
                        "--config",
                        SMOKE,
                        "--resume-from",
                        run.toString(),
                        "--run-dir",
                        dir.resolve("elsewhere").toString())
                .userError(1, "differs from the run directory of the resume point");
        // Flink itself refuses the resume point (a damaged savepoint): the files are put back as they were.
        rollstream("run", "--config", SMOKE, "--resume-from", run.toString(), "--set", "job.max_steps=6")
                .userError(
                        1,
                        "rollstream run: --resume-from: Flink cannot restore the resume point into the job this"
                                + " config makes (");
        assertThat(contents(run)).isEqualTo(before);
        assertThat(dir.resolve("elsewhere")).doesNotExist();
    }

    @Test
    void distillVarianceChecksEveryArmAndItsOutputDirectoryFirst() throws IOException {
        String config = "configs/distill-variance.yaml";
        RunConfig c = ConfigLoader.load(Path.of(config));
        TokenizerSpec tokenizer = PlanFactory.tokenizer(c);
        ModelConfig student =
                c.model().toModelConfig(Tokenizers.create(tokenizer).vocabSize());
        Path init = dir.resolve("student.rsckpt");
        Path teacher = dir.resolve("teacher.rsckpt");
        CheckpointFormat.save(checkpoint(student, tokenizer), init);
        CheckpointFormat.save(checkpoint(student, tokenizer), teacher);
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("table.md"), "an earlier attempt of the experiment: it continues");
        Files.writeString(out.resolve("notes.txt"), "not the experiment's");

        rollstream(
                        "distill-variance",
                        "--config",
                        config,
                        "--out",
                        out.toString(),
                        "--set",
                        "model.init=" + init,
                        "--set",
                        "teacher.checkpoint=" + teacher)
                .userError(1, "rollstream distill-variance: --out " + out + " already holds files (notes.txt)");
        rollstream(
                        "distill-variance",
                        "--config",
                        config,
                        "--out",
                        dir.resolve("new").toString(),
                        "--set",
                        "model.init=/nope",
                        "--set",
                        "teacher.checkpoint=/nope")
                .userError(3, "2 problems:");
        assertThat(dir.resolve("new")).doesNotExist();
    }

    /** A finished run directory whose only resume point is a damaged savepoint. */
    private static Path fakeRun(Path run) throws IOException {
        Files.createDirectories(run);
        ConfigWriter.write(ConfigLoader.load(Path.of(SMOKE)), run.resolve("config.yaml"));
        Files.writeString(run.resolve("metrics.jsonl"), "{\"phase\":\"rl\",\"step\":3}\n");
        Path savepoint = Files.createDirectories(run.resolve("savepoints/savepoint-1"));
        Files.writeString(savepoint.resolve("_metadata"), "not a savepoint");
        Files.createDirectories(run.resolve("policy"));
        Files.writeString(run.resolve("policy/FINISHED"), "{\"steps\":4,\"attempt\":\"a\"}");
        return run;
    }

    private static Checkpoint checkpoint(ModelConfig model, TokenizerSpec tokenizer) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        ParameterLayout.shapes(model).forEach((name, shape) -> weights.put(name, new float[(int) shape.size()]));
        return new Checkpoint(0, model, tokenizer, weights, null, Map.of());
    }

    /** Every file and folder under {@code root}, files with their content. */
    private static Map<String, String> contents(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                files.put(
                        root.relativize(p).toString(),
                        Files.isDirectory(p) ? "folder" : Arrays.toString(Files.readAllBytes(p)));
            }
        }
        return files;
    }
}
