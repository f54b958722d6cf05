package io.rollstream.tasks;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates built-in tasks by name: {@value ArithmeticTask#NAME}, {@value ReverseTask#NAME}, {@value SortTask#NAME}.
 *
 * <p>Options are string key/values from configuration. Only {@value ArithmeticTask#NAME} takes one,
 * {@value #OPERATORS} ({@code "+"} or {@code "+-"}, default {@code "+"}); unknown keys are rejected rather than
 * ignored so that typos in configuration surface.
 */
public final class Tasks {

    /** Option key selecting arithmetic operators. */
    public static final String OPERATORS = "operators";

    private static final List<String> NAMES = List.of(ArithmeticTask.NAME, ReverseTask.NAME, SortTask.NAME);

    private Tasks() {}

    /** Creates task {@code name} with default options. */
    public static Task create(String name, long seed, int difficulty) {
        return create(name, seed, difficulty, Map.of());
    }

    /**
     * Creates task {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name (listing the known ones), a difficulty outside the
     *     task's range (naming the range), or an option the task does not accept
     */
    public static Task create(String name, long seed, int difficulty, Map<String, String> options) {
        if (name == null || !NAMES.contains(name)) {
            throw new IllegalArgumentException("Unknown task '" + name + "'; known tasks: " + NAMES);
        }
        checkOptions(name, options, name.equals(ArithmeticTask.NAME) ? Set.of(OPERATORS) : Set.of());
        return switch (name) {
            case ArithmeticTask.NAME ->
                new ArithmeticTask(
                        seed,
                        difficulty,
                        ArithmeticTask.Operators.fromSymbols(
                                options.getOrDefault(OPERATORS, ArithmeticTask.Operators.PLUS.symbols())));
            case ReverseTask.NAME -> new ReverseTask(seed, difficulty);
            case SortTask.NAME -> new SortTask(seed, difficulty);
            default -> throw new AssertionError("task listed in NAMES without a constructor: " + name);
        };
    }

    /** Built-in task names. */
    public static List<String> names() {
        return NAMES;
    }

    private static void checkOptions(String task, Map<String, String> options, Set<String> accepted) {
        for (String key : options.keySet()) {
            if (!accepted.contains(key)) {
                throw new IllegalArgumentException("Task " + task + " does not accept option '" + key
                        + "'; accepted options: " + accepted.stream().sorted().toList());
            }
        }
    }
}
