package io.rollstream.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Collects configuration problems so that all of them are reported together, then throws one
 * {@link InvalidConfigException}. Used by the section records' constructors and by the loader.
 */
final class ConfigErrors {

    private final List<String> errors = new ArrayList<>();

    /** Records {@code error}. */
    void add(String error) {
        errors.add(error);
    }

    /** Records "{@code key (value) rule}" unless {@code ok}; {@code rule} says what is allowed or how to fix it. */
    void check(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            errors.add(key + " (" + show(value) + ") " + rule);
        }
    }

    /**
     * Runs {@code build} (typically a constructor that validates itself) and returns its result, or
     * records its {@link IllegalArgumentException} message and returns null.
     */
    <T> T attempt(Supplier<T> build) {
        try {
            return build.get();
        } catch (InvalidConfigException e) {
            errors.addAll(e.errors());
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        return null;
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    /** Throws every recorded problem at once, if there is any. */
    void throwIfAny() {
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(errors);
        }
    }

    /** A value as it appears in messages: strings quoted, enums as written in YAML, null as {@code null}. */
    static String show(Object value) {
        if (value instanceof String s) {
            return "'" + s + "'";
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        return String.valueOf(value);
    }
}
