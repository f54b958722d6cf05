package io.rollstream.config;

/**
 * The {@code teacher} section: the model distilled from when {@code learner.algorithm} is
 * {@code reverse_kl}. Its scoring stage runs in its own slot-sharing group, on {@code rollout.device}.
 *
 * @param checkpoint the teacher's Rollstream checkpoint ({@code .rsckpt}, e.g. written by {@code rollstream sft}),
 *     a path on any Flink file system; it must use the student's tokenizer; required for {@code reverse_kl};
 *     default null
 * @param parallelism teacher scoring subtasks, at least 1; default 1
 */
public record TeacherSection(String checkpoint, int parallelism) {

    /** Every key at its default. */
    public static TeacherSection defaults() {
        return new TeacherSection(null, 1);
    }

    public TeacherSection {
        ConfigErrors e = new ConfigErrors();
        e.check(checkpoint == null || !checkpoint.isBlank(), "teacher.checkpoint", checkpoint,
                "must be a checkpoint path, or null for no teacher");
        e.check(parallelism >= 1, "teacher.parallelism", parallelism, "must be >= 1");
        e.throwIfAny();
    }

    static TeacherSection read(SectionReader in) {
        TeacherSection d = defaults();
        return new TeacherSection(
                in.optionalString("checkpoint", d.checkpoint()),
                in.integer("parallelism", d.parallelism()));
    }
}
