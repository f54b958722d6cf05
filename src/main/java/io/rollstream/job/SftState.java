package io.rollstream.job;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.common.Json;
import io.rollstream.config.RunConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The SFT warm start's files in {@code <run>/sft/}: its saved state, and the stop handshake with
 * {@code rollstream stop}.
 * <ul>
 *   <li>{@code state.rsckpt}: the newest saved state ({@link WarmStart.Saver}), in the checkpoint
 *       format (checksummed, written under a temporary name and renamed, so a kill mid-save leaves
 *       the previous state). Its metadata adds the length {@code metrics.jsonl} had when it was
 *       saved — a resume cuts the file back to it, so SFT rows after the saved step are not
 *       duplicated — and the settings it was trained with, which a resume must match.
 *   <li>{@code running.json}: the process id of the launcher while it trains, so {@code stop}
 *       knows the warm start is under way;
 *   <li>{@code STOP}: written by {@code stop}; the warm start saves, removes it and ends.
 * </ul>
 */
final class SftState implements WarmStart.Saver {

    static final String STATE = "state.rsckpt";
    static final String RUNNING = "running.json";
    static final String STOP = "STOP";
    /** Checkpoint metadata: length of metrics.jsonl when the state was saved. */
    static final String METRICS_BYTES = "metrics_bytes";
    /** Checkpoint metadata: the settings that determine the warm start's result ({@link #settingsOf}). */
    static final String SETTINGS = "sft_settings";

    private final Path dir;
    private final Path metrics;
    private final String settings;

    /**
     * @param settings what the saved state must have been trained with ({@link #settingsOf}), or null
     *     where only the stop handshake is used
     */
    SftState(RunPaths paths, String settings) {
        this.dir = paths.sft();
        this.metrics = paths.metrics();
        this.settings = settings;
    }

    /** What decides the warm start's trajectory: a resume must use the same. */
    static String settingsOf(RunConfig config) {
        // The decay is named only when set, so a state saved before sft.min_learning_rate existed still resumes.
        Double min = config.sft().minLearningRate();
        return String.format(
                "task=%s difficulty=%d seed=%d steps=%d examples=%d batch_size=%d learning_rate=%s"
                        + " warmup_steps=%d%s model=%s",
                config.data().task(),
                config.data().difficulty(),
                config.job().seed(),
                config.sft().steps(),
                config.sft().examples(),
                config.sft().batchSize(),
                config.sft().learningRate(),
                config.sft().warmupSteps(),
                min == null ? "" : " min_learning_rate=" + min,
                config.model());
    }

    Path stateFile() {
        return dir.resolve(STATE);
    }

    @Override
    public void save(Checkpoint state) throws IOException {
        Map<String, String> metadata = new HashMap<>(state.metadata());
        metadata.put(METRICS_BYTES, Long.toString(Files.exists(metrics) ? Files.size(metrics) : 0));
        metadata.put(SETTINGS, settings);
        Files.createDirectories(dir);
        CheckpointFormat.save(
                new Checkpoint(
                        state.step(), state.model(), state.tokenizer(), state.weights(), state.optimizer(), metadata),
                stateFile());
    }

    /**
     * The saved state, if any; its {@code metrics.jsonl} length and settings are checked here.
     * Temporary files of a save cut short by a kill are removed.
     *
     * @throws IllegalArgumentException when the state was saved with other settings, or is damaged
     */
    Optional<Checkpoint> load() throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path temp : files.filter(f -> f.getFileName().toString().endsWith(".tmp"))
                        .toList()) {
                    Files.deleteIfExists(temp);
                }
            }
        }
        if (!Files.exists(stateFile())) {
            return Optional.empty();
        }
        Checkpoint state;
        try {
            state = CheckpointFormat.load(stateFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "the saved SFT state cannot be read (" + e.getMessage() + "); delete " + dir
                            + " to repeat the warm start from its beginning",
                    e);
        }
        String saved = state.metadata().get(SETTINGS);
        if (!settings.equals(saved)) {
            throw new IllegalArgumentException("the saved SFT state in " + dir + " was trained with " + saved
                    + ", but the config now gives " + settings + ": resume with the run's own config.yaml");
        }
        if (state.optimizer() == null
                || !state.metadata().containsKey(WarmStart.STEP)
                || !state.metadata().containsKey(METRICS_BYTES)) {
            throw new IllegalArgumentException(
                    stateFile() + " is not a saved SFT state (no optimizer, step or metrics length)");
        }
        return Optional.of(state);
    }

    /** The length {@code metrics.jsonl} had when {@code state} was saved. */
    static long metricsBytes(Checkpoint state) {
        return Long.parseLong(state.metadata().get(METRICS_BYTES));
    }

    /** The warm start is under way in this process (for {@code stop}); a stale stop request is withdrawn. */
    void markRunning() throws IOException {
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(STOP));
        Path temp = dir.resolve(RUNNING + ".tmp");
        Files.write(
                temp,
                Json.mapper()
                        .writeValueAsBytes(Map.of("pid", ProcessHandle.current().pid())));
        Files.move(temp, dir.resolve(RUNNING), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The warm start has ended (finished, stopped or failed). */
    void clearRunning() throws IOException {
        Files.deleteIfExists(dir.resolve(RUNNING));
        Files.deleteIfExists(dir.resolve(STOP));
    }

    /** Whether a live process is training the warm start of this run. */
    boolean isRunning() throws IOException {
        Path running = dir.resolve(RUNNING);
        if (!Files.isRegularFile(running)) {
            return false;
        }
        long pid = Json.mapper().readTree(running.toFile()).path("pid").asLong();
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Asks the warm start to save its state and end. */
    void requestStop() throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(STOP), new byte[0]);
    }

    @Override
    public boolean stopRequested() {
        return Files.exists(dir.resolve(STOP));
    }
}
