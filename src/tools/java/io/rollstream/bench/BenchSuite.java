package io.rollstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
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

    /** The line of the benchmarks file after which {@code bench all} leaves everything as it is. */
    public static final String KEEP = "<!-- bench all keeps what follows -->";

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
        runs.add(new Run(
                "pipeline (rollout.parallelism=1)",
                concat(concat(List.of("pipeline"), pipelineArgs), List.of("--set", "rollout.parallelism=1")),
                1));
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
            commands.put(
                    r.name(),
                    "ROLLSTREAM_THREADS=" + r.threads() + " jobs/rollstream bench " + String.join(" ", r.benchArgs()));
            results.put(r.name(), runInOwnJvm(r));
        }
        String md = BenchmarkTable.markdown(
                Machine.current(),
                results,
                commands,
                runs.get(2).name(),
                LocalDate.now().toString(),
                note);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, md + keptPart(out), StandardCharsets.UTF_8);
        return md;
    }

    /**
     * What {@code bench all} keeps of the file it rewrites: everything from the line {@link #KEEP}
     * on (results of benchmarks it does not run, such as {@code jobs/bench-model-100m.sh}), or
     * nothing.
     */
    static String keptPart(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return "";
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int at = text.indexOf(KEEP);
        return at < 0 ? "" : "\n" + text.substring(at);
    }

    private static JsonNode runInOwnJvm(Run r) throws IOException, InterruptedException {
        return OwnJvm.bench(r.benchArgs(), r.threads());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
