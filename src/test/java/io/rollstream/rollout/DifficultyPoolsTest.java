package io.rollstream.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.rollout.DifficultyPools.Pool;
import org.junit.jupiter.api.Test;

class DifficultyPoolsTest {

    @Test
    void classifiesByTheGroupsMeanRewardAgainstBothThresholds() {
        DifficultyPools pools = new DifficultyPools(0.8, 0.2);
        assertThat(pools.classify(0.8)).isEqualTo(Pool.EASY); // >= easy_threshold
        assertThat(pools.classify(0.79)).isEqualTo(Pool.NORMAL);
        assertThat(pools.classify(0.2)).isEqualTo(Pool.HARD); // <= hard_threshold
        assertThat(pools.classify(0.21)).isEqualTo(Pool.NORMAL);
    }

    @Test
    void aMissingThresholdDisablesItsPool() {
        DifficultyPools none = new DifficultyPools(null, null);
        assertThat(none.classify(1.0)).isEqualTo(Pool.NORMAL);
        assertThat(none.classify(0.0)).isEqualTo(Pool.NORMAL);
        assertThat(new DifficultyPools(null, 0.0).classify(0.0)).isEqualTo(Pool.HARD);
    }

    @Test
    void onlyNewAndNormalProblemsAreGenerated() {
        assertThat(DifficultyPools.admits(Pool.NONE)).isTrue();
        assertThat(DifficultyPools.admits(Pool.NORMAL)).isTrue();
        assertThat(DifficultyPools.admits(Pool.EASY)).isFalse();
        assertThat(DifficultyPools.admits(Pool.HARD)).isFalse();
    }
}
