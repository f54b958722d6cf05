package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.Checkpoints;
import io.rollstream.checkpoint.OptimizerState;
import io.rollstream.common.Json;
import io.rollstream.eval.EvalSpec;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.TensorSource;
import io.rollstream.tasks.Task;
import io.rollstream.tasks.Tasks;
import io.rollstream.tokenizer.CharTokenizer;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.tokenizer.PromptFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The SFT warm start saves its state every {@code checkpoint_every} steps and on a stop, and a warm
 * start continued from a saved state — after a stop, or after a crash that lost the steps since
 * the last save — ends with bit-identical weights and logs the same steps with the same losses as
 * one trained straight through.
 */
@Tag("djl")
class WarmStartTest {

    private static final Task TASK = Tasks.create("arithmetic", 3, 1);
    private static final CharTokenizer TOKENIZER = new CharTokenizer(TASK.alphabet());
    private static final PromptCodec CODEC = new PromptCodec(TOKENIZER, PromptFormat.RAW);
    private static final ModelConfig MODEL =
            new ModelConfig(TOKENIZER.vocabSize(), 1, 2, 16, 32, 12, ModelConfig.Positions.LEARNED);
    private static final EvalSpec EVAL = new EvalSpec("arithmetic", 3, 1, Map.of(), 10, 0, 4, 0, 1.0);
    /**
     * 12 steps, saved every 4, evaluated every 5; the learning rate warms up over 3 steps, then decays
     * to 3e-4 at the last (a resume must continue the schedule where it was).
     */
    private static final WarmStart.Settings SETTINGS = new WarmStart.Settings(12, 40, 8, 3e-3, 3, 5, 4, 3e-4);

    /** Keeps what the warm start saves; asks for a stop once {@code stopAfter} steps are done. */
    private static final class Recorder implements WarmStart.Saver {
        final List<Checkpoint> saved = new ArrayList<>();
        final int stopAfter;
        int steps;

        Recorder(int firstStep, int stopAfter) {
            this.steps = firstStep;
            this.stopAfter = stopAfter;
        }

        @Override
        public void save(Checkpoint state) {
            // The state's tensors are live arrays that training goes on changing: keep a copy.
            OptimizerState optimizer = state.optimizer();
            saved.add(new Checkpoint(
                    state.step(),
                    state.model(),
                    state.tokenizer(),
                    TensorSource.of(state.weights().toMap()),
                    new OptimizerState(
                            optimizer.step(),
                            optimizer.firstMoments().toMap(),
                            optimizer.secondMoments().toMap()),
                    state.metadata(),
                    state.adapter()));
        }

        @Override
        public boolean stopRequested() {
            return ++steps == stopAfter; // asked once per step, after its metrics line
        }
    }

    private record Outcome(Map<String, float[]> weights, List<JsonNode> lines) {}

    private static Outcome train(LanguageModel model, Checkpoint from, WarmStart.Saver saver) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        Checkpoint version0 =
                WarmStart.run(SETTINGS, TASK, model, from, CODEC, EVAL, line -> lines.add(parse(line)), saver);
        return new Outcome(version0.weights().toMap(), lines);
    }

    private static JsonNode parse(String line) {
        try {
            return Json.mapper().readTree(line);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Outcome straightThrough(Recorder recorder) throws Exception {
        try (LanguageModel fresh = WarmStart.freshModel(MODEL, 5)) {
            return train(fresh, null, recorder);
        }
    }

    private static Outcome continued(Checkpoint saved) throws Exception {
        try (LanguageModel model = Checkpoints.model(saved, Device.cpu())) {
            return train(model, saved, new Recorder((int) saved.step(), -1));
        }
    }

    @Test
    void aWarmStartStoppedAndContinuedEndsBitIdenticalToOneTrainedStraightThrough() throws Exception {
        Recorder straight = new Recorder(0, -1);
        Outcome expected = straightThrough(straight);
        assertThat(straight.saved)
                .extracting(Checkpoint::step)
                .as("every 4 steps and at the end")
                .containsExactly(4L, 8L, 12L);
        assertThat(straight.saved.get(0).optimizer().step()).isEqualTo(4);
        assertThat(straight.saved.get(0).metadata()).containsEntry(WarmStart.DRAWS, "32");

        Recorder stopping = new Recorder(0, 6);
        try (LanguageModel fresh = WarmStart.freshModel(MODEL, 5)) {
            assertThatThrownBy(() -> train(fresh, null, stopping))
                    .isInstanceOf(WarmStart.Stopped.class)
                    .satisfies(e -> assertThat(((WarmStart.Stopped) e).step()).isEqualTo(6));
        }
        assertThat(stopping.saved)
                .extracting(Checkpoint::step)
                .as("the stop saves at once")
                .containsExactly(4L, 6L);

        Outcome resumed = continued(stopping.saved.get(1));
        assertThat(resumed.lines()).extracting(l -> l.path("step").asInt()).containsExactly(6, 7, 8, 9, 10, 11);
        assertSameTraining(resumed, expected, 6);
    }

    @Test
    void aWarmStartThatCrashedContinuesFromItsLastSaveAndRedoesTheStepsSince() throws Exception {
        Outcome expected = straightThrough(new Recorder(0, -1));
        Recorder crashing = new Recorder(0, -1);
        try (LanguageModel fresh = WarmStart.freshModel(MODEL, 5)) {
            List<JsonNode> lines = new ArrayList<>();
            assertThatThrownBy(() -> WarmStart.run(
                            SETTINGS,
                            TASK,
                            fresh,
                            null,
                            CODEC,
                            EVAL,
                            line -> {
                                lines.add(parse(line));
                                if (lines.size() == 7) {
                                    throw new IllegalStateException("killed");
                                }
                            },
                            crashing))
                    .hasMessage("killed");
        }
        assertThat(crashing.saved).extracting(Checkpoint::step).containsExactly(4L);

        Outcome resumed = continued(crashing.saved.get(0));
        assertThat(resumed.lines()).extracting(l -> l.path("step").asInt()).containsExactly(4, 5, 6, 7, 8, 9, 10, 11);
        assertSameTraining(resumed, expected, 4);
    }

    @Test
    void theLearningRateDecaysToItsMinimumAtTheLastStepOnlyWhenOneIsSet() {
        assertThat(SETTINGS.optimizer().learningRateAt(3)).isEqualTo(3e-3);
        assertThat(SETTINGS.optimizer().learningRateAt(12)).isCloseTo(3e-4, within(1e-12));
        WarmStart.Settings constant = new WarmStart.Settings(12, 40, 8, 3e-3, 3, 5, 4, null);
        assertThat(constant.optimizer().learningRateAt(12)).isEqualTo(3e-3);
    }

    @Test
    void aSavedStateOfAnotherWarmStartIsRefused() throws Exception {
        Recorder recorder = new Recorder(0, -1);
        straightThrough(recorder);
        Checkpoint saved = recorder.saved.get(0);
        WarmStart.Settings otherBatch = new WarmStart.Settings(12, 40, 4, 3e-3, 3, 5, 4, null);
        try (LanguageModel model = Checkpoints.model(saved, Device.cpu())) {
            assertThatThrownBy(() -> WarmStart.run(
                            otherBatch, TASK, model, saved, CODEC, EVAL, line -> {}, WarmStart.Saver.NONE))
                    .hasMessageContaining("does not belong to a warm start");
        }
    }

    /** Same final weights, bit for bit, and the same loss, gradient norm and accuracy at each step from {@code from}. */
    private static void assertSameTraining(Outcome resumed, Outcome expected, int from) {
        assertThat(resumed.weights().keySet())
                .containsExactlyElementsOf(expected.weights().keySet());
        resumed.weights()
                .forEach((name, values) -> assertThat(values)
                        .as("weights of %s", name)
                        .containsExactly(expected.weights().get(name)));
        List<JsonNode> tail = expected.lines().subList(from, expected.lines().size());
        for (int i = 0; i < tail.size(); i++) {
            for (String key : List.of("step", "loss", "grad_norm", "entropy", "eval_accuracy")) {
                assertThat(resumed.lines().get(i).path(key))
                        .as("%s of step %d", key, from + i)
                        .isEqualTo(tail.get(i).path(key));
            }
        }
    }
}
