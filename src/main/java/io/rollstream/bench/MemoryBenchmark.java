package io.rollstream.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import io.rollstream.learner.PolicyTrainer;
import io.rollstream.learner.SftLoss;
import io.rollstream.learner.TrainingExample;
import io.rollstream.model.LanguageModel;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resident memory of training ({@code bench memory}), meant for a fresh JVM: the process's resident
 * size with the engine loaded, then with the model and its AdamW state, then the peak over training
 * steps of {@link ModelBenchmark}'s training batch — against the estimate of what training must
 * hold: float32 weights, gradients and AdamW's two moments, 16 bytes per parameter. The peak
 * includes everything else the process holds (the JVM, libtorch, activations of a micro-batch).
 */
public final class MemoryBenchmark {

    /** Bytes of float32 training state per parameter: weights, gradients, AdamW's two moments. */
    public static final int STATE_BYTES_PER_PARAMETER = 16;
    private static final int STEPS = 2;
    private static final double MIB = 1 << 20;

    private final ModelBenchmark.Settings settings;

    public MemoryBenchmark(ModelBenchmark.Settings settings) {
        this.settings = settings;
    }

    /** Measures in this JVM (which should have done nothing else yet). */
    public Map<String, Object> run() throws IOException {
        Engine.getInstance();
        Map<String, Object> out = new LinkedHashMap<>();
        long engineRss = ResidentMemory.current();
        try (LanguageModel model = settings.open()) {
            long estimate = model.spec().parameterCount() * STATE_BYTES_PER_PARAMETER;
            out.put("memory_estimate_mb", mib(estimate));
            out.put("rss_engine_mb", mib(engineRss));
            PolicyTrainer trainer = ModelBenchmark.trainer(model, settings);
            List<TrainingExample> batch = ModelBenchmark.trainingBatch(settings, model.spec());
            SftLoss loss = new SftLoss();
            System.gc();
            out.put("rss_model_mb", mib(ResidentMemory.current()));
            ResidentMemory.resetPeak();
            for (int i = 0; i < STEPS; i++) {
                trainer.step(batch, loss);
            }
            long peak = ResidentMemory.peak();
            out.put("train_peak_rss_mb", mib(peak));
            out.put("train_peak_over_estimate", Math.round(1000.0 * peak / estimate) / 1000.0);
            out.put("java_heap_used_mb", mib(Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()));
        }
        return out;
    }

    /** {@code bench memory} with these settings in a JVM of its own; its fields, in order. */
    static Iterator<Map.Entry<String, JsonNode>> inFreshJvm(ModelBenchmark.Settings settings)
            throws IOException, InterruptedException {
        JsonNode result = OwnJvm.bench(List.of("memory", "--model", settings.directory().toString(), "--train-rows",
                Integer.toString(settings.trainRows()), "--micro-batch", Integer.toString(settings.microBatch())),
                JniUtils.getNumThreads());
        return result.fields();
    }

    private static long mib(long bytes) {
        return Math.round(bytes / MIB);
    }
}
