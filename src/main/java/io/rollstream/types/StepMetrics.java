package io.rollstream.types;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollstream.common.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One line of {@code metrics.jsonl}: a learner step of RL (phase {@code rl}) or of the SFT warm start
 * (phase {@code sft}). Serialised by Jackson as one flat JSON object whose keys, values and order are
 * the ones plots, reports, tests and older runs know ({@code reward_mean}, {@code
 * total_groups_dropped_stale}, ...): each part below is written in place ({@link JsonUnwrapped}), and
 * a part or an optional value that is null is left out. Reading accepts every line Rollstream ever
 * wrote.
 *
 * @param phase which learner wrote the line
 * @param step the step number within its phase, from 0
 * @param policyVersion RL: the policy version the step published ({@code step + 1}); SFT: null
 * @param rewards RL: the trained rollouts' rewards (and the reverse KL when distilling); SFT: null
 * @param optimization loss, gradient norm and entropy of the step
 * @param samples RL: the trained rollouts' length and staleness; SFT: null
 * @param groups RL: this step's scored, trained and dropped groups and the pools; SFT: null
 * @param totals RL: the whole run's groups and waste as batch assembly counted them; SFT: null
 * @param throughput RL: generation and learner speed, and how long the learner waited; SFT: null
 * @param updates how long the step took and (RL) what the optimizer applied
 * @param training RL: where the trainer's time went and the learning rate, else null (lines of older
 *     runs too)
 * @param lossDiagnostics the losses' token statistics ({@code is_ratio_mean}, {@code clipped_fraction},
 *     ...), under their own names; empty for SFT
 * @param evalAccuracy held-out greedy accuracy when the step evaluated, else null
 * @param evalPassAt pass@k on the held-out problems by k when the step evaluated with sampling
 *     ({@code eval.samples} > 0), else empty; written as the keys {@code eval_pass_at_<k>} after
 *     {@code eval_accuracy}
 * @param stepTimes RL: publishing and evaluation time and the job's running time, else null (lines of
 *     older runs too)
 * @param epochKl distillation over a fixed problem set: the epochs this step completed, else null
 * @param invalidRecords RL: records refused so far (added by the output stage), else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonDeserialize(using = StepMetrics.Reader.class)
public record StepMetrics(
        Phase phase,
        long step,
        Long policyVersion,
        @JsonUnwrapped Rewards rewards,
        @JsonUnwrapped Optimization optimization,
        @JsonUnwrapped Samples samples,
        @JsonUnwrapped Groups groups,
        @JsonUnwrapped Totals totals,
        @JsonUnwrapped Throughput throughput,
        @JsonUnwrapped Updates updates,
        @JsonUnwrapped Training training,
        Map<String, Double> lossDiagnostics,
        Double evalAccuracy,
        Map<Integer, Double> evalPassAt,
        @JsonUnwrapped StepTimes stepTimes,
        @JsonUnwrapped EpochKlProgress epochKl,
        Long invalidRecords) {

    public StepMetrics {
        // plain collections: Flink serialises the line between the learner and the output stage
        lossDiagnostics = lossDiagnostics == null ? new LinkedHashMap<>() : new LinkedHashMap<>(lossDiagnostics);
        evalPassAt = evalPassAt == null ? new LinkedHashMap<>() : sortedByK(evalPassAt);
    }

    /** The key prefix of pass@k in a line: {@code eval_pass_at_8} is pass@8. */
    public static final String PASS_AT_PREFIX = "eval_pass_at_";

    private static Map<Integer, Double> sortedByK(Map<Integer, Double> passAt) {
        Map<Integer, Double> sorted = new LinkedHashMap<>();
        passAt.keySet().stream().sorted().forEach(k -> sorted.put(k, passAt.get(k)));
        return sorted;
    }

    /** Which learner wrote a line. */
    public enum Phase {
        SFT,
        RL;

        @JsonValue
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The trained rollouts' rewards.
     *
     * @param klMean distillation: the reverse KL to the teacher per token, under the sampling policy; else null
     * @param klStd its standard deviation; else null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rewards(double rewardMean, double rewardStd, Double klMean, Double klStd) {}

    /** The step's loss, global gradient norm and entropy. */
    public record Optimization(double loss, double gradNorm, double entropy) {}

    /**
     * The trained rollouts' length and their staleness (learner step − policy version).
     *
     * @param seqLenMax the longest completion; null in the lines of runs older than the key
     * @param completionsCutFraction the share of completions ended by the length limit, not EOS; null in
     *     the lines of runs older than the key
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Samples(
            double seqLenMean,
            Long seqLenMax,
            Double completionsCutFraction,
            double stalenessMean,
            long stalenessMax) {}

    /**
     * This step's groups: scored since the previous batch, trained, dropped by reason, waiting; the
     * difficulty pools; and the waste of generation (a ratio with nothing to divide by is null).
     * {@code groupsScored} is null in the lines of runs older than the count.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Groups(
            Long groupsScored,
            long groupsTrained,
            long groupsDroppedZeroAdvantage,
            long groupsDroppedStale,
            long groupsDroppedDifficulty,
            long groupsDroppedLength,
            long groupsWaiting,
            long poolEasy,
            long poolNormal,
            long poolHard,
            Double generationEfficiency,
            Double rolloutTokensPerTrainedToken) {}

    /** The whole run's groups (restores included) and waste; a ratio with nothing to divide by is null. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Totals(
            long totalGroupsScored,
            long totalGroupsTrained,
            long totalGroupsDroppedZeroAdvantage,
            long totalGroupsDroppedDifficulty,
            long totalGroupsDroppedStale,
            long totalGroupsDroppedLength,
            long totalGroupsDroppedScoringFailed,
            Double totalGenerationEfficiency,
            Double totalRolloutTokensPerTrainedToken) {

        /** The totals batch assembly counted. */
        public static Totals of(GroupTotals t) {
            return new Totals(
                    t.scored(),
                    t.trained(),
                    t.droppedZeroAdvantage(),
                    t.droppedDifficulty(),
                    t.droppedStale(),
                    t.droppedLength(),
                    t.droppedScoringFailed(),
                    t.scored() > 0 ? t.generationEfficiency() : null,
                    t.trainedTokens() > 0 ? t.rolloutTokensPerTrainedToken() : null);
        }
    }

    /**
     * Generation and learner speed in a step, and the learner's wait for its batch.
     *
     * @param rolloutTokens completion tokens of the groups scored since the previous batch; null in the
     *     lines of runs older than the key
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Throughput(
            Long rolloutTokens, double rolloutTokensPerS, double learnerTokensPerS, double learnerWaitS) {}

    /**
     * How long a step took and what the optimizer applied.
     *
     * @param optimizerSteps RL: updates applied (per batch or per prompt); SFT: null
     * @param skippedNonFinite RL: updates skipped for a non-finite loss or gradient; SFT: null
     * @param skippedZeroGradient RL: updates skipped for an all-zero gradient; SFT: null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Updates(
            double stepTimeS, Integer optimizerSteps, Integer skippedNonFinite, Integer skippedZeroGradient) {}

    /**
     * Where an RL step's training time went, summed over its micro-batches and updates, and the
     * learning rate of its first update (warm-up moves it). Written after the losses' diagnostics.
     *
     * @param forwardS forward passes (the reference's included)
     * @param backwardS backward passes
     * @param optimizerS gradient norm, clipping and optimizer update
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Training(Double forwardS, Double backwardS, Double optimizerS, Double learningRate) {}

    /**
     * After training, an RL step's time publishing its policy and evaluating, and the RL job's running
     * time at its end. Written after the evaluation.
     *
     * @param evalS null when the step did not evaluate
     * @param timeS the RL job's running time over every attempt (carried in the learner's checkpoint)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepTimes(double publishS, Double evalS, double timeS) {}

    /**
     * Distillation over a fixed problem set, in a step that completed epochs.
     *
     * @param epochsCompletedNow the epochs this step completed, each with its mean KL
     * @param epochsCompleted epochs completed so far
     * @param klEpochStd σ of the per-epoch KL across them
     */
    public record EpochKlProgress(List<CompletedEpoch> epochsCompletedNow, int epochsCompleted, double klEpochStd) {

        public EpochKlProgress {
            epochsCompletedNow = new ArrayList<>(epochsCompletedNow);
        }
    }

    /** An epoch of the problem set and the mean reverse KL over it. */
    public record CompletedEpoch(long epoch, double klMean) {}

    /** Keys the learner writes after the losses' diagnostics. */
    private static final List<String> WRITTEN_AFTER_DIAGNOSTICS = Stream.of(
                    Reader.keys(Training.class).stream(),
                    Stream.of("eval_accuracy"),
                    Reader.keys(StepTimes.class).stream(),
                    Reader.keys(EpochKlProgress.class).stream(),
                    Stream.of("invalid_records"))
            .flatMap(k -> k)
            .toList();

    /** A warm-start step's line. */
    public static StepMetrics sft(
            long step,
            Optimization optimization,
            double stepTimeS,
            Double evalAccuracy,
            Map<Integer, Double> evalPassAt) {
        return new StepMetrics(
                Phase.SFT,
                step,
                null,
                null,
                optimization,
                null,
                null,
                null,
                null,
                new Updates(stepTimeS, null, null, null),
                null,
                Map.of(),
                evalAccuracy,
                evalPassAt,
                null,
                null,
                null);
    }

    @JsonIgnore
    @Override
    public Map<String, Double> lossDiagnostics() {
        return Collections.unmodifiableMap(lossDiagnostics);
    }

    @JsonIgnore
    @Override
    public Map<Integer, Double> evalPassAt() {
        return Collections.unmodifiableMap(evalPassAt);
    }

    /** The keys written flat beside the parts: the losses' diagnostics and pass@k ({@code eval_pass_at_<k>}). */
    @JsonAnyGetter
    Map<String, Double> flatKeys() {
        Map<String, Double> keys = new LinkedHashMap<>(lossDiagnostics);
        evalPassAt.forEach((k, v) -> keys.put(PASS_AT_PREFIX + k, v));
        return keys;
    }

    /** This line with {@code invalid_records} set. */
    public StepMetrics withInvalidRecords(long count) {
        return new StepMetrics(
                phase,
                step,
                policyVersion,
                rewards,
                optimization,
                samples,
                groups,
                totals,
                throughput,
                updates,
                training,
                lossDiagnostics,
                evalAccuracy,
                evalPassAt,
                stepTimes,
                epochKl,
                count);
    }

    @JsonIgnore
    public boolean isRl() {
        return phase == Phase.RL;
    }

    @JsonIgnore
    public boolean isSft() {
        return phase == Phase.SFT;
    }

    /**
     * The number {@code field} of the part {@code part}, or {@code fallback} where this line has no
     * such part (a line of an older run, or one a test wrote by hand).
     */
    public <P> double value(Function<StepMetrics, P> part, Function<P, ? extends Number> field, double fallback) {
        P p = part.apply(this);
        Number n = p == null ? null : field.apply(p);
        return n == null ? fallback : n.doubleValue();
    }

    public boolean evaluated() {
        return evalAccuracy != null;
    }

    /** pass@k of the step's evaluation, or null when it did not evaluate with {@code k} in its samples. */
    public Double evalPassAt(int k) {
        return evalPassAt.get(k);
    }

    /**
     * The line as {@code metrics.jsonl} holds it (no newline): the parts in order, then the losses'
     * diagnostics, the training's timings, the evaluation, the step's other times, the epochs and the
     * invalid records, as the learner always wrote them.
     */
    public String toJson() {
        ObjectNode line = Json.mapper().valueToTree(this); // Jackson writes the diagnostics last
        for (String key : WRITTEN_AFTER_DIAGNOSTICS) {
            JsonNode value = line.remove(key);
            if (value != null) {
                line.set(key, value);
            }
            if (key.equals("eval_accuracy")) {
                evalPassAt.keySet().forEach(k -> line.set(PASS_AT_PREFIX + k, line.remove(PASS_AT_PREFIX + k)));
            }
        }
        try {
            return Json.mapper().writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every number of the line by its key (nested lists left out): what the learner's gauges show. */
    public Map<String, Double> numbers() {
        Map<String, Double> numbers = new LinkedHashMap<>();
        Json.mapper().<ObjectNode>valueToTree(this).fields().forEachRemaining(e -> {
            if (e.getValue().isNumber()) {
                numbers.put(e.getKey(), e.getValue().doubleValue());
            }
        });
        return numbers;
    }

    /**
     * Reads a line part by part: a part is present when any of its keys is; the numeric keys no
     * part names are the losses' diagnostics.
     */
    static final class Reader extends StdDeserializer<StepMetrics> {

        private static final long serialVersionUID = 1L;
        private static final ObjectReader PART =
                Json.mapper().reader().without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        private static final List<Class<? extends Record>> PARTS = List.of(
                Rewards.class,
                Optimization.class,
                Samples.class,
                Groups.class,
                Totals.class,
                Throughput.class,
                Updates.class,
                Training.class,
                StepTimes.class,
                EpochKlProgress.class);
        private static final Pattern PASS_AT_KEY = Pattern.compile(Pattern.quote(PASS_AT_PREFIX) + "([1-9][0-9]{0,8})");
        private static final Set<String> NAMED =
                new HashSet<>(List.of("phase", "step", "policy_version", "eval_accuracy", "invalid_records"));

        static {
            PARTS.forEach(part -> NAMED.addAll(keys(part)));
        }

        Reader() {
            super(StepMetrics.class);
        }

        @Override
        public StepMetrics deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            JsonNode line = p.readValueAsTree();
            if (!line.isObject() || !line.has("phase") || !line.has("step")) {
                return ctx.reportInputMismatch(StepMetrics.class, "a metrics line needs \"phase\" and \"step\"");
            }
            Phase phase = PART.treeToValue(line.get("phase"), Phase.class);
            Map<String, Double> diagnostics = new LinkedHashMap<>();
            Map<Integer, Double> passAt = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = line.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (NAMED.contains(e.getKey()) || !e.getValue().isNumber()) {
                    continue;
                }
                Matcher pass = PASS_AT_KEY.matcher(e.getKey());
                if (pass.matches()) {
                    passAt.put(Integer.parseInt(pass.group(1)), e.getValue().doubleValue());
                } else {
                    diagnostics.put(e.getKey(), e.getValue().doubleValue());
                }
            }
            return new StepMetrics(
                    phase,
                    line.get("step").asLong(),
                    longOrNull(line, "policy_version"),
                    part(line, Rewards.class),
                    part(line, Optimization.class),
                    part(line, Samples.class),
                    part(line, Groups.class),
                    part(line, Totals.class),
                    part(line, Throughput.class),
                    part(line, Updates.class),
                    part(line, Training.class),
                    diagnostics,
                    line.hasNonNull("eval_accuracy") ? line.get("eval_accuracy").asDouble() : null,
                    passAt,
                    part(line, StepTimes.class),
                    part(line, EpochKlProgress.class),
                    longOrNull(line, "invalid_records"));
        }

        private static Long longOrNull(JsonNode line, String key) {
            return line.hasNonNull(key) ? line.get(key).asLong() : null;
        }

        private static <T extends Record> T part(JsonNode line, Class<T> type) throws IOException {
            return keys(type).stream().anyMatch(line::has) ? PART.treeToValue(line, type) : null;
        }

        static List<String> keys(Class<? extends Record> part) {
            PropertyNamingStrategies.NamingBase snake =
                    (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;
            return Stream.of(part.getRecordComponents())
                    .map(c -> snake.translate(c.getName()))
                    .toList();
        }
    }
}
