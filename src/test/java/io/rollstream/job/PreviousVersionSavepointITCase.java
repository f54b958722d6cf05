package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * State formats stay readable: a run directory stopped with a savepoint by an earlier version of
 * Rollstream — committed under {@value #FIXTURES} with the commit that wrote it in its name — is
 * resumed by this version, which must continue it to the end without losing or repeating a group.
 * Every operator's state is in that savepoint (the source's position, the rollout stage's keyed
 * problem state and pending groups, batch assembly's waiting groups and counts, the learner's
 * checkpoint, the invalid-record count), so a change to any state format that the new code cannot
 * read fails here.
 *
 * <p>When a release changes a state format on purpose, its versioned serializer reads the old form;
 * add a fixture written by the version before the change beside the old ones (run {@link
 * #writeFixture} with {@code -Dfixture.out=DIR} on that version; a fixture is worth most when
 * batch assembly had groups waiting, which depends on timing: look for group ids in its savepoint)
 * and keep the old ones.
 */
@Tag("djl")
class PreviousVersionSavepointITCase {

    static final String FIXTURES = "src/test/resources/savepoints";
    /** Written by main at ee02833 (the state formats of issues 1-16), stopped after 2 of 14 steps. */
    static final String MAIN_EE02833 = "main-ee02833";
    /**
     * The groups waiting in batch assembly when that savepoint was taken, held on Flink's POJO
     * serializer with each rollout's finish reason a string ("stop") and no answer.
     */
    private static final List<String> WAITING_IN_EE02833 =
            List.of("arithmetic[+]/d1/s3/36#0", "arithmetic[+]/d1/s3/38#0", "arithmetic[+]/d1/s3/42#0");
    /**
     * Written by main at 5474c21 (batch assembly's state in version 1 of its versioned format: finish
     * reasons strings, no answers), stopped after 2 of 14 steps.
     */
    static final String MAIN_5474C21 = "main-5474c21";
    /** The group waiting in batch assembly when that savepoint was taken ("stop" four times, no answer). */
    private static final List<String> WAITING_IN_5474C21 = List.of("arithmetic[+]/d1/s3/24#0");
    /** The arithmetic task's prompt: {@code a+b=}. */
    private static final Pattern SUM = Pattern.compile("(\\d+)\\+(\\d+)=");

    private static final PipelineFixtures.Knobs KNOBS = new PipelineFixtures.Knobs(1, 16, 2.0, 1, 2, 14, null, null);
    private static final long RUN_SEED = 11;
    /** One generator: the default slot-sharing group, the generator and the learner. */
    private static final int SLOTS = 3;

    @TempDir
    Path runDir;

    @Test
    void aRunStoppedByMainAtEe02833IsContinuedToItsEnd() throws Exception {
        continueToTheEnd(MAIN_EE02833);
        checkFinishReasonsAndAnswers(RunInvariants.lines(runDir.resolve("rollouts.jsonl")), WAITING_IN_EE02833);
    }

    @Test
    void aRunStoppedByMainAt5474c21IsContinuedToItsEnd() throws Exception {
        continueToTheEnd(MAIN_5474C21);
        checkFinishReasonsAndAnswers(RunInvariants.lines(runDir.resolve("rollouts.jsonl")), WAITING_IN_5474C21);
    }

    private void continueToTheEnd(String fixture) throws Exception {
        copyTree(Path.of(FIXTURES, fixture), runDir);
        int stepsBefore = RunInvariants.steps(runDir).size();

        PipelinePlan plan = PipelineFixtures.planOnly(runDir, KNOBS);
        PipelineRunner.Result resumed = PipelineRunner.run(
                plan,
                PipelineFixtures.io(plan, RUN_SEED, 0, 0),
                options(ResumePoint.resolve(runDir.toString(), null)),
                line -> {});

        assertThat(resumed.status()).isEqualTo(JobStatus.FINISHED);
        assertThat(stepsBefore).as("the fixture was stopped midway").isBetween(1, (int) KNOBS.steps() - 1);
        RunInvariants.checkFresh(runDir, KNOBS);
    }

    /**
     * The groups restored from the old savepoint come out with their finish reasons (the typed form
     * read from the old string) and without an answer; every group scored by this version carries its
     * problem's answer.
     */
    private static void checkFinishReasonsAndAnswers(List<JsonNode> groups, List<String> restored) {
        Map<String, JsonNode> byId =
                groups.stream().collect(Collectors.toMap(g -> g.path("group_id").asText(), g -> g, (a, b) -> b));
        for (String waiting : restored) {
            JsonNode group = byId.get(waiting);
            assertThat(group)
                    .as("%s, restored from the savepoint, has its outcome", waiting)
                    .isNotNull();
            assertThat(group.path("finish_reasons"))
                    .extracting(JsonNode::asText)
                    .as(waiting)
                    .containsExactly("stop", "stop", "stop", "stop");
            assertThat(group.has("answer"))
                    .as("%s was scored before groups carried answers", waiting)
                    .isFalse();
        }
        int scoredHere = 0;
        for (JsonNode group : groups) {
            assertThat(group.path("finish_reasons"))
                    .extracting(JsonNode::asText)
                    .allMatch(r -> r.equals("stop") || r.equals("length") || r.startsWith("scoring_failed: "));
            Matcher sum = SUM.matcher(group.path("prompt").asText());
            if (group.has("answer") && sum.matches()) {
                scoredHere++;
                assertThat(group.path("answer").asText())
                        .as(group.path("prompt").asText())
                        .isEqualTo(String.valueOf(Integer.parseInt(sum.group(1)) + Integer.parseInt(sum.group(2))));
            }
        }
        assertThat(scoredHere)
                .as("groups scored after the resume carry their answer")
                .isPositive();
    }

    /** Writes a fixture of this version's state formats: {@code -Dfixture.out=DIR} (a new directory). */
    @Test
    @EnabledIfSystemProperty(named = "fixture.out", matches = ".+")
    void writeFixture() throws Exception {
        PipelinePlan plan = PipelineFixtures.plan(runDir, KNOBS);
        PipelineFixtures.runAndStopAfter(
                plan, PipelineFixtures.slowed(PipelineFixtures.io(plan, RUN_SEED, 0, 0), 300), options(null), 2);
        Path out = Path.of(System.getProperty("fixture.out"));
        copyTree(runDir, out);
        deleteTree(out.resolve("checkpoints")); // the savepoint is the restore point; checkpoints only add bytes
        deleteTree(out.resolve("tmp"));
    }

    private static PipelineRunner.Settings options(String resumeFrom) {
        return PipelineRunner.Settings.inRunDirectory(false, 0, SLOTS, 300, resumeFrom, 3);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            paths.forEach(p -> {
                try {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
