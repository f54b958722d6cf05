package io.rollstream.testing;

import io.rollstream.rollout.GroupRequest;
import io.rollstream.rollout.GroupSampler;
import io.rollstream.rollout.GroupSamplerFactory;
import io.rollstream.rollout.SampledGroup;
import io.rollstream.tasks.Problem;
import io.rollstream.types.FinishReason;
import io.rollstream.types.Rollout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * A deterministic stand-in for the model: rewards follow the prompt's prefix — "easy:" always 1,
 * "hard:" always 0, anything else alternates 1, 0, 1, ... over the rollouts of a group (useful).
 * A shared semaphore can hold generation back so tests can snapshot while work is pending.
 */
public final class FakeGroupSampler implements GroupSampler {

    /** Permits for generate calls; tests drain it to block the generation thread. */
    public static final Semaphore GATE = new Semaphore(Integer.MAX_VALUE);

    private final int groupSize;

    public FakeGroupSampler(int groupSize) {
        this.groupSize = groupSize;
    }

    public static GroupSamplerFactory factory(int groupSize) {
        return (subtask, gpus) -> new FakeGroupSampler(groupSize);
    }

    /** Reward of rollout {@code i} of {@code problem}. */
    public static double reward(Problem problem, int i) {
        if (problem.prompt().startsWith("easy:")) {
            return 1.0;
        }
        if (problem.prompt().startsWith("hard:")) {
            return 0.0;
        }
        return i % 2 == 0 ? 1.0 : 0.0;
    }

    @Override
    public List<SampledGroup> generate(List<GroupRequest> requests) throws InterruptedException {
        GATE.acquire();
        GATE.release();
        List<SampledGroup> out = new ArrayList<>();
        for (GroupRequest r : requests) {
            Rollout[] rollouts = new Rollout[groupSize];
            for (int i = 0; i < groupSize; i++) {
                double reward = reward(r.problem(), i);
                rollouts[i] = new Rollout(
                        new int[] {3 + i, 2}, new float[] {-1f, -0.5f}, "r" + i, reward, FinishReason.STOP, null, null);
            }
            out.add(new SampledGroup(r, new int[] {1, 3}, r.policyVersion(), 1.0, rollouts));
        }
        return out;
    }
}
