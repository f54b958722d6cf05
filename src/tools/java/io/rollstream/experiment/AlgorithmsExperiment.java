package io.rollstream.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import io.rollstream.config.ConfigLoader;
import io.rollstream.config.DataSection;
import io.rollstream.config.RunConfig;
import io.rollstream.job.LocalRun;
import io.rollstream.job.RunDirectory;
import io.rollstream.job.SftRun;
import io.rollstream.learner.Algorithm;
import io.rollstream.output.JsonLines;
import io.rollstream.types.StepMetrics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.util.FileUtils;

/**
 * Which loss works here: the quickstart task (or any GRPO config on a built-in task) run once per
 * arm — a loss, an aggregation, an advantage, or any other overrides — all from one SFT checkpoint
 * (trained once, or given), with the same seed and the same number of learner steps. Each arm runs
 * under {@code out/<arm>/}; an arm whose run already finished is read, not repeated. The report
 * ({@link AlgorithmsReport}) goes to {@code out/report/}.
 */
public final class AlgorithmsExperiment {

    /** One arm: a short name, what it changes, and the overrides that make it. */
    public record Arm(String name, String description, List<String> overrides) {

        public Arm {
            if (!name.matches("[A-Za-z0-9_.+-]+")) {
                throw new IllegalArgumentException("arm name '" + name + "' must be letters, digits, _ . + or -");
            }
            overrides = List.copyOf(overrides);
        }

        /**
         * Whether the arm needs an SFT start of its own: it changes the model ({@code model.*}, e.g. the
         * architecture, so the shared checkpoint does not fit) or the SFT that makes the start ({@code sft.*},
         * {@code data.*}), unless it names its start itself ({@link #init}).
         */
        public boolean ownSftStart() {
            return init() == null
                    && overrides.stream()
                            .anyMatch(o -> o.startsWith("model.") || o.startsWith("sft.") || o.startsWith("data."));
        }

        /** The checkpoint the arm starts from by its own {@code model.init} override, or null. */
        public Path init() {
            return overrides.stream()
                    .filter(o -> o.startsWith("model.init="))
                    .map(o -> Path.of(o.substring(11).trim()))
                    .reduce((first, last) -> last)
                    .orElse(null);
        }

        /**
         * An arm written {@code name:key=value;key=value} (the overrides may be empty:
         * {@code name:}); the description lists the overrides.
         */
        public static Arm parse(String text) {
            int colon = text.indexOf(':');
            if (colon < 1) {
                throw new IllegalArgumentException("--arm " + text + ": expected name:key=value;key=value, e.g."
                        + " lr2e-4:learner.learning_rate=2e-4");
            }
            String rest = text.substring(colon + 1).trim();
            List<String> overrides = rest.isEmpty()
                    ? List.of()
                    : Arrays.stream(rest.split(";"))
                            .map(String::trim)
                            .filter(o -> !o.isEmpty())
                            .toList();
            return new Arm(
                    text.substring(0, colon),
                    overrides.isEmpty() ? "as configured" : String.join(", ", overrides),
                    overrides);
        }
    }

    /**
     * The comparison the issue asks for: each loss, the aggregation and advantage choices worth comparing,
     * and the other builtin architecture (which trains its own SFT start).
     */
    public static final List<Arm> DEFAULT_ARMS = List.of(
            new Arm("dppo", "`dppo` (the default), token mean, reward − mean", List.of()),
            new Arm("ppo_clip", "`ppo_clip` 0.2 / 0.28 (DAPO clip-higher)", List.of("learner.loss=ppo_clip")),
            new Arm(
                    "gspo",
                    "`gspo` 3e-4 / 4e-4, seq_mean_token_mean",
                    List.of("learner.loss=gspo", "learner.loss_aggregation=seq_mean_token_mean")),
            new Arm("cispo", "`cispo` (no lower bound) / 0.28", List.of("learner.loss=cispo")),
            new Arm(
                    "ppo_clip_std",
                    "`ppo_clip`, advantages / group std",
                    List.of("learner.loss=ppo_clip", "buffer.advantage=group_mean_std")),
            new Arm(
                    "ppo_clip_rloo",
                    "`ppo_clip`, RLOO advantages",
                    List.of("learner.loss=ppo_clip", "buffer.advantage=rloo")),
            new Arm(
                    "dr_grpo",
                    "`ppo_clip`, Dr. GRPO (no std, seq_mean_token_sum)",
                    List.of(
                            "learner.loss=ppo_clip",
                            "buffer.advantage=dr_grpo",
                            "learner.loss_aggregation=seq_mean_token_sum")),
            new Arm(
                    "grpo_seq_mean",
                    "`ppo_clip`, original GRPO (std, seq_mean_token_mean)",
                    List.of(
                            "learner.loss=ppo_clip",
                            "buffer.advantage=group_mean_std",
                            "learner.loss_aggregation=seq_mean_token_mean")),
            new Arm(
                    "llama",
                    "`dppo`, `model.architecture: llama` (RMSNorm, SwiGLU, rotary; its own SFT start)",
                    List.of("model.architecture=llama")));

    /** What the experiment ran on. */
    public record Settings(
            Path config,
            List<String> overrides,
            List<Arm> arms,
            int steps,
            Path sftCheckpoint,
            Path out,
            String command) {}

    private static final String WALL_FILE = "experiment-wall.json";
    /** An arm that changes the model or its SFT trains its own start under {@code out/sft-<arm>/}. */
    private static final String SFT_PREFIX = "sft-";

    private AlgorithmsExperiment() {}

    /** Runs (or reads) every arm and writes the report into {@code out/report}; returns the arms. */
    public static List<AlgorithmArm> run(Settings s, PrintStream print) throws Exception {
        RunConfig base = ConfigLoader.load(s.config(), s.overrides());
        check(base);
        Set<String> own = new HashSet<>(List.of("sft", "report"));
        for (Arm arm : s.arms()) {
            own.add(arm.name());
            own.add(SFT_PREFIX + arm.name());
        }
        RunDirectory.requireNewOrOwn(s.out(), "--out", name -> own.contains(name) || finishedEarlier(s.out(), name));
        String loadBefore = loadAverage();
        Path shared = null;
        List<AlgorithmArm> arms = new ArrayList<>();
        int i = 0;
        for (Arm arm : s.arms()) {
            i++;
            Path start;
            if (arm.init() != null) {
                start = arm.init();
            } else if (arm.ownSftStart()) {
                RunConfig armBase = ConfigLoader.load(s.config(), concat(s.overrides(), arm.overrides()));
                start = sftOnce(armBase, s.out().resolve(SFT_PREFIX + arm.name()), arm.name(), print);
            } else {
                if (shared == null) {
                    shared = s.sftCheckpoint() != null
                            ? s.sftCheckpoint()
                            : sftOnce(base, s.out().resolve("sft"), null, print);
                }
                start = shared;
            }
            Path dir = s.out().resolve(arm.name());
            Path wallFile = dir.resolve(WALL_FILE);
            if (Files.exists(wallFile)) {
                print.println("=== [" + i + "/" + s.arms().size() + "] " + arm.name() + " already ran: reading " + dir);
            } else {
                FileUtils.deleteDirectory(dir.toFile()); // an interrupted arm: run it again
                List<String> overrides = new ArrayList<>(s.overrides());
                overrides.addAll(arm.overrides());
                overrides.addAll(List.of(
                        "model.init=" + start.toAbsolutePath(),
                        "sft.steps=0",
                        "job.max_steps=" + s.steps(),
                        "job.max_minutes=0",
                        "job.web_ui=false",
                        "job.name=" + base.job().name() + "-" + arm.name()));
                RunConfig config = ConfigLoader.load(s.config(), overrides);
                print.println("=== [" + i + "/" + s.arms().size() + "] " + arm.name() + " (" + arm.description() + "): "
                        + s.steps() + " learner steps from " + start + " -> " + dir + "; load " + loadAverage());
                String loadAtStart = loadAverage();
                long begin = System.nanoTime();
                LocalRun.run(config, dir, null, print);
                double wall = (System.nanoTime() - begin) / 1e9;
                Files.writeString(
                        wallFile,
                        Json.mapper()
                                .writeValueAsString(Map.of(
                                        "wall_seconds",
                                        wall,
                                        "load_before",
                                        loadAtStart,
                                        "load_after",
                                        loadAverage())));
            }
            JsonNode wall = Json.mapper().readTree(wallFile.toFile());
            arms.add(AlgorithmArm.read(
                    arm.name(),
                    arm.description(),
                    arm.overrides(),
                    dir.resolve("metrics.jsonl"),
                    wall.path("wall_seconds").asDouble(),
                    sftAccuracy(start),
                    wall.path("load_before").asText("") + " / "
                            + wall.path("load_after").asText("")));
        }
        AlgorithmsReport.Context context = new AlgorithmsReport.Context(s.command(), loadBefore, loadAverage());
        Path report = s.out().resolve("report");
        print.println(AlgorithmsReport.write(arms, context, report));
        print.println("report: " + report.resolve(AlgorithmsReport.TABLE_MD) + ", plot: "
                + report.resolve(AlgorithmsReport.PLOT_PNG));
        return arms;
    }

    /**
     * Whether {@code out/name} is what an earlier invocation with other arms finished: an arm's run
     * (it holds the wall-time file) or an arm's SFT start (it holds its checkpoint).
     */
    private static boolean finishedEarlier(Path out, String name) {
        Path dir = out.resolve(name);
        return Files.isRegularFile(dir.resolve(WALL_FILE))
                || name.startsWith(SFT_PREFIX) && Files.isRegularFile(dir.resolve("final-model.rsckpt"));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * The SFT checkpoint under {@code dir}, trained now unless an earlier run of the experiment made
     * it ({@code arm} null: the start shared by the arms that keep the model and SFT as configured).
     */
    private static Path sftOnce(RunConfig config, Path dir, String arm, PrintStream print) throws Exception {
        Path checkpoint = dir.resolve("final-model.rsckpt");
        if (Files.exists(checkpoint)) {
            print.println("=== SFT start: reusing " + checkpoint);
            return checkpoint;
        }
        print.println("=== SFT start"
                + (arm == null
                        ? ", shared by every arm that keeps model.* and sft.*"
                        : " of arm " + arm + " (it changes the model or its SFT)")
                + " -> " + dir + "; load " + loadAverage());
        // An interrupted earlier attempt left its config and saved state: its training continues.
        return SftRun.run(config, dir, Files.isRegularFile(dir.resolve("config.yaml")), print);
    }

    /** The last held-out accuracy the SFT run logged next to {@code checkpoint}, NaN when none. */
    private static double sftAccuracy(Path checkpoint) throws IOException {
        Path metrics = checkpoint.toAbsolutePath().getParent().resolve("metrics.jsonl");
        double accuracy = Double.NaN;
        if (Files.exists(metrics)) {
            for (StepMetrics m : JsonLines.read(metrics, StepMetrics.class)) {
                if (m.evaluated()) {
                    accuracy = m.evalAccuracy();
                }
            }
        }
        return accuracy;
    }

    private static void check(RunConfig c) {
        if (c.learner().algorithm() != Algorithm.GRPO) {
            throw new IllegalArgumentException("the algorithms experiment compares GRPO losses: set learner.algorithm:"
                    + " grpo (e.g. configs/quickstart.yaml)");
        }
        if (c.data().source() != DataSection.Source.TASK || c.eval().problems() == 0) {
            throw new IllegalArgumentException("the algorithms experiment needs a built-in task (data.source: task)"
                    + " with held-out evaluation (eval.problems > 0)");
        }
        if (c.sft().steps() == 0 && c.model().init() == null) {
            throw new IllegalArgumentException(
                    "every arm starts from one SFT checkpoint: set sft.steps > 0 or pass --sft-checkpoint");
        }
    }

    /** {@code /proc/loadavg}'s first three fields, or "unknown" off Linux. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
