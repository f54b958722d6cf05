package io.rollstream.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

import io.rollstream.learner.AdamW;
import io.rollstream.learner.PolicyTrainer;
import io.rollstream.learner.SftLoss;
import io.rollstream.learner.TrainingExample;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ModelSpec;
import io.rollstream.model.Models;
import io.rollstream.sampling.GenerationRequest;
import io.rollstream.sampling.SamplingEngine;
import io.rollstream.sampling.SamplingParams;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Speed of the model code in one process: the machine's fp32 matmul peak, batched decoding with and
 * without the KV cache, and training throughput, with model FLOP utilisation (MFU) counted the usual
 * way: 2 × matmul parameters per generated token and 6 × per trained token, plus attention.
 */
public final class ModelBenchmark {

    /** Knobs of one benchmark run. */
    public record Settings(ModelSpec model, int decodeRows, int promptTokens, int newTokens, int trainRows,
            int trainTokens, int repeats) {
        public static Settings defaults() {
            return new Settings(ModelConfig.defaults(32), 256, 16, 48, 64, 64, 3);
        }
    }

    private final Settings settings;

    public ModelBenchmark(Settings settings) {
        this.settings = settings;
    }

    /** Runs every measurement and returns them by name (in print order). */
    public Map<String, Object> run() {
        Engine.getInstance(); // loads the native library before any JNI call
        JniUtils.setGradMode(false);
        Map<String, Object> out = new LinkedHashMap<>();
        ModelSpec config = settings.model();
        double peak = peakGflops();
        out.put("benchmark", "model");
        out.put("parameters", config.parameterCount());
        out.put("peak_gflops", round(peak));
        try (LanguageModel model = Models.initialize(config, 1, Device.cpu())) {
            List<GenerationRequest> requests = requests(config);
            // EOS = -1: no row stops early, every row generates exactly newTokens.
            SamplingParams params = SamplingParams.sample(settings.newTokens());
            SamplingEngine cached = new SamplingEngine(Set.of(), 0, true);
            SamplingEngine recompute = new SamplingEngine(Set.of(), 0, false);
            double cachedSeconds = best(() -> cached.generate(model, requests, params));
            double recomputeSeconds = best(() -> recompute.generate(model, requests, params));
            long generated = (long) settings.decodeRows() * settings.newTokens();
            double decodeFlops = generated * decodeFlopsPerToken(config);
            out.put("decode_rows", settings.decodeRows());
            out.put("decode_tokens_per_s", round(generated / cachedSeconds));
            out.put("decode_mfu", round(decodeFlops / cachedSeconds / 1e9 / peak));
            out.put("recompute_tokens_per_s", round(generated / recomputeSeconds));
            out.put("cache_speedup", round(recomputeSeconds / cachedSeconds));

            List<TrainingExample> batch = trainingBatch(config);
            PolicyTrainer trainer = new PolicyTrainer(model,
                    new AdamW(AdamW.Config.defaults(), model.parameters()),
                    new PolicyTrainer.Config(1.0, settings.trainRows(), 1.0, PolicyTrainer.OptimizerStep.PER_BATCH), 0);
            SftLoss loss = new SftLoss();
            double trainSeconds = best(() -> trainer.step(batch, loss));
            long positions = (long) settings.trainRows() * (settings.trainTokens() - 1);
            double trainFlops = positions * trainFlopsPerToken(config, settings.trainTokens() - 1);
            out.put("train_rows", settings.trainRows());
            out.put("train_tokens_per_s", round(positions / trainSeconds));
            out.put("train_mfu", round(trainFlops / trainSeconds / 1e9 / peak));
        }
        out.put("threads", JniUtils.getNumThreads());
        return out;
    }

    /** fp32 1024³ matrix product, best of several. */
    static double peakGflops() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray a = manager.randomNormal(new Shape(1024, 1024));
            NDArray b = manager.randomNormal(new Shape(1024, 1024));
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 12; i++) {
                long start = System.nanoTime();
                a.matMul(b).close();
                best = Math.min(best, (System.nanoTime() - start) / 1e9);
            }
            return 2.0 * 1024 * 1024 * 1024 / best / 1e9;
        }
    }

    /** 2 × matmul parameters, plus QKᵀ and AV over the average cached length. */
    private double decodeFlopsPerToken(ModelSpec c) {
        double avgKeys = settings.promptTokens() + settings.newTokens() / 2.0;
        return 2.0 * c.matmulParameterCount() + 4.0 * c.layers() * avgKeys * c.attentionWidth();
    }

    /** 6 × matmul parameters, plus 3 × (QKᵀ and AV over the full sequence), per position. */
    private static double trainFlopsPerToken(ModelSpec c, int sequence) {
        return 6.0 * c.matmulParameterCount() + 12.0 * c.layers() * sequence * c.attentionWidth();
    }

    private List<GenerationRequest> requests(ModelSpec c) {
        SplittableRandom random = new SplittableRandom(3);
        List<GenerationRequest> out = new ArrayList<>();
        for (int i = 0; i < settings.decodeRows(); i++) {
            int[] prompt = new int[settings.promptTokens()];
            prompt[0] = 1;
            for (int j = 1; j < prompt.length; j++) {
                prompt[j] = 3 + random.nextInt(c.vocabSize() - 3);
            }
            out.add(new GenerationRequest(prompt, i));
        }
        return out;
    }

    private List<TrainingExample> trainingBatch(ModelSpec c) {
        SplittableRandom random = new SplittableRandom(4);
        List<TrainingExample> out = new ArrayList<>();
        int promptLength = settings.trainTokens() / 4;
        for (int i = 0; i < settings.trainRows(); i++) {
            int[] prompt = new int[promptLength];
            int[] completion = new int[settings.trainTokens() - promptLength];
            prompt[0] = 1;
            for (int j = 1; j < prompt.length; j++) {
                prompt[j] = 3 + random.nextInt(c.vocabSize() - 3);
            }
            for (int j = 0; j < completion.length; j++) {
                completion[j] = 3 + random.nextInt(c.vocabSize() - 3);
            }
            out.add(TrainingExample.demonstration(prompt, completion));
        }
        return out;
    }

    /** Fastest of {@code repeats} timed runs after one warm-up. */
    private double best(Runnable work) {
        work.run();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < settings.repeats(); i++) {
            long start = System.nanoTime();
            work.run();
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        return best;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
