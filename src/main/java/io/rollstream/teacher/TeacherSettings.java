package io.rollstream.teacher;

import io.rollstream.config.RolloutSection;
import io.rollstream.tokenizer.TokenizerSpec;

import java.io.Serializable;

/**
 * What the teacher-scoring stage needs, as it travels to the task managers.
 *
 * @param checkpoint the teacher's Rollstream checkpoint ({@code .rsckpt}), a path on any Flink file system
 * @param parallelism teacher-scoring subtasks
 * @param studentTokenizer the student's tokenizer: the teacher must use the same one, since it scores the
 *     student's token ids one by one
 * @param studentContextLength the student's context length: the teacher must accept sequences that long
 * @param device where the teacher runs ({@code auto} takes a GPU when the task manager has one)
 * @param maxBatchRows rollouts scored per forward pass
 */
public record TeacherSettings(String checkpoint, int parallelism, TokenizerSpec studentTokenizer,
        int studentContextLength, RolloutSection.Device device, int maxBatchRows) implements Serializable {

    public TeacherSettings {
        if (checkpoint == null || checkpoint.isBlank()) {
            throw new IllegalArgumentException("teacher.checkpoint is required for distillation");
        }
        if (parallelism < 1 || maxBatchRows < 1) {
            throw new IllegalArgumentException("teacher parallelism and batch rows must be >= 1");
        }
    }
}
