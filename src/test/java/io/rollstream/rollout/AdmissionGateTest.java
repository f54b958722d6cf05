package io.rollstream.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AdmissionGateTest {

    @Test
    void sharesAddUpToProblemsPerBatch() {
        AdmissionGate gate = new AdmissionGate(10, 1, 3);
        assertThat(gate.share(0) + gate.share(1) + gate.share(2)).isEqualTo(10);
        assertThat(new int[] {gate.share(0), gate.share(1), gate.share(2)}).containsExactly(4, 3, 3);
    }

    @Test
    void budgetGrowsByOneShareForEveryPolicyVersionAndAsyncLevel() {
        AdmissionGate sync = new AdmissionGate(8, 0, 1);
        assertThat(sync.budget(0, 0)).isEqualTo(8); // version 0: the groups of step 0
        assertThat(sync.budget(0, 3)).isEqualTo(32);
        AdmissionGate async = new AdmissionGate(8, 2, 1);
        assertThat(async.budget(0, 0)).isEqualTo(24); // up to two steps ahead
    }

    @Test
    void admitsWhileInFlightPlusUsefulIsBelowTheBudget() {
        AdmissionGate gate = new AdmissionGate(4, 1, 2); // share 2, budget at v0 = 4
        assertThat(gate.admits(0, 0, 2, 1)).isTrue();
        assertThat(gate.admits(0, 0, 2, 2)).isFalse();
        assertThat(gate.admits(0, 1, 2, 2)).isTrue(); // a new version opens the next share
        assertThat(gate.admits(0, -1, 0, 0)).as("no policy visible yet").isFalse();
    }

    @Test
    void problemsPerBatchBelowTheParallelismIsRefused() {
        assertThatThrownBy(() -> new AdmissionGate(1, 0, 2))
                .hasMessageContaining("problems_per_batch").hasMessageContaining("rollout.parallelism");
    }
}
