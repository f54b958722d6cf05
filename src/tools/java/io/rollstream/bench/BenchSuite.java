package io.rollstream.bench;

import io.rollstream.common.Json;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench all}: the model benchmark, the pipeline benchmark and generator scaling ({@link
 * GeneratorScalingBenchmark}), each in its own JVM so each gets the PyTorch intra-op thread count it
 * is meant to run with — all cores for the model alone, one per PyTorch user for the job, as {@code
 * jobs/rollstream} sets them. The results go to a Markdown file.
 */
public final class BenchSuite {

    private static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";

    /** One sub-benchmark: the name it is shown under, its {@code bench} arguments and its threads. */
    record Run(String name, List<String> benchArgs, int threads) {}

    private final List<String> pipelineArgs;
    private final List<String> modelArgs;
    private final List<String> scalingArgs;

    /**
     * @param modelArgs extra arguments of {@code bench model}
     * @param pipelineArgs extra arguments of {@code bench pipeline} and {@code bench scaling} ({@code --config},
     *     {@code --set ...})
     * @param scalingArgs extra arguments of {@code bench scaling} only ({@code --rounds})
     */
    public BenchSuite(List<String> modelArgs, List<String> pipelineArgs, List<String> scalingArgs) {
        this.modelArgs = modelArgs;
        this.pipelineArgs = pipelineArgs;
        this.scalingArgs = scalingArgs;
    }

    List<Run> runs() {
        int cores = Runtime.getRuntime().availableProcessors();
        List<Run> runs = new ArrayList<>();
        runs.add(new Run("model", concat(List.of("model"), modelArgs), cores));
        runs.add(new Run("pipeline (rollout.parallelism=1)",
                concat(concat(List.of("pipeline"), pipelineArgs), List.of("--set", "rollout.parallelism=1")), 1));
        runs.add(new Run("generator scaling", concat(concat(List.of("scaling"), pipelineArgs), scalingArgs), 1));
        return runs;
    }

    /** Runs every sub-benchmark, writes the table to {@code out} and returns it. */
    public String run(Path out, String note) throws IOException, InterruptedException {
        Map<String, JsonNode> results = new LinkedHashMap<>();
        Map<String, String> commands = new LinkedHashMap<>();
        List<Run> runs = runs();
        for (Run r : runs) {
            System.err.println("bench all: " + r.name() + " (" + r.threads() + " intra-op threads)...");
            commands.put(r.name(), "ROLLSTREAM_THREADS=" + r.threads() + " jobs/rollstream bench "
                    + String.join(" ", r.benchArgs()));
            results.put(r.name(), runInOwnJvm(r));
        }
        String md = BenchmarkTable.markdown(Machine.current(), results, commands, runs.get(2).name(),
                LocalDate.now().toString(), note);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, md, StandardCharsets.UTF_8);
        return md;
    }

    /** This JVM's java, options and class path, with the sub-benchmark's thread count. */
    private static JsonNode runInOwnJvm(Run r) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!option.startsWith("-D" + THREADS_PROPERTY + "=")) {
                command.add(option);
            }
        }
        command.add("-D" + THREADS_PROPERTY + "=" + r.threads());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.rollstream.cli.RollstreamCli");
        command.add("bench");
        command.addAll(r.benchArgs());
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        String json = stdout.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
        if (code != 0 || json == null) {
            throw new IllegalStateException("bench " + String.join(" ", r.benchArgs()) + " failed (exit " + code
                    + "); its output:\n" + stdout);
        }
        return Json.mapper().readTree(json);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
