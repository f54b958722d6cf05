package io.rollstream.tasks;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Looks verifiers up by their registry name, for datasets that name their verifier in configuration. */
public final class Verifiers {

    private static final Map<String, Verifier> BY_NAME = List.of(
                    new ExactMatchVerifier(),
                    new NumericMatchVerifier(),
                    new LastNumberMatchVerifier(),
                    new MathAnswerVerifier())
            .stream()
            .collect(Collectors.toMap(Verifier::name, Function.identity(), (a, b) -> a, TreeMap::new));

    private Verifiers() {}

    /**
     * The verifier registered as {@code name}.
     *
     * @throws IllegalArgumentException listing the known names, for an unknown one
     */
    public static Verifier byName(String name) {
        Verifier verifier = BY_NAME.get(name);
        if (verifier == null) {
            throw new IllegalArgumentException("Unknown verifier '" + name + "'; known verifiers: " + names());
        }
        return verifier;
    }

    /** Registered verifier names, sorted. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }
}
