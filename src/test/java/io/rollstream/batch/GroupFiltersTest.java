package io.rollstream.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.types.DropReason;
import io.rollstream.types.ScoredGroup;
import org.junit.jupiter.api.Test;

class GroupFiltersTest {

    private static DropReason reason(GroupFilters filters, ScoredGroup g) {
        return filters.dropReason(g, Advantages.of(g, false));
    }

    @Test
    void learnableGroupPassesEveryFilter() {
        assertThat(reason(GroupFilters.ALL, ScoredGroups.learnable("p", 0))).isNull();
    }

    @Test
    void lengthFilterDropsAGroupWithAnyTruncatedRollout() {
        ScoredGroup g = ScoredGroups.truncated("p", 0);
        assertThat(reason(new GroupFilters(true, false, false), g)).isEqualTo(DropReason.LENGTH);
        assertThat(reason(new GroupFilters(false, true, true), g)).isNull();
    }

    @Test
    void difficultyFilterDropsMeanRewardExactlyZeroOrOne() {
        GroupFilters difficulty = new GroupFilters(false, true, false);
        assertThat(reason(difficulty, ScoredGroups.solved("p", 0))).isEqualTo(DropReason.DIFFICULTY);
        assertThat(reason(difficulty, ScoredGroups.failed("p", 0))).isEqualTo(DropReason.DIFFICULTY);
        assertThat(reason(difficulty, ScoredGroups.tied("p", 0))).isNull(); // mean 0.5
        assertThat(reason(difficulty, ScoredGroups.of("p", 0, 1, 1, 1, 0.999))).isNull(); // mean < 1
        assertThat(reason(GroupFilters.NONE, ScoredGroups.solved("p", 0))).isNull();
    }

    @Test
    void zeroAdvantageFilterDropsGroupsWhoseAdvantagesAreAllZero() {
        GroupFilters zero = new GroupFilters(false, false, true);
        assertThat(reason(zero, ScoredGroups.tied("p", 0))).isEqualTo(DropReason.ZERO_ADVANTAGE);
        assertThat(reason(zero, ScoredGroups.solved("p", 0))).isEqualTo(DropReason.ZERO_ADVANTAGE);
        assertThat(reason(zero, ScoredGroups.learnable("p", 0))).isNull();
        assertThat(zero.dropReason(ScoredGroups.learnable("p", 0), new float[] {0, 0, 0, 0}))
                .as("decides on the advantages it is given")
                .isEqualTo(DropReason.ZERO_ADVANTAGE);
    }

    @Test
    void firstMatchingFilterWinsInTheOrderLengthDifficultyZeroAdvantage() {
        // solved and truncated: all three filters match → length
        ScoredGroup solvedAndTruncated = ScoredGroups.truncate(ScoredGroups.solved("p", 0));
        assertThat(reason(GroupFilters.ALL, solvedAndTruncated)).isEqualTo(DropReason.LENGTH);
        // solved: difficulty and zero advantage both match → difficulty
        ScoredGroup solved = ScoredGroups.solved("p", 0);
        assertThat(reason(GroupFilters.ALL, solved)).isEqualTo(DropReason.DIFFICULTY);
        assertThat(reason(new GroupFilters(true, false, true), solved)).isEqualTo(DropReason.ZERO_ADVANTAGE);
    }
}
