package io.rollstream.teacher;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.Checkpoints;
import io.rollstream.device.Placement;
import io.rollstream.huggingface.HfConfig;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.ModelSpec;
import io.rollstream.model.TokenLogprobs;
import io.rollstream.tokenizer.TokenizerIdentity;
import io.rollstream.tokenizer.TokenizerSpec;
import io.rollstream.tokenizer.Tokenizers;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Scores the student's rollouts with a teacher model, for on-policy distillation (pure Java + DJL,
 * no Flink). For every completion token it computes the teacher's log-probability of the token the
 * student sampled, and attaches the per-token reward {@code teacher_logprob − student_logprob}: the
 * negative single-sample estimate of the reverse KL {@code KL(student ‖ teacher)} at that position,
 * with discount 0 (each token is rewarded for itself only).
 *
 * <p>The student log-probability is the behaviour log-probability the sampler recorded (under the
 * sampling temperature: the policy that actually produced the token); the teacher is scored at
 * temperature 1, its own distribution. Invariants: the teacher uses the student's tokenizer and
 * accepts its sequence lengths (checked when it is loaded), and it never trains. Each forward pass
 * runs in its own NDManager scope ({@link TokenLogprobs#score}); {@link #close} frees the model.
 */
public final class TeacherScorer implements AutoCloseable {

    private final LanguageModel teacher;
    private final int padId;
    private final int maxBatchRows;

    private TeacherScorer(LanguageModel teacher, int padId, int maxBatchRows) {
        this.teacher = teacher;
        this.padId = padId;
        this.maxBatchRows = maxBatchRows;
    }

    /**
     * A scorer for {@code checkpoint}, its model where and in the precision {@code placement} says.
     *
     * @throws IllegalArgumentException when the teacher's tokenizer differs from the student's, or
     *     its context is shorter
     */
    public static TeacherScorer load(
            Checkpoint checkpoint,
            TokenizerSpec studentTokenizer,
            int studentContextLength,
            Placement placement,
            int maxBatchRows) {
        mismatch(checkpoint.model(), checkpoint.tokenizer(), studentTokenizer, studentContextLength)
                .ifPresent(why -> {
                    throw new IllegalArgumentException(why);
                });
        return of(Checkpoints.model(checkpoint, placement), checkpoint.tokenizer(), maxBatchRows);
    }

    /**
     * A scorer for the Hugging Face model in directory {@code location}, loaded straight from its safetensors.
     *
     * @throws IllegalArgumentException as {@link #load(Checkpoint, TokenizerSpec, int, Placement, int)}
     */
    public static TeacherScorer loadDirectory(
            String location,
            TokenizerSpec studentTokenizer,
            int studentContextLength,
            Placement placement,
            int maxBatchRows)
            throws IOException {
        Path dir = Path.of(location);
        HfConfig config = HfModelDirectory.config(dir);
        TokenizerSpec tokenizer = HfModelDirectory.tokenizer(dir);
        mismatch(config.decoder(), tokenizer, studentTokenizer, studentContextLength)
                .ifPresent(why -> {
                    throw new IllegalArgumentException(why);
                });
        return of(HfModelDirectory.load(dir, config.decoder(), placement), tokenizer, maxBatchRows);
    }

    /**
     * Why a teacher of shape {@code teacher} with {@code teacherTokenizer} cannot score a student with
     * {@code studentTokenizer} and {@code studentContextLength}, or empty when it can. Tokenizers match
     * when they give ids the same meaning ({@link TokenizerIdentity}).
     */
    public static Optional<String> mismatch(
            ModelSpec teacher,
            TokenizerSpec teacherTokenizer,
            TokenizerSpec studentTokenizer,
            int studentContextLength) {
        if (!TokenizerIdentity.sameIds(teacherTokenizer, studentTokenizer)) {
            return Optional.of("the teacher uses tokenizer " + teacherTokenizer + " but the student uses "
                    + studentTokenizer + ": distillation compares the two models token by token, so the teacher"
                    + " needs the student's tokenizer (train it on the same task, or take a teacher of the student's"
                    + " model family)");
        }
        if (teacher.contextLength() < studentContextLength) {
            return Optional.of("the teacher has context_length " + teacher.contextLength()
                    + ", shorter than the student's " + studentContextLength + ": train the teacher with"
                    + " model.context_length >= " + studentContextLength + " (a Hugging Face teacher's context is its"
                    + " max_position_embeddings)");
        }
        return Optional.empty();
    }

    private static TeacherScorer of(LanguageModel model, TokenizerSpec tokenizer, int maxBatchRows) {
        int padId = Tokenizers.create(tokenizer).padId();
        model.setTrainable(false);
        return new TeacherScorer(model, padId, maxBatchRows);
    }

    /** {@code group} with every rollout's per-token rewards ({@code teacher − student} log-prob) filled in. */
    public ScoredGroup score(ScoredGroup group) {
        Rollout[] rollouts = group.rollouts();
        Rollout[] scored = new Rollout[rollouts.length];
        for (int from = 0; from < rollouts.length; from += maxBatchRows) {
            int to = Math.min(rollouts.length, from + maxBatchRows);
            List<int[]> completions = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                completions.add(rollouts[i].tokens());
            }
            float[][] teacherLogprobs = TokenLogprobs.score(
                    teacher, Collections.nCopies(to - from, group.promptTokens()), completions, padId, 1.0);
            for (int i = from; i < to; i++) {
                Rollout r = rollouts[i];
                scored[i] = r.withTokenRewards(tokenRewards(teacherLogprobs[i - from], r.logprobs()));
            }
        }
        return group.withRollouts(scored);
    }

    /** Per-token reward {@code teacher[t] − student[t]}: the negative per-token reverse KL. */
    public static float[] tokenRewards(float[] teacher, float[] student) {
        if (teacher.length != student.length) {
            throw new IllegalArgumentException(
                    "teacher scored " + teacher.length + " tokens, the student sampled " + student.length);
        }
        float[] reward = new float[teacher.length];
        for (int t = 0; t < reward.length; t++) {
            reward[t] = teacher[t] - student[t];
        }
        return reward;
    }

    @Override
    public void close() {
        teacher.close();
    }
}
