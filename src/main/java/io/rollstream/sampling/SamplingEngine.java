package io.rollstream.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.rollstream.model.AttentionBias;
import io.rollstream.model.KvCache;
import io.rollstream.model.LanguageModel;
import io.rollstream.types.FinishReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batched autoregressive sampling: all requests (the G rollouts of a prompt, and several prompts)
 * share each forward pass. Prompts are left-padded so every row's next token sits in the last
 * column; each row has its own positions, its own random stream and its own stop (any stop id, its
 * max_new_tokens, or the context length). Finished rows are dropped from the batch (and from the
 * KV cache) as they accumulate, so long tails do not pay for short rows.
 *
 * <p>Runs without gradients on whatever thread calls it (PyTorch grad mode is thread-local).
 */
public final class SamplingEngine {

    private final int[] stopIds;
    private final int padId;
    private final boolean useCache;

    /**
     * @param stopIds tokens that end a completion (any EOS of the model; empty: only length stops)
     * @param padId token used for left padding (never attended to)
     * @param useCache keep keys/values between steps (true in production; false recomputes the
     *     whole sequence each step, as a reference)
     */
    public SamplingEngine(Collection<Integer> stopIds, int padId, boolean useCache) {
        this.stopIds = stopIds.stream().mapToInt(Integer::intValue).toArray();
        this.padId = padId;
        this.useCache = useCache;
    }

    /** Completions for {@code requests}, in the same order. */
    public List<Completion> generate(LanguageModel model, List<GenerationRequest> requests, SamplingConfig params) {
        if (requests.isEmpty()) {
            return List.of();
        }
        JniUtils.setGradMode(false);
        Batch batch = new Batch(model, requests, params);
        try (NDManager manager = model.newSubManager();
                KvCache cache = model.newKvCache(batch.capacity())) {
            float[] logits = firstStep(model, manager, batch, cache);
            while (true) {
                batch.sampleNext(logits);
                if (batch.allDone()) {
                    break;
                }
                if (useCache && batch.worthCompacting()) {
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        cache.selectRows(manager.create(batch.compact()));
                    }
                } else if (!useCache) {
                    batch.compact();
                }
                logits = useCache ? cachedStep(model, manager, batch, cache) : recomputeStep(model, manager, batch);
            }
        }
        return batch.completions();
    }

    private float[] firstStep(LanguageModel model, NDManager manager, Batch batch, KvCache cache) {
        if (!useCache) {
            return recomputeStep(model, manager, batch);
        }
        int width = batch.promptWidth;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray ids = manager.create(batch.paddedPrompts(), new Shape(batch.rows.length, width));
            NDArray positions = manager.create(batch.promptPositions(), new Shape(batch.rows.length, width));
            NDArray bias = manager.create(
                    AttentionBias.leftPaddedCausal(batch.padding(), 0, width),
                    new Shape(batch.rows.length, 1, width, width));
            return model.forward(ids, positions, bias, cache, true).toFloatArray();
        }
    }

    private float[] cachedStep(LanguageModel model, NDManager manager, Batch batch, KvCache cache) {
        int n = batch.rows.length;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray ids = manager.create(batch.lastTokens(), new Shape(n, 1));
            NDArray positions = manager.create(batch.nextPositions(), new Shape(n, 1));
            NDArray bias = manager.create(
                    AttentionBias.leftPaddedCausal(batch.padding(), cache.length(), 1),
                    new Shape(n, 1, 1, cache.length() + 1));
            return model.forward(ids, positions, bias, cache, true).toFloatArray();
        }
    }

    private float[] recomputeStep(LanguageModel model, NDManager manager, Batch batch) {
        int n = batch.rows.length;
        int width = batch.promptWidth + batch.generatedSteps;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray ids = manager.create(batch.fullSequences(), new Shape(n, width));
            NDArray positions = manager.create(batch.fullPositions(), new Shape(n, width));
            NDArray bias = manager.create(
                    AttentionBias.leftPaddedCausal(batch.padding(), 0, width), new Shape(n, 1, width, width));
            return model.forward(ids, positions, bias, null, true).toFloatArray();
        }
    }

    /** Per-row bookkeeping; {@code rows} maps batch rows to request indices and shrinks on compaction. */
    private final class Batch {
        final List<GenerationRequest> requests;
        final int vocab;
        final int promptWidth;
        final int[] limits;
        final SplittableRandom[] randoms;
        final List<List<Integer>> tokens = new ArrayList<>();
        final List<List<Float>> logprobs = new ArrayList<>();
        final FinishReason[] finished;
        final TokenSampler sampler;
        int[] rows;
        int generatedSteps;

        Batch(LanguageModel model, List<GenerationRequest> requests, SamplingConfig params) {
            this.requests = requests;
            this.vocab = model.spec().vocabSize();
            this.sampler = new TokenSampler(params);
            int n = requests.size();
            int width = 0;
            limits = new int[n];
            randoms = new SplittableRandom[n];
            finished = new FinishReason[n];
            rows = new int[n];
            int context = model.spec().contextLength();
            for (int i = 0; i < n; i++) {
                int length = requests.get(i).prompt().length;
                if (length >= context) {
                    throw new IllegalArgumentException("prompt of " + length + " tokens leaves no room to generate:"
                            + " the model's context_length is " + context);
                }
                width = Math.max(width, length);
                limits[i] = Math.min(params.maxNewTokens(), context - length);
                randoms[i] = new SplittableRandom(requests.get(i).seed());
                tokens.add(new ArrayList<>());
                logprobs.add(new ArrayList<>());
                rows[i] = i;
            }
            promptWidth = width;
        }

        void sampleNext(float[] logits) {
            for (int r = 0; r < rows.length; r++) {
                int i = rows[r];
                if (finished[i] != null) {
                    continue;
                }
                TokenSampler.Draw draw = sampler.draw(logits, r * vocab, vocab, randoms[i]);
                tokens.get(i).add(draw.token());
                logprobs.get(i).add(draw.logprob());
                if (isStop(draw.token())) {
                    finished[i] = FinishReason.STOP;
                } else if (tokens.get(i).size() >= limits[i]) {
                    finished[i] = FinishReason.LENGTH;
                }
            }
            generatedSteps++;
        }

        boolean isStop(int token) {
            for (int stop : stopIds) {
                if (token == stop) {
                    return true;
                }
            }
            return false;
        }

        /** Most positions any row can reach: the prompt width plus the longest allowed completion. */
        int capacity() {
            int longest = 0;
            for (int limit : limits) {
                longest = Math.max(longest, limit);
            }
            return promptWidth + longest;
        }

        boolean allDone() {
            for (int i : rows) {
                if (finished[i] == null) {
                    return false;
                }
            }
            return true;
        }

        boolean worthCompacting() {
            int done = 0;
            for (int i : rows) {
                done += finished[i] != null ? 1 : 0;
            }
            return done > 0 && done * 8 >= rows.length;
        }

        /** Drops finished rows; returns the kept batch positions (for the cache). */
        long[] compact() {
            List<Integer> kept = new ArrayList<>();
            for (int r = 0; r < rows.length; r++) {
                if (finished[rows[r]] == null) {
                    kept.add(r);
                }
            }
            long[] index = new long[kept.size()];
            int[] next = new int[kept.size()];
            for (int k = 0; k < index.length; k++) {
                index[k] = kept.get(k);
                next[k] = rows[kept.get(k)];
            }
            rows = next;
            return index;
        }

        int[] padding() {
            int[] pad = new int[rows.length];
            for (int r = 0; r < rows.length; r++) {
                pad[r] = promptWidth - requests.get(rows[r]).prompt().length;
            }
            return pad;
        }

        long[] paddedPrompts() {
            return sequences(promptWidth, false);
        }

        long[] fullSequences() {
            return sequences(promptWidth + generatedSteps, true);
        }

        /** Left-padded rows of width {@code width}: prompt, then (optionally) generated tokens. */
        private long[] sequences(int width, boolean withGenerated) {
            long[] ids = new long[rows.length * width];
            for (int r = 0; r < rows.length; r++) {
                int i = rows[r];
                int[] prompt = requests.get(i).prompt();
                List<Integer> gen = withGenerated ? tokens.get(i) : List.of();
                int used = prompt.length + Math.min(gen.size(), width - promptWidth);
                int start = r * width + (promptWidth - prompt.length);
                Arrays.fill(ids, r * width, start, padId);
                for (int j = 0; j < prompt.length; j++) {
                    ids[start + j] = prompt[j];
                }
                for (int j = prompt.length; j < used; j++) {
                    ids[start + j] = gen.get(j - prompt.length);
                }
                Arrays.fill(ids, start + used, (r + 1) * width, padId);
            }
            return ids;
        }

        long[] promptPositions() {
            return positions(promptWidth);
        }

        long[] fullPositions() {
            return positions(promptWidth + generatedSteps);
        }

        /** Position of each column for each row; padding columns get 0 (they are never attended). */
        private long[] positions(int width) {
            long[] pos = new long[rows.length * width];
            int[] pad = padding();
            for (int r = 0; r < rows.length; r++) {
                for (int j = pad[r]; j < width; j++) {
                    pos[r * width + j] = j - pad[r];
                }
            }
            return pos;
        }

        long[] lastTokens() {
            long[] ids = new long[rows.length];
            for (int r = 0; r < rows.length; r++) {
                List<Integer> gen = tokens.get(rows[r]);
                ids[r] = finished[rows[r]] == null ? gen.get(gen.size() - 1) : padId;
            }
            return ids;
        }

        long[] nextPositions() {
            long[] pos = new long[rows.length];
            for (int r = 0; r < rows.length; r++) {
                int i = rows[r];
                pos[r] = requests.get(i).prompt().length + tokens.get(i).size() - 1;
            }
            return pos;
        }

        List<Completion> completions() {
            List<Completion> out = new ArrayList<>(requests.size());
            for (int i = 0; i < requests.size(); i++) {
                int[] t = tokens.get(i).stream().mapToInt(Integer::intValue).toArray();
                float[] lp = new float[t.length];
                for (int j = 0; j < lp.length; j++) {
                    lp[j] = logprobs.get(i).get(j);
                }
                out.add(new Completion(t, lp, finished[i]));
            }
            return out;
        }
    }
}
