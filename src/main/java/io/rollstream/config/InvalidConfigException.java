package io.rollstream.config;

import java.util.List;

/**
 * A run configuration that cannot be used. Every message names the full key (such as
 * {@code buffer.batch_size}), the offending value and how to fix it. When several things are wrong
 * at once, all of them are reported, one per line.
 */
public final class InvalidConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** One line per problem, in the order they were found. */
    private final List<String> errors;

    /** A single problem. */
    public InvalidConfigException(String error) {
        this(List.of(error));
    }

    /** Several problems, reported together; {@code errors} must not be empty. */
    public InvalidConfigException(List<String> errors) {
        super(format(errors));
        this.errors = List.copyOf(errors);
    }

    /** The problems, one line each. */
    public List<String> errors() {
        return errors;
    }

    private static String format(List<String> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an InvalidConfigException needs at least one error");
        }
        if (errors.size() == 1) {
            return errors.get(0);
        }
        return errors.size() + " configuration errors:\n" + String.join("\n", errors);
    }
}
