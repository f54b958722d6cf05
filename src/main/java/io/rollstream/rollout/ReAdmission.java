package io.rollstream.rollout;

import io.rollstream.rollout.DifficultyPools.Pool;
import io.rollstream.sampling.RolloutSeeds;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Which easy and hard problems go back to the normal pool when a run is resumed (prime-rl's
 * {@code easy_fraction} / {@code hard_fraction}): of the {@code n} problems in a pool, the
 * {@code round(n × fraction)} (half to even, like Python's {@code round}) whose seeded hash of the
 * problem id is smallest. Deterministic given the seed and the problems; pure Java.
 *
 * @param easyFraction share of the easy pool re-admitted, in [0, 1]
 * @param hardFraction share of the hard pool re-admitted, in [0, 1]
 * @param seed the run seed
 */
public record ReAdmission(double easyFraction, double hardFraction, long seed) implements Serializable {

    /** Re-admits nothing. */
    public static final ReAdmission NONE = new ReAdmission(0, 0, 0);

    /** The problems (keys of {@code pools}) to move back to the normal pool. */
    public List<String> select(Map<String, Pool> pools) {
        List<String> out = new ArrayList<>();
        out.addAll(pick(pools, Pool.EASY, easyFraction));
        out.addAll(pick(pools, Pool.HARD, hardFraction));
        return out;
    }

    private List<String> pick(Map<String, Pool> pools, Pool pool, double fraction) {
        List<String> members = new ArrayList<>();
        pools.forEach((problem, p) -> {
            if (p == pool) {
                members.add(problem);
            }
        });
        int count = (int) Math.rint(members.size() * fraction);
        members.sort(Comparator.comparingLong((String id) -> RolloutSeeds.mix(seed, RolloutSeeds.hash(id)))
                .thenComparing(Comparator.naturalOrder()));
        return members.subList(0, count);
    }
}
