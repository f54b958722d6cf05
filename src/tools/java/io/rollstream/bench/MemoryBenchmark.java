package io.rollstream.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.learner.PolicyTrainer;
import io.rollstream.learner.SftLoss;
import io.rollstream.learner.TrainingExample;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.LoraModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resident memory of training ({@code bench memory}), meant for a fresh JVM: the process's resident
 * size with the engine loaded, then with the model and its AdamW state, then the peak over training
 * steps of {@link ModelBenchmark}'s training batch — against the estimate of what training must
 * hold: float32 weights, gradients and AdamW's two moments, 16 bytes per trained parameter (with
 * LoRA: 16 per adapter parameter plus 4 per frozen base parameter). The peak includes everything
 * else the process holds (the JVM, libtorch, activations and logits of a micro-batch): {@code
 * train_peak_over_estimate} is that whole-process peak over the estimate, the figure the target
 * is judged on. Next to it, {@code train_peak_above_runtime_*} subtracts the resident size of the
 * bare runtime (JVM and libtorch loaded, no model: {@code rss_engine_mb}), a fixed cost the
 * estimate does not try to count, so that the two can be told apart; it is reported, never the
 * target. {@code load_peak_rss_mb} is the process's peak while it loaded the model.
 */
public final class MemoryBenchmark {

    /** Bytes of float32 training state per trained parameter: weights, gradients, AdamW's two moments. */
    public static final int STATE_BYTES_PER_PARAMETER = 16;
    /** Bytes per frozen parameter (a LoRA base, float32). */
    public static final int FROZEN_BYTES_PER_PARAMETER = 4;

    private static final int STEPS = 2;
    private static final double MIB = 1 << 20;

    private final ModelBenchmark.Settings settings;

    /** @param settings what to train; with {@code lora}, its adapters on the model instead of every weight */
    public MemoryBenchmark(ModelBenchmark.Settings settings) {
        this.settings = settings;
    }

    /** Measures in this JVM (which should have done nothing else yet); keys start with lora_ for adapters. */
    public Map<String, Object> run() throws IOException {
        Engine.getInstance();
        boolean lora = settings.lora() != null;
        String prefix = lora ? "lora_" : "";
        Map<String, Object> out = new LinkedHashMap<>();
        long engineRss = ResidentMemory.current();
        try (LanguageModel model = lora ? settings.openLora() : settings.open()) {
            long estimate = estimateBytes(model);
            out.put(prefix + "memory_estimate_mb", mib(estimate));
            out.put(prefix + "rss_engine_mb", mib(engineRss));
            PolicyTrainer trainer = ModelBenchmark.trainer(model, settings.withMicroBatch(settings.microBatchFor()));
            List<TrainingExample> batch = ModelBenchmark.trainingBatch(settings, model.spec());
            SftLoss loss = new SftLoss();
            System.gc();
            out.put(prefix + "rss_model_mb", mib(ResidentMemory.current()));
            out.put(prefix + "load_peak_rss_mb", mib(ResidentMemory.peak()));
            ResidentMemory.resetPeak();
            List<Double> seconds = new ArrayList<>();
            for (int i = 0; i < STEPS; i++) {
                long start = System.nanoTime();
                trainer.step(batch, loss);
                seconds.add(Math.round((System.nanoTime() - start) / 1e6) / 1e3);
            }
            long peak = ResidentMemory.peak();
            out.put(prefix + "train_peak_rss_mb", mib(peak));
            out.put(prefix + "train_peak_over_estimate", Math.round(1000.0 * peak / estimate) / 1000.0);
            out.put(prefix + "train_peak_above_runtime_mb", mib(peak - engineRss));
            out.put(
                    prefix + "train_peak_above_runtime_over_estimate",
                    Math.round(1000.0 * (peak - engineRss) / estimate) / 1000.0);
            out.put(prefix + "memory_step_seconds", seconds);
            out.put(
                    prefix + "java_heap_used_mb",
                    mib(Runtime.getRuntime().totalMemory()
                            - Runtime.getRuntime().freeMemory()));
        }
        return out;
    }

    /**
     * What training {@code model} must hold: 16 bytes per parameter it trains (float32 weight,
     * gradient, two AdamW moments) and 4 per frozen one (a LoRA model's base, float32).
     */
    static long estimateBytes(LanguageModel model) {
        long trained = ModelBenchmark.parameterCount(model);
        long frozen = model instanceof LoraModel lora ? lora.base().spec().parameterCount() : 0;
        return trained * STATE_BYTES_PER_PARAMETER + frozen * FROZEN_BYTES_PER_PARAMETER;
    }

    /**
     * {@code bench memory} with these settings (and {@code --lora} when {@code lora}) in a JVM of its
     * own; its fields, in order.
     */
    public static Iterator<Map.Entry<String, JsonNode>> inFreshJvm(ModelBenchmark.Settings settings, boolean lora)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(
                "memory",
                "--model",
                settings.directory().toString(),
                "--train-rows",
                Integer.toString(settings.trainRows()),
                "--micro-batch",
                Integer.toString(settings.microBatch())));
        if (lora) {
            args.addAll(List.of(
                    "--lora", "--lora-rank", Integer.toString(settings.lora().rank())));
        }
        return OwnJvm.bench(args, JniUtils.getNumThreads()).fields();
    }

    private static long mib(long bytes) {
        return Math.round(bytes / MIB);
    }
}
