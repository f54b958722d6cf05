package io.rollstream.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AdmissionGateTest {

    @Test
    void sharesOfTheBatchAndOfTheHeadroomAddUp() {
        AdmissionGate gate = AdmissionGate.of(15, 10, 1, 3, Oversampling.FIXED);
        assertThat(new int[] {gate.share(0), gate.share(1), gate.share(2)}).containsExactly(4, 3, 3);
        assertThat(new int[] {gate.headroomShare(0), gate.headroomShare(1), gate.headroomShare(2)})
                .containsExactly(2, 2, 1);
    }

    @Test
    void theWindowGrowsByOneBatchForEveryPolicyVersionAndAsyncLevel() {
        AdmissionGate sync = AdmissionGate.of(8, 8, 0, 1, Oversampling.FIXED);
        assertThat(sync.window(0, 0)).isEqualTo(8); // version 0: the groups of step 0
        assertThat(sync.window(0, 3)).isEqualTo(32);
        AdmissionGate async = AdmissionGate.of(16, 8, 2, 1, Oversampling.FIXED);
        assertThat(async.window(0, 0))
                .as("up to two steps ahead; headroom is no part of it")
                .isEqualTo(24);
    }

    @Test
    void oversamplingIsHeadroomInFlightNotMoreUsefulGroupsPerStep() {
        AdmissionGate gate = AdmissionGate.of(8, 4, 0, 1, Oversampling.FIXED); // window 4 at v0, headroom 4
        assertThat(gate.admits(0, 0, 7, 0, 7)).as("8 in flight at most").isTrue();
        assertThat(gate.admits(0, 0, 8, 0, 8)).isFalse();
        assertThat(gate.admits(0, 0, 3, 4, 3))
                .as("a full window keeps only the headroom's surplus")
                .isTrue();
        assertThat(gate.admits(0, 0, 4, 4, 4)).isFalse();
        assertThat(gate.admits(0, 1, 4, 4, 4))
                .as("a new version opens one more batch")
                .isTrue();
        assertThat(gate.admits(0, 1, 0, 12, 0))
                .as("surplus counts against later windows")
                .isFalse();
        assertThat(gate.admits(0, -1, 0, 0, 0)).as("no policy visible yet").isFalse();
    }

    @Test
    void adaptiveAdmitsUntilTheExpectedUsefulGroupsFillTheWindowWithinTheHeadroom() {
        AdmissionGate gate = AdmissionGate.of(8, 4, 0, 1, Oversampling.ADAPTIVE);
        assertThat(gate.admits(0, 0, 3, 0, 1.5))
                .as("3 in flight, each useful at 50%: 1.5 of 4")
                .isTrue();
        assertThat(gate.admits(0, 0, 7, 0, 3.5)).isTrue();
        assertThat(gate.admits(0, 0, 7, 0, 4.2))
                .as("expected to fill the window")
                .isFalse();
        assertThat(gate.admits(0, 0, 8, 0, 0.8))
                .as("never beyond the fixed headroom")
                .isFalse();
    }

    @Test
    void fewerGroupsPerBatchThanGeneratorsIsRefused() {
        assertThatThrownBy(() -> AdmissionGate.of(4, 1, 0, 2, Oversampling.FIXED))
                .hasMessageContaining("groups of one batch")
                .hasMessageContaining("rollout.parallelism");
    }
}
