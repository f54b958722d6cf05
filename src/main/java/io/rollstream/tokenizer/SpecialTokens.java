package io.rollstream.tokenizer;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The roles of a tokenizer's special ids, as {@link HuggingFaceTokenizerAdapter} uses them.
 *
 * @param padId filler id for padding (never attended, never a training target)
 * @param bosId id that starts a sequence
 * @param eosId the end of a completion a demonstration teaches (the model's {@code eos_token})
 * @param stopIds every id that ends a completion; contains {@code eosId}
 * @param addsBos whether a raw prompt starts with {@code bosId}
 */
record SpecialTokens(int padId, int bosId, int eosId, Set<Integer> stopIds, boolean addsBos) {

    SpecialTokens {
        Set<Integer> stops = new LinkedHashSet<>();
        stops.add(eosId);
        stops.addAll(stopIds);
        stopIds = Set.copyOf(stops);
    }
}
