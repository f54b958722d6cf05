package io.rollstream.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import io.rollstream.learner.ImportanceCorrection.MaskLevel;
import io.rollstream.learner.ImportanceCorrection.Truncation;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every loss, aggregation, importance correction and KL estimator against the vectors that
 * {@code src/test/python/loss_reference.py} computes in NumPy from the papers' definitions (DAPO,
 * GRPO, Dr. GRPO, GSPO, CISPO, truncated IS, masking, reverse-KL distillation, Schulman's k1/k2/k3):
 * the objective's value and its gradient with respect to each token's log-prob. Three sequences of
 * 3, 3 and 1 tokens with advantages +1, −0.5, +2 cover both clip branches, both advantage signs and
 * both mask and truncation outcomes.
 */
@Tag("djl")
class LossVectorsTest {

    private static JsonNode vectors;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = LossVectorsTest.class.getResourceAsStream("/reference/loss_vectors.json")) {
            vectors = Json.mapper().readTree(in);
        }
    }

    static List<String> cases() throws IOException {
        load();
        List<String> names = new ArrayList<>();
        vectors.get("losses").forEach(c -> names.add(c.get("name").asText()));
        return names;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void valueAndGradientMatchTheReference(String name) {
        JsonNode c = find(name);
        JsonNode in = vectors.get("inputs");
        String kind = c.get("loss").asText();
        try (NDManager m = NDManager.newBaseManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            Shape shape = new Shape(3, 3);
            NDArray logp = m.create(flat(in.get("logp")), shape);
            logp.setRequiresGradient(true);
            NDArray mask = m.create(flat(in.get("mask")), shape);
            NDArray behaviour = m.create(flat(in.get("behaviour")), shape);
            float[] advantages = flat(in.get("advantages"));
            if (kind.equals("reverse_kl")) { // the sampler's reward: teacher − behaviour log-prob
                float[] teacher = flat(in.get("teacher"));
                float[] mu = flat(in.get("behaviour"));
                for (int i = 0; i < advantages.length; i++) {
                    advantages[i] = teacher[i] - mu[i];
                }
            }
            LossInputs inputs = new LossInputs(
                    logp, mask, m.create(advantages, shape), behaviour, m.create(flat(in.get("reference")), shape), m);
            NDArray perToken = kind.startsWith("kl_")
                    ? new ReferenceKl(new ReferenceKl.Config(
                                    c.get("coefficient").asDouble(),
                                    ReferenceKl.Estimator.valueOf(
                                            kind.substring(3).toUpperCase(Locale.ROOT))))
                            .perToken(inputs)
                    : loss(c).perToken(inputs);
            NDArray value = perToken.mul(m.create(weights(c, in), shape)).sum();
            collector.backward(value);
            assertThat(value.getFloat()).isCloseTo((float) c.get("value").asDouble(), within(2e-6f));
            float[] expected = flat(c.get("gradient"));
            float[] actual = logp.getGradient().toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as("d/dlogp[%d]", i).isCloseTo(expected[i], within(2e-5f));
            }
        }
    }

    /** The loss a case describes, as the config would build it. */
    private static Loss loss(JsonNode c) {
        ImportanceCorrection correction = new ImportanceCorrection(new ImportanceCorrection.Config(
                Truncation.valueOf(c.path("truncate").asText("none").toUpperCase(Locale.ROOT)),
                c.path("cap").asDouble(2.0),
                MaskLevel.valueOf(c.path("mask").asText("none").toUpperCase(Locale.ROOT)),
                c.path("mask_low").asDouble(0.5),
                c.path("mask_high").asDouble(2.0)));
        String kind = c.get("loss").asText();
        switch (kind) {
            case "reverse_kl":
                return new ReverseKlLoss(correction);
            case "dppo":
                return LossConfig.dppo(new DppoLoss.Config(DppoLoss.Masking.NONE, 0.2, 0.2, 0.125, 8, 0))
                        .create(correction);
            default:
                return LossConfig.clipped(
                                PolicyLoss.valueOf(kind.toUpperCase(Locale.ROOT)),
                                c.get("clip_low").asDouble(),
                                c.get("clip_high").asDouble())
                        .create(correction);
        }
    }

    /** Per-token weights of the case's aggregation, from {@link LossAggregation#tokenWeights}. */
    private static float[] weights(JsonNode c, JsonNode in) {
        float[] mask = flat(in.get("mask"));
        int[] tokens = new int[3];
        for (int i = 0; i < mask.length; i++) {
            tokens[i / 3] += (int) mask[i];
        }
        double[] perSequence = LossAggregation.valueOf(
                        c.get("aggregation").asText().toUpperCase(Locale.ROOT))
                .tokenWeights(tokens, in.get("budget").asInt());
        float[] out = new float[mask.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) perSequence[i / 3] * mask[i];
        }
        return out;
    }

    private static JsonNode find(String name) {
        for (JsonNode c : vectors.get("losses")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException(name);
    }

    static float[] flat(JsonNode rows) {
        List<Float> values = new ArrayList<>();
        rows.forEach(row -> row.forEach(v -> values.add((float) v.asDouble())));
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
