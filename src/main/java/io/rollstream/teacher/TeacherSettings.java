package io.rollstream.teacher;

import io.rollstream.device.DeviceSetting;
import io.rollstream.device.Precision;
import io.rollstream.model.ModelSource;
import io.rollstream.tokenizer.TokenizerSpec;
import java.io.Serializable;

/**
 * What the teacher-scoring stage needs, as it travels to the task managers.
 *
 * @param source {@code builtin}: {@code location} is a Rollstream checkpoint ({@code .rsckpt}) on any Flink file
 *     system; {@code huggingface}: a local model directory on every task manager
 * @param location where the teacher is
 * @param parallelism teacher-scoring subtasks
 * @param studentTokenizer the student's tokenizer: the teacher must give ids the same meaning, since it scores
 *     the student's token ids one by one
 * @param studentContextLength the student's context length: the teacher must accept sequences that long
 * @param device where the teacher runs ({@code auto} takes a GPU when the task manager has one)
 * @param maxBatchRows rollouts scored per forward pass
 * @param precision the teacher's number format on a GPU ({@code model.dtype}); float32 on the CPU
 */
public record TeacherSettings(
        ModelSource source,
        String location,
        int parallelism,
        TokenizerSpec studentTokenizer,
        int studentContextLength,
        DeviceSetting device,
        int maxBatchRows,
        Precision precision)
        implements Serializable {

    public TeacherSettings {
        source = source == null ? ModelSource.BUILTIN : source;
        precision = precision == null ? Precision.FLOAT32 : precision;
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("teacher.checkpoint (or teacher.path) is required for distillation");
        }
        if (parallelism < 1 || maxBatchRows < 1) {
            throw new IllegalArgumentException("teacher parallelism and batch rows must be >= 1");
        }
    }
}
