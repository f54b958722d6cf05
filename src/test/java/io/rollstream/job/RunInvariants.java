package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;

/**
 * docs/invariants.md invariants 1–3 checked on a run directory's record files, across however many
 * attempts and resumes wrote them: learner steps 0..k−1 each once, every problem's group logged
 * exactly once (trained or dropped with a reason, none lost), no group trained twice, exact batch
 * sizes, and every trained group's staleness in [0, max_off_policy_steps] — a negative staleness
 * would mean a generator used a version the restored learner had not produced (invariant 7).
 */
final class RunInvariants {

    private RunInvariants() {}

    static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                out.add(Json.mapper().readTree(line));
            }
        }
        return out;
    }

    /** RL steps in metrics.jsonl, in file order. */
    static List<Long> steps(Path runDir) throws Exception {
        return lines(runDir.resolve("metrics.jsonl")).stream()
                .filter(m -> "rl".equals(m.path("phase").asText()))
                .map(m -> m.path("step").asLong())
                .toList();
    }

    /**
     * Checks a run that read {@code problems} problems once each (a bounded single-epoch source)
     * to the end of its input: every problem's group is logged exactly once, trained or dropped with
     * a reason (the end of input drops the groups still waiting), so none was lost or repeated.
     *
     * @return the number of learner steps
     */
    static int check(Path runDir, PipelineFixtures.Knobs knobs, int problems) throws Exception {
        Set<String> problemIds = checkGroups(runDir, knobs);
        assertThat(problemIds)
                .as("every problem's group has an outcome, none lost")
                .hasSize(problems);
        return steps(runDir).size();
    }

    /**
     * Checks a run that read fresh problems (position i = the last segment of the problem id) until
     * the learner finished {@code knobs.steps()} steps. A generator admits problems in input order,
     * so up to the newest trained problem every position must be logged, except groups the final
     * savepoint still holds: in flight, or waiting for a batch within the staleness bound — at most
     * {@code problems_per_batch × (max_async_level + max_off_policy_steps + 2)}. (Problems read
     * after the learner finished are skipped, so later positions say nothing.)
     */
    static void checkFresh(Path runDir, PipelineFixtures.Knobs knobs) throws Exception {
        assertThat(steps(runDir)).as("steps").hasSize((int) knobs.steps());
        checkGroups(runDir, knobs);
        TreeSet<Long> positions = new TreeSet<>();
        long newestTrained = -1;
        for (JsonNode g : lines(runDir.resolve("rollouts.jsonl"))) {
            String id = g.path("problem_id").asText();
            long position = Long.parseLong(id.substring(id.lastIndexOf('/') + 1));
            positions.add(position);
            newestTrained = g.has("trained_step") ? Math.max(newestTrained, position) : newestTrained;
        }
        long held = (long) (knobs.oversampling() * knobs.batchSize() / PipelineFixtures.G)
                * (knobs.maxAsync() + knobs.maxOffPolicy() + 2);
        long logged = positions.headSet(newestTrained, true).size();
        assertThat(newestTrained + 1 - logged)
                .as("problems up to the newest trained one never logged")
                .isBetween(0L, held);
    }

    /** Steps contiguous, groups logged once, exact batches, staleness bound; returns the problem ids seen. */
    private static Set<String> checkGroups(Path runDir, PipelineFixtures.Knobs knobs) throws Exception {
        List<Long> steps = steps(runDir);
        assertThat(steps)
                .as("contiguous steps, each once")
                .containsExactlyElementsOf(
                        LongStream.range(0, steps.size()).boxed().toList());
        Set<String> groups = new HashSet<>();
        Set<String> problemIds = new HashSet<>();
        Map<Long, Integer> rolloutsPerStep = new HashMap<>();
        for (JsonNode g : lines(runDir.resolve("rollouts.jsonl"))) {
            assertThat(groups.add(g.path("group_id").asText()))
                    .as("group %s logged once", g.path("group_id"))
                    .isTrue();
            problemIds.add(g.path("problem_id").asText());
            if (g.has("trained_step")) {
                long step = g.path("trained_step").asLong();
                rolloutsPerStep.merge(step, g.path("rewards").size(), Integer::sum);
                assertThat(step - g.path("policy_version").asLong())
                        .as("staleness of %s", g.path("group_id"))
                        .isBetween(0L, (long) knobs.maxOffPolicy());
            } else {
                assertThat(g.path("dropped").asText())
                        .isIn("zero_advantage", "stale", "difficulty", "length", "end_of_input", "scoring_failed");
            }
        }
        assertThat(groups).as("one admission per problem").hasSameSizeAs(problemIds);
        assertThat(rolloutsPerStep.keySet()).as("trained steps").containsExactlyInAnyOrderElementsOf(steps);
        assertThat(rolloutsPerStep).allSatisfy((step, n) -> assertThat(n).isEqualTo(knobs.batchSize()));
        return problemIds;
    }
}
