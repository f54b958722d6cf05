package io.rollstream.batch;

import io.rollstream.types.GroupOutcome;
import io.rollstream.types.TrainBatch;
import io.rollstream.types.TrainGroup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Renders batches and outcomes as text lines, so two runs can be compared by value (the records
 * hold arrays, whose equals is identity).
 */
final class Traces {

    private Traces() {}

    static String batch(TrainBatch b) {
        String groups = Arrays.stream(b.groups()).map(Traces::group).collect(Collectors.joining(" "));
        return "batch " + b.step() + " [" + groups + "] " + b.stats();
    }

    static String outcome(GroupOutcome o) {
        String fate = o.dropped() == null ? "trained@" + o.trainedStep() : "dropped:" + o.dropped();
        return o.group().groupId() + " v" + o.group().policyVersion() + " " + fate + " "
                + Arrays.toString(o.advantages());
    }

    static List<String> of(Assembled a) {
        List<String> lines =
                new ArrayList<>(a.batches().stream().map(Traces::batch).toList());
        a.outcomes().forEach(o -> lines.add(outcome(o)));
        return lines;
    }

    private static String group(TrainGroup g) {
        return g.group().groupId() + "/v" + g.group().policyVersion() + Arrays.toString(g.advantages());
    }
}
