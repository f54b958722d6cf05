package io.rollstream.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.rollstream.job.RunEvents;
import io.rollstream.output.JsonLines;
import io.rollstream.types.StepMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a run directory records, as read at one moment (the run may still be going).
 *
 * @param dir the run directory
 * @param configYaml the resolved config.yaml, or null when missing
 * @param sft metrics.jsonl lines of the SFT warm start, in order
 * @param rl metrics.jsonl lines of RL steps, in order
 * @param rollouts rollouts.jsonl lines (empty when the file is missing)
 * @param finished whether the run saved its final model
 * @param events events.jsonl lines, the history of the run's attempts (empty when the file is missing)
 */
public record RunRecords(
        Path dir,
        String configYaml,
        List<StepMetrics> sft,
        List<StepMetrics> rl,
        List<JsonNode> rollouts,
        boolean finished,
        List<JsonNode> events) {

    /** The run's {@code job.name} from its config.yaml, or null when the config is missing or has none. */
    public String jobName() {
        if (configYaml == null) {
            return null;
        }
        try {
            JsonNode name = new YAMLMapper().readTree(configYaml).path("job").path("name");
            return name.isTextual() ? name.asText() : null;
        } catch (IOException unreadable) {
            return null; // the page shows the config as it is; the title falls back to the folder
        }
    }

    /**
     * @throws IllegalArgumentException when {@code dir} is not a run directory (no metrics.jsonl)
     */
    public static RunRecords read(Path dir) throws IOException {
        Path metrics = dir.resolve("metrics.jsonl");
        if (!Files.isRegularFile(metrics)) {
            throw new IllegalArgumentException(dir + " is not a run directory: it has no metrics.jsonl"
                    + " (give the --run-dir of `jobs/rollstream run`, e.g. runs/quickstart-20260101-120000)");
        }
        List<StepMetrics> lines = JsonLines.read(metrics, StepMetrics.class);
        Path config = dir.resolve("config.yaml");
        Path rollouts = dir.resolve("rollouts.jsonl");
        return new RunRecords(
                dir,
                Files.isRegularFile(config) ? Files.readString(config, StandardCharsets.UTF_8) : null,
                lines.stream().filter(StepMetrics::isSft).toList(),
                lines.stream().filter(StepMetrics::isRl).toList(),
                Files.isRegularFile(rollouts) ? JsonLines.read(rollouts) : List.of(),
                Files.isRegularFile(dir.resolve("final-model.rsckpt")),
                new RunEvents(dir.resolve(RunEvents.FILE)).read());
    }
}
