package io.rollstream.job;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * Where a run keeps its files. Everything a run leaves behind lives under one run directory
 * unless the config moves the policy store elsewhere.
 */
public record RunPaths(String runDir, String policyStore) implements Serializable {

    public static RunPaths under(Path runDir, String policyStoreOverride) {
        Path abs = runDir.toAbsolutePath();
        return new RunPaths(
                abs.toString(),
                policyStoreOverride != null
                        ? policyStoreOverride
                        : abs.resolve("policy").toString());
    }

    public Path dir() {
        return Path.of(runDir);
    }

    public Path config() {
        return dir().resolve("config.yaml");
    }

    public Path metrics() {
        return dir().resolve("metrics.jsonl");
    }

    public Path rollouts() {
        return dir().resolve("rollouts.jsonl");
    }

    public Path invalidRecords() {
        return dir().resolve("invalid-records.jsonl");
    }

    public Path checkpoints() {
        return dir().resolve("checkpoints");
    }

    public Path savepoints() {
        return dir().resolve("savepoints");
    }

    public Path finalModel() {
        return dir().resolve("final-model.rsckpt");
    }

    /** The console output of every attempt ({@link RunLog}). */
    public Path runLog() {
        return dir().resolve("run.log");
    }

    /** TensorBoard event files: {@code tensorboard --logdir <run_dir>/tensorboard}. */
    public Path tensorboard() {
        return dir().resolve("tensorboard");
    }

    /** The history of attempts: starts, restarts, stops, resumes ({@link RunEvents}); never truncated. */
    public Path events() {
        return dir().resolve(RunEvents.FILE);
    }

    /** The SFT warm start's saved state and stop request ({@link SftState}). */
    public Path sft() {
        return dir().resolve("sft");
    }

    /** The final policy as a Hugging Face model directory (runs that started from one). */
    public Path finalModelHf() {
        return dir().resolve("final-model-hf");
    }

    /** The final LoRA adapters as a PEFT adapter directory (LoRA runs that started from a Hugging Face model). */
    public Path finalAdapterPeft() {
        return dir().resolve("final-adapter-peft");
    }

    /** Flink's temporary files while a local run's mini-cluster runs; removed when it ends. */
    public Path tmp() {
        return dir().resolve("tmp");
    }
}
