package io.rollstream.output;

import io.rollstream.common.Json;
import io.rollstream.sampling.RolloutSeeds;
import io.rollstream.types.GroupOutcome;
import io.rollstream.types.Rollout;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a group's outcome as one {@code rollouts.jsonl} line; {@code sample} keeps a stable
 * 1-in-N subset of groups (by group id hash), {@code none} keeps nothing.
 */
public final class RolloutLogFormat implements Serializable {

    /** Which groups are written. */
    public enum Mode {
        ALL,
        SAMPLE,
        NONE
    }

    private final Mode mode;
    private final int sampleEvery;

    public RolloutLogFormat(Mode mode, int sampleEvery) {
        this.mode = mode;
        this.sampleEvery = Math.max(1, sampleEvery);
    }

    /** The JSON line, or null when the group is not logged. */
    public String render(GroupOutcome outcome) throws Exception {
        if (mode == Mode.NONE
                || (mode == Mode.SAMPLE
                        && Math.floorMod(RolloutSeeds.hash(outcome.group().groupId()), sampleEvery) != 0)) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("group_id", outcome.group().groupId());
        m.put("problem_id", outcome.group().problemId());
        m.put("task", outcome.group().task());
        m.put("prompt", outcome.group().prompt());
        if (outcome.group().answer() != null) {
            m.put("answer", outcome.group().answer());
        }
        m.put("admission", outcome.group().admission());
        m.put("policy_version", outcome.group().policyVersion());
        m.put("generator", outcome.group().generatorSubtask());
        List<String> completions = new ArrayList<>();
        List<Double> rewards = new ArrayList<>();
        List<String> finish = new ArrayList<>();
        long tokens = 0;
        for (Rollout r : outcome.group().rollouts()) {
            tokens += r.tokens().length;
            completions.add(r.text());
            rewards.add(r.reward());
            finish.add(r.finishText());
        }
        m.put("completions", completions);
        m.put("rewards", rewards);
        m.put("finish_reasons", finish);
        m.put("completion_tokens", tokens);
        m.put("advantages", outcome.advantages());
        if (outcome.dropped() == null) {
            m.put("trained_step", outcome.trainedStep());
        } else {
            m.put("dropped", outcome.dropped().key());
        }
        return Json.mapper().writeValueAsString(m);
    }
}
