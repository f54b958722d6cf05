package io.rollstream.cli;

import java.util.Collection;
import java.util.List;
import org.apache.commons.text.similarity.LevenshteinDistance;

/** The names closest to a mistyped one, by edit distance: what "did you mean" offers. */
final class Suggestions {

    /** At most this many edits (insertions, deletions, substitutions) make a name a suggestion. */
    static final int MAX_EDITS = 2;

    private Suggestions() {}

    /**
     * The names at the smallest edit distance from {@code given} (case-insensitive), when it is at
     * most {@value #MAX_EDITS} and less than the name's length (so a short name is not suggested for
     * anything); none otherwise.
     */
    static List<String> nearest(String given, Collection<String> names) {
        LevenshteinDistance distance = new LevenshteinDistance(MAX_EDITS);
        int best = Integer.MAX_VALUE;
        for (String name : names) {
            best = Math.min(best, distance(distance, given, name));
        }
        int found = best;
        return found == Integer.MAX_VALUE
                ? List.of()
                : names.stream()
                        .filter(n -> distance(distance, given, n) == found)
                        .sorted()
                        .toList();
    }

    private static int distance(LevenshteinDistance distance, String given, String name) {
        int d = distance.apply(given.toLowerCase(), name.toLowerCase());
        return d < 0 || d >= name.length() ? Integer.MAX_VALUE : d;
    }
}
