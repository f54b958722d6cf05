package io.rollstream.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Finds the valid name a misspelled one was probably meant to be (smallest edit distance, if small). */
final class DidYouMean {

    private DidYouMean() {}

    /**
     * The candidate closest to {@code word}, if it is within a few edits (about a third of the word);
     * else a candidate that {@code word} abbreviates or extends (at least 3 shared leading characters).
     */
    static Optional<String> closest(String word, Collection<String> candidates) {
        String typed = word.toLowerCase(Locale.ROOT);
        int allowed = Math.max(1, Math.min(3, typed.length() / 3));
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(typed, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        if (bestDistance <= allowed) {
            return Optional.of(best);
        }
        return candidates.stream()
                .filter(c -> Math.min(c.length(), typed.length()) >= 3)
                .filter(c ->
                        c.toLowerCase(Locale.ROOT).startsWith(typed) || typed.startsWith(c.toLowerCase(Locale.ROOT)))
                .findFirst();
    }

    /** " (did you mean X?)" for a close match, else the empty string. */
    static String hint(String word, Collection<String> candidates, String prefix) {
        return closest(word, candidates)
                .map(c -> " (did you mean " + prefix + c + "?)")
                .orElse("");
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
