package io.rollstream.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.rollstream.checkpoint.OptimizerState;
import io.rollstream.eval.OpenedModel;
import io.rollstream.learner.AdamW;
import io.rollstream.learner.PolicyTrainer;
import io.rollstream.learner.SftLoss;
import io.rollstream.learner.TrainingExample;
import io.rollstream.model.DecoderModel;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.LoraConfig;
import io.rollstream.model.LoraModel;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ModelSpec;
import io.rollstream.model.Models;
import io.rollstream.model.TensorSource;
import io.rollstream.sampling.GenerationRequest;
import io.rollstream.sampling.SamplingConfig;
import io.rollstream.sampling.SamplingEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Speed of the model code in one process: the machine's fp32 matmul peak, batched decoding with and
 * without the KV cache, and training throughput, with model FLOP utilisation (MFU) counted the usual
 * way: 2 × matmul parameters per generated token (and per prompt token of the prefill, which the
 * timed decoding includes) and 6 × per trained token, plus attention (LoRA:
 * 4 × the frozen ones, 6 × the adapters'), over the fp32 matmul peak measured here ({@link
 * #peakGflops}, at the start and at the end of the run, the higher one); with LoRA, also the learner's state (weights and AdamW moments of what trains)
 * against full training's. Training memory is measured separately, in a fresh JVM ({@link
 * MemoryBenchmark}).
 */
public final class ModelBenchmark {

    /**
     * Knobs of one benchmark run.
     *
     * @param model the shape of the builtin model initialised when there is no {@code directory}
     * @param directory where the weights come from (a Hugging Face directory, a checkpoint or a policy
     *     version), or null for a freshly initialised builtin model
     * @param decodeRows rows decoded together
     * @param promptTokens prompt length of every decoded row
     * @param newTokens tokens generated per row (no row stops early)
     * @param trainRows rows of one training step
     * @param microBatch rows per forward/backward pass of a training step, or {@link
     *     #AUTOMATIC_MICRO_BATCH} to choose it by its tokens ({@link #microBatchFor})
     * @param trainTokens tokens per training row (a quarter prompt, the rest completion)
     * @param repeats timed repeats, best kept
     * @param recompute also decode without the KV cache (the cache speedup; minutes at 100M parameters)
     * @param lora also train LoRA adapters of this shape on the (Llama-family) model, or null
     */
    public record Settings(
            ModelSpec model,
            Path directory,
            int decodeRows,
            int promptTokens,
            int newTokens,
            int trainRows,
            int microBatch,
            int trainTokens,
            int repeats,
            boolean recompute,
            LoraConfig lora) {
        public static Settings defaults() {
            return new Settings(
                    ModelConfig.defaults(32), null, 256, 16, 48, 64, AUTOMATIC_MICRO_BATCH, 64, 3, true, null);
        }

        /**
         * {@link #microBatch}, or when it is {@link #AUTOMATIC_MICRO_BATCH} the most rows (at most
         * {@link #trainRows}, at least 1) of {@link #trainTokens} tokens each that add up to at most
         * {@link #MICRO_BATCH_TOKENS}.
         */
        public int microBatchFor() {
            if (microBatch != AUTOMATIC_MICRO_BATCH) {
                return microBatch;
            }
            return Math.max(1, Math.min(trainRows, MICRO_BATCH_TOKENS / trainTokens));
        }

        /** These settings with micro-batches of {@code rows}. */
        public Settings withMicroBatch(int rows) {
            return new Settings(
                    model,
                    directory,
                    decodeRows,
                    promptTokens,
                    newTokens,
                    trainRows,
                    rows,
                    trainTokens,
                    repeats,
                    recompute,
                    lora);
        }

        /** The model these settings name, on the CPU, float32 (as a learner trains it). */
        LanguageModel open() throws IOException {
            if (directory == null) {
                return Models.initialize(model, 1, Device.cpu());
            }
            return OpenedModel.open(directory, Device.cpu()).model();
        }

        /** Fresh LoRA adapters ({@link #lora}) on the model these settings name, which they own. */
        LoraModel openLora() throws IOException {
            LanguageModel base = open();
            if (!(base instanceof DecoderModel decoder)) {
                base.close();
                throw new IllegalArgumentException("--lora needs a Llama-family model ("
                        + base.spec().describe() + " has no q/k/v/o and gate/up/down projections)");
            }
            return LoraModel.initialize(decoder, true, lora, 1);
        }
    }

    /** {@link Settings#microBatch} that asks for a micro-batch chosen by {@link Settings#microBatchFor}. */
    public static final int AUTOMATIC_MICRO_BATCH = 0;
    /**
     * The most tokens an automatically chosen micro-batch holds: 2 rows of 64. The learner runs the
     * output head a few rows at a time whatever the micro-batch ({@code PolicyTrainer}), so what
     * grows with it is the activations of the model's body. Measured on the 110M Llama, steps of
     * 64 rows (docs/benchmarks.md, run 5): micro-batches of 2 rows peak at 1.35 × the memory
     * estimate, of 4 rows at 1.46 × for about 2 % shorter steps, of 8 rows at 1.62–1.73 × (over
     * the 1.5 × target).
     */
    public static final int MICRO_BATCH_TOKENS = 128;

    private final Settings settings;
    /** {@link #settings} with the micro-batch chosen for the model, once {@link #run} has opened it. */
    private Settings resolved;

    public ModelBenchmark(Settings settings) {
        this.settings = settings;
    }

    /** {@link #settings} with the micro-batch {@link #run} trained with (it must have run). */
    public Settings resolvedSettings() {
        if (resolved == null) {
            throw new IllegalStateException("the micro-batch is chosen when run() opens the model");
        }
        return resolved;
    }

    /** Runs every measurement and returns them by name (in print order). */
    public Map<String, Object> run() throws IOException, InterruptedException {
        Engine.getInstance(); // loads the native library before any JNI call
        JniUtils.setGradMode(false);
        Map<String, Object> out = new LinkedHashMap<>();
        // The peak is measured at the start and again at the end, and the higher one is used: a
        // short burst of matrix products measured while a neighbour held a core reads low (once
        // 150 GFLOP/s where the run before read 275), and an MFU over it would read high.
        double startPeak = peakGflops();
        Map<String, Double> achievedGflops = new LinkedHashMap<>(); // by the MFU key it becomes
        out.put("benchmark", "model");
        long fullState;
        try (LanguageModel model = settings.open()) {
            ModelSpec config = model.spec();
            if (settings.directory() != null) {
                out.put("model", config.describe());
            }
            out.put("parameters", config.parameterCount());
            out.put("peak_gflops", null); // the higher of the two, filled in at the end
            out.put("peak_gflops_start", round(startPeak));
            out.put("peak_gflops_end", null);
            List<GenerationRequest> requests = requests(config);
            // EOS = -1: no row stops early, every row generates exactly newTokens.
            SamplingConfig params = SamplingConfig.sample(settings.newTokens());
            SamplingEngine cached = new SamplingEngine(Set.of(), 0, true);
            progress("decoding " + settings.decodeRows() + " rows x " + settings.newTokens()
                    + " tokens with the KV cache");
            double cachedSeconds = best(() -> cached.generate(model, requests, params));
            long generated = (long) settings.decodeRows() * settings.newTokens();
            double decodeFlops = generated * decodeFlopsPerToken(config) + settings.decodeRows() * prefillFlops(config);
            out.put("decode_rows", settings.decodeRows());
            out.put("decode_tokens_per_s", round(generated / cachedSeconds));
            out.put("decode_mfu", null);
            achievedGflops.put("decode_mfu", decodeFlops / cachedSeconds / 1e9);
            if (settings.recompute()) {
                SamplingEngine recompute = new SamplingEngine(Set.of(), 0, false);
                progress("decoding without the KV cache");
                double recomputeSeconds = best(() -> recompute.generate(model, requests, params));
                out.put("recompute_tokens_per_s", round(generated / recomputeSeconds));
                out.put("cache_speedup", round(recomputeSeconds / cachedSeconds));
            }

            List<TrainingExample> batch = trainingBatch(settings, config);
            resolved = settings.withMicroBatch(settings.microBatchFor());
            PolicyTrainer trainer = trainer(model, resolved);
            progress("training steps of " + settings.trainRows() + " rows x " + settings.trainTokens()
                    + " tokens in micro-batches of " + resolved.microBatch());
            double trainSeconds = best(() -> trainer.step(batch, new SftLoss()));
            long positions = trainedPositions(settings);
            out.put("train_rows", settings.trainRows());
            out.put("train_micro_batch", resolved.microBatch());
            out.put("train_tokens_per_s", round(positions / trainSeconds));
            out.put("train_mfu", null);
            achievedGflops.put(
                    "train_mfu",
                    positions * trainFlopsPerToken(config, settings.trainTokens() - 1) / trainSeconds / 1e9);
            fullState = learnerStateBytes(trainer);
        }
        if (settings.lora() != null) {
            try (LoraModel model = settings.openLora()) {
                ModelSpec config = model.spec();
                List<TrainingExample> batch = trainingBatch(settings, config);
                PolicyTrainer trainer = trainer(model, resolved);
                progress("LoRA training steps (rank " + settings.lora().rank() + ")");
                double trainSeconds = best(() -> trainer.step(batch, new SftLoss()));
                long positions = trainedPositions(settings);
                long adapterParameters = parameterCount(model);
                out.put("lora_rank", settings.lora().rank());
                out.put("lora_parameters", adapterParameters);
                out.put("lora_train_tokens_per_s", round(positions / trainSeconds));
                out.put("lora_train_mfu", null);
                achievedGflops.put(
                        "lora_train_mfu",
                        positions
                                * loraTrainFlopsPerToken(config, adapterParameters, settings.trainTokens() - 1)
                                / trainSeconds
                                / 1e9);
                long loraState = learnerStateBytes(trainer);
                out.put("learner_state_mb", round(fullState / MIB));
                out.put("lora_learner_state_mb", round(loraState / MIB));
                out.put("lora_state_fraction", Math.round(1e5 * loraState / fullState) / 1e5);
            }
        }
        double endPeak = peakGflops();
        double peak = Math.max(startPeak, endPeak);
        out.put("peak_gflops", round(peak));
        out.put("peak_gflops_end", round(endPeak));
        achievedGflops.forEach((key, gflops) -> out.put(key, round(gflops / peak)));
        out.put("threads", JniUtils.getNumThreads());
        return out;
    }

    /** A trainer of {@code model} as the benchmarks train it: AdamW, SFT micro-batches of {@code microBatch} rows. */
    static PolicyTrainer trainer(LanguageModel model, Settings settings) {
        return new PolicyTrainer(
                model,
                new AdamW(AdamW.Config.defaults(), model.parameters()),
                new PolicyTrainer.Config(1.0, settings.microBatch(), 1.0, PolicyTrainer.OptimizerStep.PER_BATCH),
                0);
    }

    /**
     * What a learner keeps from step to step and checkpoints: its trainable float32 weights and
     * AdamW's two moments of each (a LoRA learner's are the adapters'; gradients are dropped after
     * every step).
     */
    static long learnerStateBytes(PolicyTrainer trainer) {
        OptimizerState state = trainer.optimizer().state();
        long floats = 0;
        for (NDArray p : trainer.model().parameters().values()) {
            floats += p.size();
        }
        for (TensorSource moments : List.of(state.firstMoments(), state.secondMoments())) {
            for (String name : moments.names()) {
                floats += moments.floats(name).length;
            }
        }
        return floats * Float.BYTES;
    }

    /** Parameters the model trains ({@link LanguageModel#parameters()}: a LoRA model's adapters). */
    static long parameterCount(LanguageModel model) {
        return model.parameters().values().stream().mapToLong(NDArray::size).sum();
    }

    /**
     * fp32 1024³ matrix product through PyTorch with this JVM's intra-op threads, best of several:
     * the peak MFU is measured against (what this machine's BLAS sustains, not a datasheet figure).
     */
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

    /**
     * The forward over one row's prompt that precedes its first generated token (timed with the
     * decoding): the body's matmul parameters × 2 per prompt position, the output head once (only
     * the last position is projected), QKᵀ and AV over the causal prefix.
     */
    private double prefillFlops(ModelSpec c) {
        int prompt = settings.promptTokens();
        double head = (double) c.vocabSize() * c.hiddenSize();
        return 2.0 * (c.matmulParameterCount() - head) * prompt
                + 2.0 * head
                + 4.0 * c.layers() * c.attentionWidth() * prompt * (prompt + 1) / 2.0;
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

    /**
     * LoRA training needs no gradients of the frozen weights: 4 × matmul parameters (forward, and
     * backward to the inputs), 6 × the adapters' parameters, attention as in full training.
     */
    private static double loraTrainFlopsPerToken(ModelSpec c, long adapterParameters, int sequence) {
        return 4.0 * c.matmulParameterCount()
                + 6.0 * adapterParameters
                + 12.0 * c.layers() * sequence * c.attentionWidth();
    }

    /** Positions whose next token a training step predicts. */
    private static long trainedPositions(Settings settings) {
        return (long) settings.trainRows() * (settings.trainTokens() - 1);
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

    /** {@code trainRows} SFT rows of random tokens: a quarter prompt, the rest completion. */
    static List<TrainingExample> trainingBatch(Settings settings, ModelSpec c) {
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

    /** A line on stderr (stdout carries the JSON line alone). */
    static void progress(String what) {
        System.err.println("bench model: " + what + "...");
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

    private static final double MIB = 1 << 20;

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
