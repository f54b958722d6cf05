package io.rollstream.tasks;

import java.io.Serializable;

/**
 * Scores a model completion against a reference answer. Implementations are stateless, thread-safe and
 * serializable, so Flink can ship them to workers.
 */
public interface Verifier extends Serializable {

    /**
     * Reward in [0,1] for a decoded completion (text after the prompt, EOS already stripped) against the
     * reference answer.
     */
    double score(String completion, String answer);

    /** Registry name, as accepted by {@link Verifiers#byName(String)}. */
    String name();
}
