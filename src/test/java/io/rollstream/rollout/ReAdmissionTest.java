package io.rollstream.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.rollout.DifficultyPools.Pool;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReAdmissionTest {

    private static Map<String, Pool> pools(int easy, int hard, int normal) {
        Map<String, Pool> pools = new HashMap<>();
        for (int i = 0; i < easy; i++) {
            pools.put("e" + i, Pool.EASY);
        }
        for (int i = 0; i < hard; i++) {
            pools.put("h" + i, Pool.HARD);
        }
        for (int i = 0; i < normal; i++) {
            pools.put("n" + i, Pool.NORMAL);
        }
        return pools;
    }

    @Test
    void readmitsTheRoundedShareOfEachPoolDeterministically() {
        ReAdmission readmission = new ReAdmission(0.25, 0.5, 7);
        List<String> chosen = readmission.select(pools(10, 5, 20));
        // round(10 × 0.25) = round(2.5) = 2 (half to even), round(5 × 0.5) = round(2.5) = 2.
        assertThat(chosen.stream().filter(p -> p.startsWith("e"))).hasSize(2);
        assertThat(chosen.stream().filter(p -> p.startsWith("h"))).hasSize(2);
        assertThat(chosen).noneMatch(p -> p.startsWith("n"));
        assertThat(readmission.select(pools(10, 5, 20))).isEqualTo(chosen);
        assertThat(new ReAdmission(0.25, 0.5, 8).select(pools(10, 5, 20)))
                .as("another seed")
                .isNotEqualTo(chosen);
    }

    @Test
    void nothingOrEverything() {
        assertThat(ReAdmission.NONE.select(pools(4, 4, 4))).isEmpty();
        assertThat(new ReAdmission(1, 1, 3).select(pools(4, 3, 4))).hasSize(7);
    }
}
