package io.rollstream.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code bench all}'s results as Markdown: the machine, then one table per benchmark (each
 * benchmark's JSON line, with its targets and whether they were met), then generator scaling.
 */
public final class BenchmarkTable {

    /** Target speedup of rollout parallelism 2 over 1 on 2 cores. */
    public static final double SCALING_TARGET = 1.7;

    /** Targets on a 2-core CPU, by key (all "at least"). */
    static final Map<String, Double> TARGETS = Map.of("decode_mfu", 0.30, "train_mfu", 0.40, "cache_speedup", 5.0,
            "pipeline_efficiency", 0.85, "learner_busy_fraction", 0.9);

    private BenchmarkTable() {}

    /**
     * @param machine where it ran
     * @param results each sub-benchmark's JSON line, by the name it is shown under
     * @param commands the command line each result came from, by the same names
     * @param scaling the names of the parallelism-1 and parallelism-2 pipeline results
     * @param note a line on the conditions (e.g. a shared machine), or null
     */
    public static String markdown(Machine machine, Map<String, JsonNode> results, Map<String, String> commands,
            List<String> scaling, String date, String note) {
        StringBuilder md = new StringBuilder("# Benchmarks\n\n");
        md.append("Written by `jobs/rollstream bench all` on ").append(date).append(". Machine: ")
                .append(machine.cores()).append(" cores, ").append(machine.cpuModel()).append(", ")
                .append(machine.os()).append(", ").append(machine.java()).append(".");
        if (note != null && !note.isBlank()) {
            md.append(" ").append(note);
        }
        md.append("\n");
        results.forEach((name, result) -> {
            md.append("\n## ").append(name).append("\n\n`").append(commands.get(name)).append("`\n\n")
                    .append("| metric | value | target |\n|---|---|---|\n");
            for (Iterator<Map.Entry<String, JsonNode>> it = result.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                md.append("| ").append(f.getKey()).append(" | ").append(f.getValue().asText()).append(" | ")
                        .append(target(f.getKey(), f.getValue())).append(" |\n");
            }
        });
        if (scaling.size() == 2 && results.containsKey(scaling.get(0)) && results.containsKey(scaling.get(1))) {
            JsonNode at1 = results.get(scaling.get(0));
            JsonNode at2 = results.get(scaling.get(1));
            double one = at1.path("pipeline_tokens_per_s").asDouble();
            double two = at2.path("pipeline_tokens_per_s").asDouble();
            double speedup = generatorSpeedup(one, two);
            md.append("\n## Generator scaling\n\nRollout tokens/s through the job (`pipeline_tokens_per_s`) with")
                    .append(" `rollout.parallelism` 2 over 1, and — what the machine allows — the same number of")
                    .append(" bare sampling engines run in parallel threads with nothing else (`engine_tokens_per_s`).")
                    .append("\n\n| | parallelism 1 | parallelism 2 | speedup | target |\n|---|---|---|---|---|\n")
                    .append(String.format("| through the job | %.0f | %.0f | %.2f | ≥ %.1f %s |%n", one, two, speedup,
                            SCALING_TARGET, speedup >= SCALING_TARGET ? "(met)" : "(not met)"));
            if (at1.has("engine_tokens_per_s") && at2.has("engine_tokens_per_s")) {
                double e1 = at1.path("engine_tokens_per_s").asDouble();
                double e2 = at2.path("engine_tokens_per_s").asDouble();
                md.append(String.format("| bare engines | %.0f | %.0f | %.2f | |%n", e1, e2, generatorSpeedup(e1, e2)));
            }
        }
        return md.toString();
    }

    static double generatorSpeedup(double tokensPerSecondAt1, double tokensPerSecondAt2) {
        return tokensPerSecondAt1 > 0 ? tokensPerSecondAt2 / tokensPerSecondAt1 : 0;
    }

    private static String target(String key, JsonNode value) {
        Double target = TARGETS.get(key);
        if (target == null) {
            return "";
        }
        return "≥ " + target + (value.asDouble() >= target ? " (met)" : " (not met)");
    }
}
