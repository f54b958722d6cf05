package io.rollstream.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.rollstream.model.GptModel;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.SamplingTruncation;
import io.rollstream.model.SequenceBatch;
import io.rollstream.model.TokenLogprobs;
import io.rollstream.testing.NativeArrays;
import io.rollstream.types.FinishReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("djl")
class SamplingEngineTest {

    private static final int PAD = 0;
    private static final int BOS = 1;
    private static final int EOS = 2;
    private static final int VOCAB = 16;

    private static GptModel learned;
    private static GptModel rotary;

    @BeforeAll
    static void models() {
        learned = GptModel.initialize(
                new ModelConfig(VOCAB, 2, 2, 32, 64, 48, ModelConfig.Positions.LEARNED), 7, Device.cpu());
        rotary = GptModel.initialize(
                new ModelConfig(VOCAB, 2, 2, 32, 64, 48, ModelConfig.Positions.ROTARY), 7, Device.cpu());
    }

    @AfterAll
    static void close() {
        learned.close();
        rotary.close();
    }

    /** Prompts of different lengths, so left padding and per-row positions matter. */
    private static List<GenerationRequest> requests(int n, long seedBase) {
        List<GenerationRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int length = 1 + (i * 5) % 9;
            int[] prompt = new int[length];
            prompt[0] = BOS;
            for (int j = 1; j < length; j++) {
                prompt[j] = 3 + (i * 7 + j * 3) % (VOCAB - 3);
            }
            out.add(new GenerationRequest(prompt, seedBase + i));
        }
        return out;
    }

    @Test
    void kvCacheGivesTheSameTokensAsRecomputing() {
        for (GptModel model : List.of(learned, rotary)) {
            List<GenerationRequest> reqs = requests(12, 100);
            SamplingConfig params = SamplingConfig.sample(30);
            List<Completion> cached = new SamplingEngine(Set.of(EOS), PAD, true).generate(model, reqs, params);
            List<Completion> recomputed = new SamplingEngine(Set.of(EOS), PAD, false).generate(model, reqs, params);
            for (int i = 0; i < reqs.size(); i++) {
                assertThat(cached.get(i).tokens()).isEqualTo(recomputed.get(i).tokens());
                assertThat(cached.get(i).finishReason())
                        .isEqualTo(recomputed.get(i).finishReason());
                float[] a = cached.get(i).logprobs();
                float[] b = recomputed.get(i).logprobs();
                for (int j = 0; j < a.length; j++) {
                    assertThat(a[j]).isCloseTo(b[j], within(1e-4f));
                }
            }
        }
    }

    @Test
    void behaviourLogprobsMatchTeacherForcedScoring() {
        List<GenerationRequest> reqs = requests(8, 5);
        SamplingConfig params = new SamplingConfig(0.7, 1.0, 0, 20, false);
        List<Completion> out = new SamplingEngine(Set.of(EOS), PAD, true).generate(rotary, reqs, params);
        float[][] scored = TokenLogprobs.score(
                rotary,
                reqs.stream().map(GenerationRequest::prompt).toList(),
                out.stream().map(Completion::tokens).toList(),
                PAD,
                0.7);
        for (int i = 0; i < reqs.size(); i++) {
            for (int j = 0; j < scored[i].length; j++) {
                assertThat(scored[i][j]).isCloseTo(out.get(i).logprobs()[j], within(1e-4f));
            }
        }
    }

    /**
     * With top-p / top-k the sampler records the log-prob of the truncated, renormalised
     * distribution, and the learner's forward under the same truncation gives the same numbers
     * (an importance ratio of 1 for unchanged weights), every sampled token inside its kept set.
     */
    @Test
    void truncatedBehaviourLogprobsMatchTheLearnersTruncatedForward() {
        List<GenerationRequest> reqs = requests(8, 5);
        for (SamplingConfig params : List.of(
                new SamplingConfig(0.7, 0.8, 0, 20, false),
                new SamplingConfig(1.0, 1.0, 3, 20, false),
                new SamplingConfig(1.3, 0.9, 5, 20, false))) {
            List<Completion> out = new SamplingEngine(Set.of(EOS), PAD, true).generate(rotary, reqs, params);
            List<int[]> prompts = reqs.stream().map(GenerationRequest::prompt).toList();
            List<int[]> completions = out.stream().map(Completion::tokens).toList();
            SequenceBatch batch =
                    SequenceBatch.of(prompts, completions, PAD, rotary.config().contextLength());
            float[][] learner;
            float[][] inSupport;
            try (NDManager manager = rotary.newSubManager();
                    NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDList forward = TokenLogprobs.forward(
                        rotary,
                        manager,
                        batch,
                        params.temperature(),
                        new SamplingTruncation(params.topP(), params.topK()));
                learner = batch.gather(forward.get(0).toFloatArray());
                inSupport = batch.gather(forward.get(2).toFloatArray());
            }
            float[][] untruncated = TokenLogprobs.score(rotary, prompts, completions, PAD, params.temperature());
            double largestCorrection = 0;
            for (int i = 0; i < reqs.size(); i++) {
                for (int j = 0; j < learner[i].length; j++) {
                    assertThat(inSupport[i][j]).isEqualTo(1f);
                    assertThat(learner[i][j]).isCloseTo(out.get(i).logprobs()[j], within(1e-4f));
                    largestCorrection = Math.max(largestCorrection, learner[i][j] - untruncated[i][j]);
                }
            }
            assertThat(largestCorrection).as("truncation changes the log-probs").isGreaterThan(0.05);
        }
    }

    @Test
    void sameSeedsGiveTheSameTokensWhateverElseIsInTheBatch() {
        SamplingEngine engine = new SamplingEngine(Set.of(EOS), PAD, true);
        SamplingConfig params = new SamplingConfig(1.0, 0.95, 12, 25, false);
        List<GenerationRequest> alone = requests(3, 40);
        List<GenerationRequest> crowded = new ArrayList<>(requests(9, 900));
        crowded.add(4, alone.get(0));
        crowded.add(alone.get(1));
        crowded.add(0, alone.get(2));
        List<Completion> a = engine.generate(learned, alone, params);
        List<Completion> b = engine.generate(learned, crowded, params);
        assertThat(b.get(5).tokens()).isEqualTo(a.get(0).tokens());
        assertThat(b.get(b.size() - 1).tokens()).isEqualTo(a.get(1).tokens());
        assertThat(b.get(0).tokens()).isEqualTo(a.get(2).tokens());
    }

    @Test
    void differentSeedsGiveDifferentCompletions() {
        SamplingEngine engine = new SamplingEngine(Set.of(EOS), PAD, true);
        int[] prompt = {BOS, 4, 5, 6};
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            reqs.add(new GenerationRequest(prompt, RolloutSeeds.of(1, "p", 0, i, 0)));
        }
        List<Completion> out = engine.generate(learned, reqs, SamplingConfig.sample(20));
        assertThat(out.stream().map(c -> Arrays.toString(c.tokens())).distinct().count())
                .isGreaterThan(4);
    }

    @Test
    void stopsAtEosOrAtTheLimit() {
        List<Completion> out =
                new SamplingEngine(Set.of(EOS), PAD, true).generate(learned, requests(16, 3), SamplingConfig.sample(6));
        for (Completion c : out) {
            assertThat(c.tokens().length).isBetween(1, 6);
            if (c.finishReason() == FinishReason.STOP) {
                assertThat(c.tokens()[c.tokens().length - 1]).isEqualTo(EOS);
            } else {
                assertThat(c.tokens()).hasSize(6).doesNotContain(EOS);
            }
        }
    }

    @Test
    void eachRowStopsAtTheFirstOfAnyStopId() {
        SamplingConfig params = SamplingConfig.sample(12);
        List<Completion> unstopped =
                new SamplingEngine(Set.of(), PAD, true).generate(learned, requests(16, 41), params);
        Set<Integer> stops = Set.of(5, 9);
        List<Completion> stopped = new SamplingEngine(stops, PAD, true).generate(learned, requests(16, 41), params);
        int stoppedRows = 0;
        for (int i = 0; i < unstopped.size(); i++) {
            int[] full = unstopped.get(i).tokens();
            int end = 0;
            while (end < full.length && !stops.contains(full[end])) {
                end++;
            }
            Completion c = stopped.get(i);
            if (end < full.length) {
                stoppedRows++;
                assertThat(c.finishReason()).isEqualTo(FinishReason.STOP);
                assertThat(c.tokens()).isEqualTo(Arrays.copyOf(full, end + 1));
            } else {
                assertThat(c.finishReason()).isEqualTo(FinishReason.LENGTH);
                assertThat(c.tokens()).isEqualTo(full);
            }
        }
        assertThat(stoppedRows).as("rows that met a stop id").isGreaterThan(3).isLessThan(16);
    }

    @Test
    void thousandsOfGenerateCallsLeaveNoNativeArraysBehind() {
        SamplingEngine engine = new SamplingEngine(Set.of(EOS), PAD, true);
        List<GenerationRequest> reqs = requests(6, 17);
        engine.generate(rotary, reqs, SamplingConfig.sample(8));
        int live = NativeArrays.live();
        for (int i = 0; i < 2000; i++) {
            engine.generate(i % 2 == 0 ? rotary : learned, reqs, SamplingConfig.sample(8));
        }
        assertThat(NativeArrays.live()).isEqualTo(live);
    }

    @Test
    void greedyIsRepeatable() {
        SamplingEngine engine = new SamplingEngine(Set.of(EOS), PAD, true);
        List<Completion> a = engine.generate(rotary, requests(5, 1), SamplingConfig.greedy(15));
        List<Completion> b = engine.generate(rotary, requests(5, 999), SamplingConfig.greedy(15));
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).tokens()).isEqualTo(b.get(i).tokens());
        }
    }
}
