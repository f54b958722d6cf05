package io.rollstream.job;

import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.config.ConfigWriter;
import io.rollstream.config.RunConfig;
import io.rollstream.model.ModelSpec;
import io.rollstream.tokenizer.PromptCodec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code rollstream sft}: supervised training only, no Flink job — the config's {@code sft} warm
 * start on the built-in task, written as {@code final-model.rsckpt}. This is how a distillation
 * teacher is made (typically a larger model than the student, trained longer on the same task), and
 * how a fixed student start for several distillation runs is made. Uses the {@code job} (seed),
 * {@code data}, {@code model}, {@code sft} and {@code eval} sections.
 */
public final class SftRun {

    private SftRun() {}

    /**
     * Trains and returns the checkpoint's path; null when {@code rollstream stop} stopped the
     * training (its state is saved in the run directory: continue with {@code resume}).
     *
     * @param resume continue the interrupted training of {@code runDir} from its saved state
     */
    public static Path run(RunConfig config, Path runDir, boolean resume, PrintStream out) throws Exception {
        if (config.sft().steps() == 0) {
            throw new IllegalArgumentException("sft.steps is 0, so there is nothing to train: set sft.steps > 0");
        }
        if (config.model().lora() != null) {
            throw new IllegalArgumentException("model.lora does not apply to rollstream sft, which trains every weight"
                    + " of the model it writes: remove model.lora (a run with model.lora can start from the result)");
        }
        RunPaths paths = RunPaths.under(runDir, null);
        PreFlight.Checked checked = PreFlight.check(config, PreFlight.Mode.SFT, false);
        if (resume) {
            RunDirectory.requireResumable(paths.dir(), config);
            if (Files.exists(paths.finalModel())) {
                throw new IllegalArgumentException("--resume: " + paths.finalModel() + " already exists: the training"
                        + " of " + runDir + " is complete");
            }
        } else {
            RunDirectory.requireNewOrEmpty(paths.dir(), "--run-dir");
        }
        Files.createDirectories(paths.dir());
        ConfigWriter.write(config, paths.config());
        try (RunLog log = RunLog.open(paths.runLog(), out)) {
            return train(config, paths, checked, resume, log.out());
        }
    }

    private static Path train(
            RunConfig config, RunPaths paths, PreFlight.Checked checked, boolean resume, PrintStream out)
            throws Exception {
        ModelSpec model = checked.model();
        out.println("sft: " + model.describe() + ", " + config.sft().steps() + " steps");
        long start = System.currentTimeMillis();
        PromptCodec codec = new PromptCodec(
                checked.tokenizer(), PlanFactory.tokenizer(config).promptFormat());
        try {
            LocalRun.initialPolicy(
                    config,
                    model,
                    checked.init(),
                    codec,
                    paths,
                    resume,
                    out,
                    trained -> CheckpointFormat.save(trained, paths.finalModel()));
        } catch (WarmStart.Stopped stopped) {
            out.println("stopped after step " + stopped.step() + " of "
                    + config.sft().steps() + "; continue with: jobs/rollstream sft --config " + paths.config()
                    + " --run-dir " + paths.dir() + " --resume");
            return null;
        }
        RunEvents.of(paths)
                .append(
                        RunEvents.FINISH,
                        RunEvents.fields(
                                "phase",
                                "sft",
                                "steps",
                                config.sft().steps(),
                                "final_model",
                                paths.finalModel().toString()));
        out.println(String.format(
                "sft finished in %.0f s; model: %s",
                (System.currentTimeMillis() - start) / 1000.0, paths.finalModel()));
        return paths.finalModel();
    }
}
