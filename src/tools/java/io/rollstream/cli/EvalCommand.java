package io.rollstream.cli;

import io.rollstream.common.Json;
import io.rollstream.config.ConfigLoader;
import io.rollstream.config.DataSection;
import io.rollstream.config.InvalidConfigException;
import io.rollstream.config.RunConfig;
import io.rollstream.eval.EvalSpec;
import io.rollstream.eval.HeldOutEvaluation;
import io.rollstream.eval.SavedPolicy;
import io.rollstream.job.PlanFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rollstream eval}: held-out accuracy of a saved policy as one JSON line. The held-out
 * problems come from a run config exactly as the run's periodic evaluation draws them
 * ({@link PlanFactory#eval}): the config of the run directory the policy lies in (else the
 * defaults of every config), with the flags applied as overrides ({@code --seed} = {@code job.seed},
 * {@code --n} = {@code eval.problems}, ...). With no flags but {@code --policy}, the number is the
 * run's own evaluation of that version.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Greedy accuracy (or sampled pass@k with --samples) of a saved policy on held-out problems,"
                + " as one JSON line. Defaults come from the config of the run the policy belongs to.")
final class EvalCommand implements Callable<Integer> {

    /** Held-out problems when neither the run nor --n says how many. */
    private static final int DEFAULT_PROBLEMS = 200;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--policy",
            required = true,
            description = "a .rsckpt file, a policy version folder (RUN/policy/step-NNNNNN) or a run directory"
                    + " (its final-model.rsckpt)")
    Path policy;

    @Option(names = "--task", description = "built-in task (default: the run's data.task)")
    String task;

    @Option(names = "--n", description = "held-out problems (default: the run's eval.problems, else 200)")
    Integer n;

    @Option(names = "--difficulty", description = "task difficulty (default: the run's data.difficulty)")
    Integer difficulty;

    @Option(
            names = "--seed",
            description = "the training seed; held-out problems use a seed derived from it"
                    + " (default: the run's job.seed)")
    Long seed;

    @Option(names = "--max-new-tokens", description = "generation bound (default: the run's eval bound)")
    Integer maxNewTokens;

    @Option(
            names = "--samples",
            defaultValue = "0",
            description = "K completions per problem for sampled pass@K (default: 0 = greedy accuracy)")
    int samples;

    /** The sampling temperature of pass@K when --temperature is not given. */
    private static final double DEFAULT_TEMPERATURE = 1.0;

    @Option(
            names = "--temperature",
            description = "sampling temperature with --samples (default: " + DEFAULT_TEMPERATURE + ")")
    Double temperature;

    @Override
    public Integer call() throws Exception {
        if (temperature != null && samples == 0) {
            throw new IllegalArgumentException("--temperature applies to sampled pass@K only: add --samples K"
                    + " (e.g. --samples 8), or drop --temperature for greedy accuracy");
        }
        SavedPolicy saved = SavedPolicy.load(policy); // a user error (no such policy, a damaged file) ends in one line
        RunConfig config =
                evalConfig(saved.runDir().map(dir -> dir.resolve("config.yaml")).orElse(null));
        EvalSpec heldOut = PlanFactory.eval(config);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("policy", policy.toString());
        line.put(
                "defaults_from",
                saved.runDir().map(d -> d.resolve("config.yaml").toString()).orElse("built-in"));
        line.putAll(new HeldOutEvaluation(
                        heldOut.withSampling(samples, temperature != null ? temperature : DEFAULT_TEMPERATURE))
                .run(saved));
        spec.commandLine().getOut().println(Json.mapper().writeValueAsString(line));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The run's config (or the defaults) with the flags applied; its eval section names the problems. */
    private RunConfig evalConfig(Path runConfig) {
        try {
            RunConfig base = runConfig != null ? ConfigLoader.load(runConfig) : ConfigLoader.parse("{}");
            List<String> overrides = new ArrayList<>();
            if (task != null) {
                overrides.add("data.source=task");
                overrides.add("data.task=" + task);
            } else if (runConfig == null || base.data().source() != DataSection.Source.TASK) {
                throw new IllegalArgumentException("--task is required: " + policy
                        + (runConfig == null ? " is not inside a run directory" : "'s run reads a JSONL dataset"));
            }
            if (n != null || base.eval().problems() == 0) {
                overrides.add("eval.problems=" + (n != null ? n : DEFAULT_PROBLEMS));
            }
            if (difficulty != null) {
                overrides.add("data.difficulty=" + difficulty);
            }
            if (seed != null) {
                overrides.add("job.seed=" + seed);
            }
            if (maxNewTokens != null) {
                overrides.add("eval.max_new_tokens=" + maxNewTokens);
            }
            return runConfig != null ? ConfigLoader.load(runConfig, overrides) : ConfigLoader.parse("{}", overrides);
        } catch (InvalidConfigException e) {
            throw new IllegalArgumentException(
                    "no valid evaluation from " + (runConfig != null ? runConfig : "the default config")
                            + " and these flags: " + String.join("; ", e.errors()),
                    e);
        }
    }
}
