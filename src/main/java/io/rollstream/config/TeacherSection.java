package io.rollstream.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.rollstream.model.ModelSource;

/**
 * The {@code teacher} section: the model distilled from when {@code learner.algorithm} is
 * {@code reverse_kl}. Its scoring stage runs in its own slot-sharing group, on {@code rollout.device}.
 * The teacher must use the student's tokenizer (checked when the job starts).
 *
 * @param source {@code builtin} (a Rollstream checkpoint, {@code checkpoint}) or {@code huggingface} (a model
 *     directory, {@code path}); default builtin
 * @param checkpoint builtin only: the teacher's Rollstream checkpoint ({@code .rsckpt}, e.g. written by
 *     {@code rollstream sft}), a path on any Flink file system; required for {@code reverse_kl}; default null
 * @param path huggingface only: the teacher's model directory (config.json, model.safetensors, tokenizer.json),
 *     a local path on every task manager; default null
 * @param parallelism teacher scoring subtasks, at least 1; default 1
 */
public record TeacherSection(ModelSource source, String checkpoint, String path, int parallelism) {

    /** Every key at its default. */
    public static TeacherSection defaults() {
        return new TeacherSection(ModelSource.BUILTIN, null, null, 1);
    }

    public TeacherSection {
        source = source == null ? ModelSource.BUILTIN : source;
        ConfigErrors e = new ConfigErrors();
        e.check(
                checkpoint == null || !checkpoint.isBlank(),
                "teacher.checkpoint",
                checkpoint,
                "must be a checkpoint path, or null for no teacher");
        if (source == ModelSource.BUILTIN) {
            e.check(
                    path == null,
                    "teacher.path",
                    path,
                    "only applies to teacher.source huggingface: remove it, or set teacher.source: huggingface");
        } else {
            e.check(
                    path != null && !path.isBlank(),
                    "teacher.path",
                    path,
                    "is required with teacher.source huggingface: set it to the teacher's model directory");
            e.check(
                    checkpoint == null,
                    "teacher.checkpoint",
                    checkpoint,
                    "does not apply to teacher.source huggingface (teacher.path holds the model): remove it");
        }
        e.check(parallelism >= 1, "teacher.parallelism", parallelism, "must be >= 1");
        e.throwIfAny();
    }

    /** Whether a teacher is configured at all. */
    @JsonIgnore
    public boolean isSet() {
        return source == ModelSource.HUGGINGFACE || checkpoint != null;
    }

    /** Where the teacher's weights are: the checkpoint or the model directory. */
    @JsonIgnore
    public String location() {
        return source == ModelSource.HUGGINGFACE ? path : checkpoint;
    }
}
