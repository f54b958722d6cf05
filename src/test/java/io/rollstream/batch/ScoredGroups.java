package io.rollstream.batch;

import io.rollstream.types.FinishReason;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;

/**
 * Named scored-group scenarios for batch-assembly tests. Every group has {@link #SIZE} rollouts;
 * rollout i has {@code 2 + i} completion tokens, so a group has 2+3+4+5 = 14.
 */
final class ScoredGroups {

    static final int SIZE = 4;
    static final long TOKENS_PER_GROUP = 14;

    private ScoredGroups() {}

    /** Half right: rewards [1, 0, 0, 1], mean 0.5, advantages [0.5, −0.5, −0.5, 0.5]. Passes every filter. */
    static ScoredGroup learnable(String problem, long version) {
        return of(problem, version, 1, 0, 0, 1);
    }

    /** All right: mean 1.0 → dropped by online difficulty filtering. */
    static ScoredGroup solved(String problem, long version) {
        return of(problem, version, 1, 1, 1, 1);
    }

    /** All wrong: mean 0.0 → dropped by online difficulty filtering. */
    static ScoredGroup failed(String problem, long version) {
        return of(problem, version, 0, 0, 0, 0);
    }

    /** Equal partial rewards 0.5: not a difficulty drop, but every advantage is 0. */
    static ScoredGroup tied(String problem, long version) {
        return of(problem, version, 0.5, 0.5, 0.5, 0.5);
    }

    /** Like {@link #learnable} but its last rollout hit the length limit. */
    static ScoredGroup truncated(String problem, long version) {
        return truncate(learnable(problem, version));
    }

    /** The same group with its last rollout cut off by the length limit. */
    static ScoredGroup truncate(ScoredGroup g) {
        Rollout[] rs = g.rollouts().clone();
        Rollout last = rs[SIZE - 1];
        rs[SIZE - 1] = new Rollout(
                last.tokens(), last.logprobs(), last.text(), last.reward(), FinishReason.LENGTH, null, null);
        return withRollouts(g, rs);
    }

    /** A learnable group of the wrong size (3 rollouts). */
    static ScoredGroup shortGroup(String problem, long version) {
        return of(problem, version, 1, 0, 0);
    }

    /** A learnable group reported by {@code subtask} whose pools are {@code pools}. */
    static ScoredGroup fromGenerator(String problem, long version, int subtask, PoolCounts pools) {
        ScoredGroup g = learnable(problem, version);
        return new ScoredGroup(
                g.groupId(),
                g.problemId(),
                g.task(),
                g.prompt(),
                g.answer(),
                g.promptTokens(),
                g.admission(),
                g.policyVersion(),
                subtask,
                pools,
                g.generationMillis(),
                g.rollouts(),
                g.verdict());
    }

    /** A group with the given rewards (one rollout each, all finished with EOS). */
    static ScoredGroup of(String problem, long version, double... rewards) {
        Rollout[] rs = new Rollout[rewards.length];
        for (int i = 0; i < rewards.length; i++) {
            int[] tokens = new int[2 + i];
            float[] logprobs = new float[2 + i];
            for (int t = 0; t < tokens.length; t++) {
                tokens[t] = 10 + t;
                logprobs[t] = -0.5f * (t + 1);
            }
            rs[i] = new Rollout(tokens, logprobs, "answer " + i, rewards[i], FinishReason.STOP, null, null);
        }
        return new ScoredGroup(
                ScoredGroup.groupId(problem, 0),
                problem,
                "arithmetic",
                "prompt of " + problem,
                "answer of " + problem,
                new int[] {1, 2, 3},
                0,
                version,
                0,
                new PoolCounts(0, 1, 0),
                12.5,
                rs,
                null);
    }

    private static ScoredGroup withRollouts(ScoredGroup g, Rollout[] rs) {
        return new ScoredGroup(
                g.groupId(),
                g.problemId(),
                g.task(),
                g.prompt(),
                g.answer(),
                g.promptTokens(),
                g.admission(),
                g.policyVersion(),
                g.generatorSubtask(),
                g.pools(),
                g.generationMillis(),
                rs,
                g.verdict());
    }
}
