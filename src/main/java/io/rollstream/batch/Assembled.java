package io.rollstream.batch;

import io.rollstream.types.GroupOutcome;
import io.rollstream.types.TrainBatch;
import java.util.List;

/**
 * What one {@link BatchAssembler#offer} produced.
 *
 * @param batches batches cut, in step order (usually zero or one)
 * @param outcomes outcomes decided, in the order they were decided: the offered group's drop (if
 *     dropped at once), then per cut the stale drops of waiting groups followed by one trained
 *     outcome per group of the batch
 */
public record Assembled(List<TrainBatch> batches, List<GroupOutcome> outcomes) {

    public Assembled {
        batches = List.copyOf(batches);
        outcomes = List.copyOf(outcomes);
    }
}
