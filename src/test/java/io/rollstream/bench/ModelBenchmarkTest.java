package io.rollstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.LoraConfig;
import io.rollstream.model.LoraLayout;
import io.rollstream.model.LoraModel;
import io.rollstream.model.ModelConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code bench model --model DIR --lora} and {@code bench memory} on the tiny Llama fixture, in this
 * JVM: the fields the benchmark table reads are there, and what is counted rather than timed — the
 * learner state of full and LoRA training, the memory estimate — is exactly what the model's shapes
 * say.
 */
@Tag("djl")
class ModelBenchmarkTest {

    private static final Path LLAMA = Path.of("src/test/resources/hf-models/llama-tied");
    private static final LoraConfig LORA = new LoraConfig(2, 4, 0.0, List.of());

    private static ModelBenchmark.Settings settings(Path model, LoraConfig lora) {
        return new ModelBenchmark.Settings(ModelConfig.defaults(32), model, 4, 5, 3, 4, 2, 8, 1, false, lora);
    }

    private static long adapterParameters(DecoderConfig config) {
        return LoraLayout.shapes(config, LORA).values().stream()
                .mapToLong(s -> s.size())
                .sum();
    }

    @Test
    void loraLearnerStateIsTheAdaptersShareOfFullTrainingsState() throws Exception {
        DecoderConfig config = HfModelDirectory.config(LLAMA).decoder();
        Map<String, Object> out = new ModelBenchmark(settings(LLAMA, LORA)).run();

        assertThat(out)
                .containsKeys(
                        "peak_gflops",
                        "decode_tokens_per_s",
                        "decode_mfu",
                        "train_tokens_per_s",
                        "train_mfu",
                        "lora_train_tokens_per_s",
                        "lora_train_mfu");
        assertThat(out).doesNotContainKey("cache_speedup");
        assertThat((Double) out.get("peak_gflops")).isPositive();
        // MFU is over the higher of the peaks measured at the start and at the end of the run
        assertThat((Double) out.get("peak_gflops"))
                .isEqualTo(Math.max((Double) out.get("peak_gflops_start"), (Double) out.get("peak_gflops_end")));
        // A 16-wide model's MFU is a few ten-thousandths: rounded to three decimals it may be 0
        assertThat((Double) out.get("train_mfu")).isNotNegative();
        assertThat((Double) out.get("train_tokens_per_s")).isPositive();
        assertThat((Double) out.get("decode_tokens_per_s")).isPositive();
        assertThat((Double) out.get("lora_train_tokens_per_s")).isPositive();
        long adapters = adapterParameters(config);
        assertThat(out.get("lora_parameters")).isEqualTo(adapters);
        // weights + two AdamW moments of what trains, float32: 12 bytes per trained parameter
        assertThat((Double) out.get("learner_state_mb"))
                .isCloseTo(12.0 * config.parameterCount() / (1 << 20), within(1e-3));
        assertThat((Double) out.get("lora_state_fraction"))
                .isCloseTo((double) adapters / config.parameterCount(), within(1e-5));
    }

    @Test
    void anAutomaticMicroBatchHoldsAtMostItsTokens() {
        ModelBenchmark.Settings automatic = new ModelBenchmark.Settings(
                ModelConfig.defaults(32), null, 4, 5, 3, 64, ModelBenchmark.AUTOMATIC_MICRO_BATCH, 64, 1, false, null);
        assertThat(automatic.microBatchFor()).isEqualTo(2); // 2 x 64 = 128 tokens
        ModelBenchmark.Settings shortRows = new ModelBenchmark.Settings(
                ModelConfig.defaults(32), null, 4, 5, 3, 64, ModelBenchmark.AUTOMATIC_MICRO_BATCH, 16, 1, false, null);
        assertThat(shortRows.microBatchFor()).isEqualTo(8);
        ModelBenchmark.Settings longRows = new ModelBenchmark.Settings(
                ModelConfig.defaults(32), null, 4, 5, 3, 64, ModelBenchmark.AUTOMATIC_MICRO_BATCH, 512, 1, false, null);
        assertThat(longRows.microBatchFor()).isEqualTo(1);
        ModelBenchmark.Settings fewRows = new ModelBenchmark.Settings(
                ModelConfig.defaults(32), null, 4, 5, 3, 2, ModelBenchmark.AUTOMATIC_MICRO_BATCH, 16, 1, false, null);
        assertThat(fewRows.microBatchFor()).isEqualTo(2);
        assertThat(automatic.withMicroBatch(8).microBatchFor()).isEqualTo(8);
    }

    @Test
    void theMemoryEstimateIsSixteenBytesPerTrainedAndFourPerFrozenParameter() throws Exception {
        DecoderConfig config = HfModelDirectory.config(LLAMA).decoder();
        try (LanguageModel full = settings(LLAMA, null).open();
                LoraModel lora = settings(LLAMA, LORA).openLora()) {
            assertThat(MemoryBenchmark.estimateBytes(full)).isEqualTo(16 * config.parameterCount());
            assertThat(MemoryBenchmark.estimateBytes(lora))
                    .isEqualTo(16 * adapterParameters(config) + 4 * config.parameterCount());
        }
    }

    @Test
    void theMemoryBenchmarkReportsThePeakOfTrainingStepsOverTheEstimate() throws Exception {
        DecoderConfig config = HfModelDirectory.config(LLAMA).decoder();
        Map<String, Object> full = new MemoryBenchmark(settings(LLAMA, null)).run();
        Map<String, Object> lora = new MemoryBenchmark(settings(LLAMA, LORA)).run();

        assertThat(full).containsKeys("memory_estimate_mb", "rss_engine_mb", "rss_model_mb");
        assertThat((Long) full.get("train_peak_rss_mb")).isPositive();
        // the ratio is the peak in bytes over the estimate in bytes (MiB values are rounded)
        assertThat((Double) full.get("train_peak_over_estimate"))
                .isCloseTo(
                        (Long) full.get("train_peak_rss_mb") * (double) (1 << 20) / (16.0 * config.parameterCount()),
                        within(0.002 * (Double) full.get("train_peak_over_estimate")));
        // the peak above the bare runtime's resident size is reported beside it, never instead of it
        assertThat((Long) full.get("train_peak_above_runtime_mb"))
                .isCloseTo((Long) full.get("train_peak_rss_mb") - (Long) full.get("rss_engine_mb"), within(1L));
        assertThat((Double) full.get("train_peak_above_runtime_over_estimate"))
                .isLessThan((Double) full.get("train_peak_over_estimate"));
        assertThat(lora).containsKeys("lora_memory_estimate_mb", "lora_rss_model_mb");
        assertThat((Long) lora.get("lora_train_peak_rss_mb")).isPositive();
    }

    @Test
    void loraOnTheBuiltinGptIsRefusedNamingWhy() {
        ModelBenchmark.Settings gpt = settings(null, LORA); // no --model: the builtin gpt
        assertThatThrownBy(() -> new MemoryBenchmark(gpt).run())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--lora needs a Llama-family model");
    }
}
