package io.rollstream.config;

/**
 * The {@code teacher} section: the model distilled from when {@code learner.algorithm} is
 * {@code reverse_kl}.
 *
 * @param checkpoint the teacher's checkpoint; required for {@code reverse_kl}; default null
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
