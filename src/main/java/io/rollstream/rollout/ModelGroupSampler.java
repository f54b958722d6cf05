package io.rollstream.rollout;

import io.rollstream.checkpoint.BaseModels;
import io.rollstream.checkpoint.Checkpoints;
import io.rollstream.device.Placement;
import io.rollstream.model.LanguageModel;
import io.rollstream.policy.PolicyStore;
import io.rollstream.policy.PolicyVersionGoneException;
import io.rollstream.policy.RunSignals;
import io.rollstream.sampling.Completion;
import io.rollstream.sampling.GenerationRequest;
import io.rollstream.sampling.RolloutSeeds;
import io.rollstream.sampling.SamplingConfig;
import io.rollstream.sampling.SamplingEngine;
import io.rollstream.tasks.Problem;
import io.rollstream.tasks.Verifier;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.types.FinishReason;
import io.rollstream.types.Rollout;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates groups with the DJL model: loads each pinned policy version from the store (keeping
 * the two most recent in memory, so in-flight work of the previous version can finish), samples
 * the G rollouts of several problems in shared forward passes, and scores them with the verifier.
 * A rollout's seed is a function of (run seed, problem, admission, rollout index, version).
 */
public final class ModelGroupSampler implements GroupSampler {

    private static final Logger LOG = LoggerFactory.getLogger(ModelGroupSampler.class);
    private static final int MODELS_KEPT = 2;
    /** Newest versions tried for groups whose pinned version is gone (each can vanish as it is loaded). */
    private static final int FALLBACK_ATTEMPTS = 3;

    private final PolicyStore store;
    private final Verifier verifier;
    private final SamplingConfig sampling;
    private final int groupSize;
    private final int maxBatchRows;
    private final long runSeed;
    private final Map<Long, LanguageModel> models = new LinkedHashMap<>();
    /** The base of LoRA policy versions, loaded once and shared by the versions kept. */
    private final BaseModels bases;

    private PromptCodec codec;
    private SamplingEngine engine;

    public ModelGroupSampler(
            PolicyStore store,
            Verifier verifier,
            SamplingConfig sampling,
            int groupSize,
            int maxBatchRows,
            long runSeed,
            Placement placement) {
        this.store = store;
        this.verifier = verifier;
        this.sampling = sampling;
        this.groupSize = groupSize;
        this.maxBatchRows = Math.max(maxBatchRows, groupSize);
        this.runSeed = runSeed;
        this.bases = new BaseModels(placement);
    }

    @Override
    public List<SampledGroup> generate(List<GroupRequest> requests) throws Exception {
        List<SampledGroup> out = new ArrayList<>(requests.size());
        int from = 0;
        while (from < requests.size()) {
            long pinned = requests.get(from).policyVersion();
            int to = from;
            while (to < requests.size()
                    && requests.get(to).policyVersion() == pinned
                    && (to - from + 1) * groupSize <= maxBatchRows) {
                to++;
            }
            to = Math.max(to, from + 1);
            long version = available(pinned, to - from);
            out.addAll(generateChunk(model(version), requests.subList(from, to), version));
            from = to;
        }
        return out;
    }

    private List<SampledGroup> generateChunk(LanguageModel model, List<GroupRequest> chunk, long version) {
        List<GenerationRequest> rows = new ArrayList<>(chunk.size() * groupSize);
        List<int[]> prompts = new ArrayList<>(chunk.size());
        for (GroupRequest r : chunk) {
            int[] prompt = codec.prompt(r.problem().prompt());
            prompts.add(prompt);
            for (int i = 0; i < groupSize; i++) {
                long seed = RolloutSeeds.of(runSeed, r.problem().id(), r.admission(), i, version);
                rows.add(new GenerationRequest(prompt, seed));
            }
        }
        long start = System.nanoTime();
        List<Completion> completions = engine.generate(model, rows, sampling);
        double millisPerGroup = (System.nanoTime() - start) / 1e6 / chunk.size();
        List<SampledGroup> out = new ArrayList<>(chunk.size());
        for (int g = 0; g < chunk.size(); g++) {
            GroupRequest r = chunk.get(g);
            Rollout[] rollouts = new Rollout[groupSize];
            for (int i = 0; i < groupSize; i++) {
                rollouts[i] = score(r.problem(), completions.get(g * groupSize + i));
            }
            out.add(new SampledGroup(r, prompts.get(g), version, millisPerGroup, rollouts));
        }
        return out;
    }

    private Rollout score(Problem problem, Completion c) {
        String text = codec.completionText(c.tokens());
        double reward;
        try {
            reward = verifier.score(text, problem.answer());
        } catch (RuntimeException e) {
            // A broken reward function must not stop the job: the group is dropped and reported.
            return new Rollout(
                    c.tokens(),
                    c.logprobs(),
                    text,
                    0,
                    FinishReason.SCORING_FAILED,
                    e.getClass().getSimpleName() + ": " + e.getMessage(),
                    null);
        }
        return new Rollout(c.tokens(), c.logprobs(), text, reward, c.finishReason(), null, null);
    }

    /**
     * The version to generate {@code groups} groups pinned to {@code pinned} with: that version,
     * or — when the learner has garbage-collected it, which it does only to versions past the
     * staleness bound ({@link io.rollstream.policy.VersionRetention}) — the newest visible one, so
     * the groups are generated fresh rather than for certain dropped as stale. Happens to pending
     * groups restored from an old checkpoint and to groups that waited very long for a generator.
     */
    private long available(long pinned, int groups) throws Exception {
        try {
            model(pinned); // cached, or loaded now
            return pinned;
        } catch (PolicyVersionGoneException gone) {
            // past the staleness bound: generate fresh below
        }
        for (int attempt = 1; ; attempt++) {
            long newest = new RunSignals(store)
                    .latest()
                    .orElseThrow(() -> new IllegalStateException(
                            "policy version " + pinned + " was deleted and the store has no visible version"))
                    .version();
            try {
                model(newest);
            } catch (PolicyVersionGoneException deletedMeanwhile) {
                if (attempt == FALLBACK_ATTEMPTS) {
                    throw deletedMeanwhile;
                }
                continue; // the learner published and collected meanwhile: take the newest again
            }
            LOG.info(
                    "policy version {} was garbage-collected (past the staleness bound): generating its {} pending"
                            + " group(s) with version {}",
                    pinned,
                    groups,
                    newest);
            return newest;
        }
    }

    /** The model of {@code version}, loading it from the store when needed. */
    private LanguageModel model(long version) throws Exception {
        LanguageModel model = models.get(version);
        if (model != null) {
            return model;
        }
        model = store.read(version, checkpoint -> {
            if (codec == null) {
                codec = PromptCodec.create(checkpoint.tokenizer());
                engine = new SamplingEngine(
                        codec.tokenizer().stopIds(), codec.tokenizer().padId(), true);
            }
            return Checkpoints.model(checkpoint, bases); // a version deleted meanwhile: available() tells why
        });
        models.put(version, model);
        while (models.size() > MODELS_KEPT) {
            Iterator<Map.Entry<Long, LanguageModel>> oldest = models.entrySet().iterator();
            oldest.next().getValue().close();
            oldest.remove();
        }
        return model;
    }

    @Override
    public void close() {
        models.values().forEach(LanguageModel::close);
        models.clear();
        bases.close();
    }
}
