package io.rollstream.rollout;

import io.rollstream.tasks.Problem;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** The scheduler's per-problem state in maps, as the rollout operator keeps it in keyed state. */
final class MapProblemStore implements ProblemStore {

    final Map<String, ProblemState> states = new HashMap<>();
    final Map<String, GroupRequest> pending = new HashMap<>();
    final Map<String, Map<Long, Problem>> waiting = new HashMap<>();

    @Override
    public ProblemState state(String problemId) {
        return states.get(problemId);
    }

    @Override
    public void setState(String problemId, ProblemState state) {
        states.put(problemId, state);
    }

    @Override
    public GroupRequest pending(String problemId) {
        return pending.get(problemId);
    }

    @Override
    public void setPending(String problemId, GroupRequest request) {
        if (request == null) {
            pending.remove(problemId);
        } else {
            pending.put(problemId, request);
        }
    }

    @Override
    public void putWaiting(String problemId, long sequence, Problem problem) {
        waiting.computeIfAbsent(problemId, k -> new HashMap<>()).put(sequence, problem);
    }

    @Override
    public Problem takeWaiting(String problemId, long sequence) {
        Map<Long, Problem> mine = waiting.get(problemId);
        Problem p = mine.remove(sequence);
        if (mine.isEmpty()) {
            waiting.remove(problemId);
        }
        return p;
    }

    @Override
    public void clear(String problemId) {
        states.remove(problemId);
        pending.remove(problemId);
        waiting.remove(problemId);
    }

    /** Problems with any state (what Flink would count as keys). */
    int keys() {
        Set<String> keys = new HashSet<>(states.keySet());
        keys.addAll(pending.keySet());
        keys.addAll(waiting.keySet());
        return keys.size();
    }
}
