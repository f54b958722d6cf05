package io.rollstream.learner;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.rollstream.common.Json;
import io.rollstream.types.StepMetrics;
import io.rollstream.types.TrainBatch;
import io.rollstream.types.TrainGroup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reverse KL per epoch over a fixed prompt set, and its spread across epochs ("σ of KL across
 * epochs", the measure of the distillation variance experiment, docs/distill-variance/). A group's epoch is its admission number: with a fixed set read in epochs and no
 * difficulty pools (distillation has none) problem p's k-th group belongs to epoch k. An epoch is
 * complete when {@code problemsPerEpoch} of its groups were trained; its KL is the token mean over
 * all of them, measured under the policy that sampled them. Pure Java; its state is a small JSON
 * document kept in the learner operator's Flink state.
 */
public final class EpochKl {

    /** An epoch still being trained. */
    public record Partial(double klSum, long tokens, int groups) {}

    /** The tracker's whole state: open epochs and the mean KL of each completed one. */
    public record State(Map<Long, Partial> open, Map<Long, Double> closed) {}

    private final int problemsPerEpoch;
    private final TreeMap<Long, Partial> open = new TreeMap<>();
    private final TreeMap<Long, Double> closed = new TreeMap<>();

    public EpochKl(int problemsPerEpoch) {
        if (problemsPerEpoch < 1) {
            throw new IllegalArgumentException("an epoch needs at least one problem, got " + problemsPerEpoch);
        }
        this.problemsPerEpoch = problemsPerEpoch;
    }

    /** Adds a trained batch; returns the epochs it completed (epoch → mean per-token KL), in order. */
    public Map<Long, Double> add(TrainBatch batch) {
        Map<Long, Double> completed = new TreeMap<>();
        for (TrainGroup g : batch.groups()) {
            long epoch = g.group().admission();
            KlSums kl = KlSums.of(g);
            Partial p = open.getOrDefault(epoch, new Partial(0, 0, 0));
            p = new Partial(p.klSum() + kl.sum(), p.tokens() + kl.tokens(), p.groups() + 1);
            if (p.groups() >= problemsPerEpoch) {
                open.remove(epoch);
                double mean = p.tokens() == 0 ? Double.NaN : p.klSum() / p.tokens();
                closed.put(epoch, mean);
                completed.put(epoch, mean);
            } else {
                open.put(epoch, p);
            }
        }
        return completed;
    }

    /** Mean KL of every completed epoch, by epoch. */
    public Map<Long, Double> completed() {
        return new TreeMap<>(closed);
    }

    /** Population standard deviation of the completed epochs' KL (0 for fewer than two). */
    public double stdAcrossEpochs() {
        return std(closed.values());
    }

    /** Population standard deviation (0 for fewer than two values). */
    public static double std(Collection<Double> values) {
        if (values.size() < 2) {
            return 0;
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double squares =
                values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        return Math.sqrt(squares / values.size());
    }

    /**
     * The {@code metrics.jsonl} part of a step that completed {@code justCompleted}: each such epoch's
     * KL, the number of epochs completed so far and the σ of the per-epoch KL across them. Null when
     * the step completed no epoch.
     */
    public StepMetrics.EpochKlProgress metrics(Map<Long, Double> justCompleted) {
        if (justCompleted.isEmpty()) {
            return null;
        }
        List<StepMetrics.CompletedEpoch> epochs = new ArrayList<>();
        justCompleted.forEach((epoch, kl) -> epochs.add(new StepMetrics.CompletedEpoch(epoch, kl)));
        return new StepMetrics.EpochKlProgress(epochs, closed.size(), stdAcrossEpochs());
    }

    /** The tracker's state, a copy (the learner operator keeps it in {@link LearnerState}). */
    public State state() {
        return new State(new TreeMap<>(open), new TreeMap<>(closed));
    }

    /** A tracker continuing from {@code state}. */
    public static EpochKl restore(int problemsPerEpoch, State state) {
        EpochKl tracker = new EpochKl(problemsPerEpoch);
        tracker.open.putAll(state.open());
        tracker.closed.putAll(state.closed());
        return tracker;
    }

    /** The state as JSON: how learner states before {@link LearnerStateSerializer} kept it. */
    public String toJson() {
        try {
            return Json.mapper().writeValueAsString(state());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the epoch KL state", e);
        }
    }

    /** A tracker continuing from {@link #toJson}'s output. */
    public static EpochKl fromJson(int problemsPerEpoch, String json) {
        try {
            return restore(problemsPerEpoch, Json.mapper().readValue(json, State.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read the epoch KL state: " + e.getMessage(), e);
        }
    }
}
