package io.rollstream.job;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.config.ConfigWriter;
import io.rollstream.config.DataSection;
import io.rollstream.config.RunConfig;
import io.rollstream.model.ModelConfig;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.tokenizer.Tokenizer;
import io.rollstream.tokenizer.Tokenizers;

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
        if (config.data().source() != DataSection.Source.TASK) {
            throw new IllegalArgumentException("sft needs data.source: task (demonstrations come from the built-in task)");
        }
        RunPaths paths = RunPaths.under(runDir, null);
        if (Files.exists(paths.finalModel())) {
            throw new IllegalArgumentException(paths.finalModel() + " already exists: choose another --run-dir");
        }
        if (resume && !Files.isRegularFile(paths.config())) {
            throw new IllegalArgumentException("--resume: " + runDir + " holds no interrupted `rollstream sft` run"
                    + " (no config.yaml)");
        }
        Files.createDirectories(paths.dir());
        ConfigWriter.write(config, paths.config());
        try (RunLog log = RunLog.open(paths.runLog(), out)) {
            return train(config, paths, resume, log.out());
        }
    }

    private static Path train(RunConfig config, RunPaths paths, boolean resume, PrintStream out) throws Exception {
        Tokenizer tokenizer = Tokenizers.create(PlanFactory.tokenizer(config));
        ModelConfig model = config.model().toModelConfig(tokenizer.vocabSize());
        out.println("sft: " + model.parameterCount() + " parameters, " + config.sft().steps() + " steps");
        long start = System.currentTimeMillis();
        Checkpoint trained;
        try {
            trained = LocalRun.initialPolicy(config, model, new PromptCodec(tokenizer), paths, resume, out);
        } catch (WarmStart.Stopped stopped) {
            out.println("stopped after step " + stopped.step() + " of " + config.sft().steps() + "; continue with:"
                    + " jobs/rollstream sft --config " + paths.config() + " --run-dir " + paths.dir() + " --resume");
            return null;
        }
        CheckpointFormat.save(trained, paths.finalModel());
        RunEvents.of(paths).append(RunEvents.FINISH, RunEvents.fields("phase", "sft", "steps", config.sft().steps(),
                "final_model", paths.finalModel().toString()));
        out.println(String.format("sft finished in %.0f s; model: %s", (System.currentTimeMillis() - start) / 1000.0,
                paths.finalModel()));
        return paths.finalModel();
    }
}
