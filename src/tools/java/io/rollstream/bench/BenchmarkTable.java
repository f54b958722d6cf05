package io.rollstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * {@code bench all}'s results as Markdown: the machine, then one table per benchmark (each
 * benchmark's JSON line, with its targets and whether they were met), then generator scaling.
 */
public final class BenchmarkTable {

    /** Target speedup of rollout parallelism 2 over 1 on 2 cores. */
    public static final double SCALING_TARGET = 1.7;

    /** Targets on a 2-core CPU, by key (all "at least"). */
    static final Map<String, Double> TARGETS = Map.of(
            "decode_mfu",
            0.30,
            "train_mfu",
            0.40,
            "cache_speedup",
            5.0,
            "pipeline_efficiency",
            0.85,
            "learner_busy_fraction",
            0.9,
            "speedup",
            SCALING_TARGET);

    private BenchmarkTable() {}

    /**
     * @param machine where it ran
     * @param results each sub-benchmark's JSON line, by the name it is shown under
     * @param commands the command line each result came from, by the same names
     * @param scaling the name of the generator-scaling result, summed up in a table of its own
     * @param note a line on the conditions (e.g. a shared machine), or null
     */
    public static String markdown(
            Machine machine,
            Map<String, JsonNode> results,
            Map<String, String> commands,
            String scaling,
            String date,
            String note) {
        StringBuilder md = new StringBuilder("# Benchmarks\n\n");
        md.append("Written by `jobs/rollstream bench all` on ")
                .append(date)
                .append(". Machine: ")
                .append(machine.cores())
                .append(" cores, ")
                .append(machine.cpuModel())
                .append(", ")
                .append(machine.os())
                .append(", ")
                .append(machine.java())
                .append(".");
        if (note != null && !note.isBlank()) {
            md.append(" ").append(note);
        }
        md.append("\n");
        results.forEach((name, result) -> {
            md.append("\n## ")
                    .append(name)
                    .append("\n\n`")
                    .append(commands.get(name))
                    .append("`\n\n")
                    .append("| metric | value | target |\n|---|---|---|\n");
            for (Iterator<Map.Entry<String, JsonNode>> it = result.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String value = f.getValue().isArray()
                        ? f.getValue().toString()
                        : f.getValue().asText();
                md.append("| ")
                        .append(f.getKey())
                        .append(" | ")
                        .append(value)
                        .append(" | ")
                        .append(target(f.getKey(), f.getValue()))
                        .append(" |\n");
            }
        });
        JsonNode s = results.get(scaling);
        if (s != null) {
            double speedup = s.path("speedup").asDouble();
            md.append("\n## Generator scaling\n\nRollout tokens/s with `rollout.parallelism` 2 over 1: through the")
                    .append(" generation-bound job, and — what the machine allows — as many bare sampling engines in")
                    .append(" parallel threads with nothing else running. Means over ")
                    .append(s.path("rounds").asInt())
                    .append(" rounds run in alternating order; each round's speedup in the last column.")
                    .append("\n\n| | parallelism 1 | parallelism 2 | speedup | target | by round |\n")
                    .append("|---|---|---|---|---|---|\n")
                    .append(String.format(
                            "| through the job | %.0f | %.0f | %.2f | ≥ %.1f %s | %s |%n",
                            s.path("job_tokens_per_s_1").asDouble(),
                            s.path("job_tokens_per_s_2").asDouble(),
                            speedup,
                            SCALING_TARGET,
                            speedup >= SCALING_TARGET ? "(met)" : "(not met)",
                            byRound(s.path("round_speedups"))))
                    .append(String.format(
                            "| bare engines | %.0f | %.0f | %.2f | | %s |%n",
                            s.path("engine_tokens_per_s_1").asDouble(),
                            s.path("engine_tokens_per_s_2").asDouble(),
                            s.path("engine_speedup").asDouble(),
                            byRound(s.path("round_engine_speedups"))));
        }
        return md.toString();
    }

    private static String byRound(JsonNode ratios) {
        StringBuilder out = new StringBuilder();
        ratios.forEach(r -> out.append(out.length() == 0 ? "" : ", ").append(String.format("%.2f", r.asDouble())));
        return out.toString();
    }

    private static String target(String key, JsonNode value) {
        Double target = TARGETS.get(key);
        if (target == null) {
            return "";
        }
        return "≥ " + target + (value.asDouble() >= target ? " (met)" : " (not met)");
    }
}
