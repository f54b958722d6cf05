package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.config.ConfigLoader;
import io.rollstream.config.InvalidConfigException;
import io.rollstream.config.RunConfig;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ModelSpec;
import io.rollstream.model.ParameterLayout;
import io.rollstream.tokenizer.TokenizerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks before a run writes anything: each user error of issue 13 is found here, with the key
 * and the fix, and every problem of a config is reported at once.
 */
class PreFlightTest {

    /** The smoke config's model and task (1-digit addition, a tiny model). */
    private static final String SMOKE = "job: {name: smoke}\ndata: {source: task, task: arithmetic, difficulty: 1}\n"
            + "model: {layers: 1, heads: 2, d_model: 32, mlp_width: 64, context_length: 12}\n"
            + "sft: {steps: 120, examples: 100, batch_size: 32}\neval: {problems: 20}\n";

    private static final long HEAP = 8L << 30;

    @TempDir
    Path dir;

    private static RunConfig config(String... overrides) {
        return ConfigLoader.parse(SMOKE, List.of(overrides));
    }

    private static List<String> problems(RunConfig config, PreFlight.Mode mode, boolean resuming, long heap) {
        try {
            PreFlight.check(config, mode, resuming, heap);
            return List.of();
        } catch (InvalidConfigException e) {
            return e.errors();
        }
    }

    private static String problem(String... overrides) {
        List<String> problems = problems(config(overrides), PreFlight.Mode.LOCAL_RUN, false, HEAP);
        assertThat(problems).hasSize(1);
        return problems.get(0);
    }

    @Test
    void aHeldOutSetCoveringMostOfTheTaskIsRefused() {
        // 1-digit sums: 100 problems; 200 held-out draws cover 86 of them, leaving training 14.
        assertThat(problem("data.difficulty=1", "eval.problems=200"))
                .startsWith("eval.problems (200): the 86 held-out problems are")
                .contains("lower eval.problems or raise data.difficulty");
        assertThat(problems(config("data.difficulty=1", "eval.problems=20"), PreFlight.Mode.LOCAL_RUN, false, HEAP))
                .isEmpty();
    }

    @Test
    void theSmokeConfigPassesAndGivesItsTokenizerAndModel() {
        PreFlight.Checked checked = PreFlight.check(config(), PreFlight.Mode.LOCAL_RUN, false, HEAP);
        assertThat(checked.model().hiddenSize()).isEqualTo(32);
        assertThat(checked.model().vocabSize()).isEqualTo(checked.tokenizer().vocabSize());
        assertThat(checked.init()).isNull();
    }

    @Test
    void parametersThatNoJavaArrayHoldsAreRefusedNamingTheShape() {
        assertThat(problem("model.d_model=65536"))
                .startsWith("the model (model.layers 1, model.d_model 65536,")
                .contains("parameter h0.attn.qkv.w of (196608 x 65536) = 12,884,901,888 values, more than the"
                        + " 536,870,909 one array may hold: choose a smaller model.d_model");
        assertThat(problem("model.context_length=2147483647"))
                .contains("parameter wpe of (2147483647 x 32) = 68,719,476,704 values");
        assertThat(problem("model.context_length=2147483647", "model.positions=rotary"))
                .contains("rotary position table of (2147483647 x 16)");
    }

    @Test
    void aRunThatCannotFitTheHeapNamesWhatTakesItAndTheFix() {
        assertThat(problem("sft.examples=2000000000"))
                .startsWith("this run needs about 268.3 GiB of JVM heap, more"
                        + " than the 8.0 GiB it has (sft.examples (2000000000): 268.2 GiB): choose a smaller model or smaller"
                        + " sizes, or give the JVM more heap, e.g. ROLLSTREAM_JAVA_OPTS=-Xmx336g");
        // 4 layers of d_model 1024: 50M parameters. Checkpoints stream tensor by tensor: the heap holds a few
        // copies of the largest parameter and, at most, job.state_inline_max_mb of learner state.
        RunConfig big = config(
                "model.layers=4",
                "model.d_model=1024",
                "model.mlp_width=4096",
                "rollout.parallelism=2",
                "buffer.batch_size=64");
        assertThat(problems(big, PreFlight.Mode.LOCAL_RUN, false, 2L << 30)).isEmpty();
        assertThat(problems(big, PreFlight.Mode.LOCAL_RUN, true, 256L << 20))
                .as("resumed: no SFT phase")
                .singleElement()
                .asString()
                .contains(
                        "the learner's state held in Flink state (job.state_inline_max_mb) x 3: 0.2 GiB",
                        "the largest parameter (4,194,304 values) x 4 copies: 0.1 GiB")
                .endsWith("ROLLSTREAM_JAVA_OPTS=-Xmx1g");
        // 8 layers of d_model 2048, 403M parameters: past the 2 GiB that checkpoints once were held in.
        RunConfig huge = config("model.layers=8", "model.d_model=2048", "model.mlp_width=8192");
        assertThat(problems(huge, PreFlight.Mode.LOCAL_RUN, true, 2L << 30)).isEmpty();
        assertThat(problems(big, PreFlight.Mode.CLUSTER_RUN, false, HEAP))
                .as("a cluster's heap is not this JVM's")
                .isEmpty();
        assertThat(problems(config("eval.problems=100000000"), PreFlight.Mode.SFT, false, HEAP))
                .singleElement()
                .asString()
                .contains("eval.problems (100000000): 23.8 GiB");
    }

    /** The disk the policy store and the learner's state files may take is checked against the space left. */
    @Test
    void aRunWhoseStoreWouldNotFitTheDiskIsRefused() {
        RunConfig c = config("model.layers=8", "model.d_model=2048", "model.mlp_width=8192", "job.max_steps=50");
        ModelSpec model =
                PreFlight.check(c, PreFlight.Mode.CLUSTER_RUN, false, HEAP).model();
        long version = model.parameterCount() * Float.BYTES;
        // version 0, the newest 8, 3 evaluated, the best, and one checkpoint's window of 2; two learner states.
        long needed = 15 * version + 2 * 3 * version;
        assertThat(PreFlight.disk(c, model, needed)).isEmpty();
        assertThat(PreFlight.disk(c, model, needed - 1))
                .get()
                .asString()
                .startsWith("this run's policy store and learner state files need up to about 31.5 GiB of disk (15"
                        + " policy versions of 1.5 GiB, 2 learner states of 4.5 GiB)")
                .endsWith("keep fewer versions (policy_store.keep_last, policy_store.keep_evaluated)");
    }

    @Test
    void missingFilesAreNamedWithTheirKey() {
        assertThat(problem("model.init=/nope"))
                .isEqualTo("model.init ('/nope') does not exist: give a checkpoint (.rsckpt)");
        assertThat(problem("model.tokenizer={type: huggingface, path: /nope}"))
                .isEqualTo("model.tokenizer.path ('/nope') does not exist: give a tokenizer.json");
        assertThat(problem(
                        "data.source=jsonl",
                        "data.path=/nope",
                        "sft.steps=0",
                        "model.tokenizer={type: char, alphabet: '0123456789+='}"))
                .isEqualTo("data.path ('/nope') does not exist: give a JSONL file or a directory of them");
        assertThat(problem("model.init=" + dir))
                .isEqualTo("model.init ('" + dir + "') is a directory: give a checkpoint (.rsckpt)");
        assertThat(problem("model.init=relative/nope.rsckpt"))
                .isEqualTo("model.init ('relative/nope.rsckpt') does not exist ("
                        + Path.of("relative/nope.rsckpt").toAbsolutePath() + "): give a checkpoint (.rsckpt)");
    }

    @Test
    void corruptFilesAreRefusedBeforeTheRunStarts() throws Exception {
        Path garbage = Files.writeString(
                dir.resolve("garbage.rsckpt"), "RSCK" + "and then nothing a checkpoint has".repeat(3));
        assertThat(problem("model.init=" + garbage))
                .startsWith("model.init ('" + garbage + "') cannot be read:"
                        + " checkpoint checksum mismatch: the file is truncated or corrupted; ")
                .endsWith("give a checkpoint written by rollstream sft or a run's final-model.rsckpt");
        Path tokenizer = Files.writeString(dir.resolve("tokenizer.json"), "{\"not\": \"a tokenizer\"}");
        assertThat(problem("model.tokenizer={type: huggingface, path: '" + tokenizer + "'}"))
                .startsWith("model.tokenizer.path ('" + tokenizer + "') cannot be loaded: ");
        assertThat(problem("model.tokenizer={type: huggingface_model, path: '" + tokenizer + "'}"))
                .isEqualTo("model.tokenizer.path ('" + tokenizer + "') is not a directory: give a Hugging Face model"
                        + " directory (with tokenizer.json)");
    }

    @Test
    void modelInitMustHaveTheConfiguredShapeAndIsReturnedVerified() throws Exception {
        ModelConfig model = (ModelConfig)
                PreFlight.check(config(), PreFlight.Mode.LOCAL_RUN, false, HEAP).model();
        Path init = dir.resolve("init.rsckpt");
        CheckpointFormat.save(checkpoint(model), init);

        PreFlight.Checked checked =
                PreFlight.check(config("model.init=" + init), PreFlight.Mode.LOCAL_RUN, false, HEAP);
        assertThat(checked.init().model()).isEqualTo(model);
        assertThat(problem("model.init=" + init, "model.d_model=16"))
                .startsWith("model.init ('" + init + "') holds a model of shape ")
                .endsWith("set the model section to the checkpoint's shape");
        assertThat(problems(config("model.init=/nope"), PreFlight.Mode.LOCAL_RUN, true, HEAP))
                .as("a resumed run builds no initial policy")
                .isEmpty();
    }

    @Test
    void aTeacherMustBeReadableAndFitTheStudent() throws Exception {
        ModelConfig model = (ModelConfig)
                PreFlight.check(config(), PreFlight.Mode.LOCAL_RUN, false, HEAP).model();
        Path teacher = dir.resolve("teacher.rsckpt");
        CheckpointFormat.save(
                new Checkpoint(7, model, TokenizerSpec.chars("0123456789+-="), weights(model), null, Map.of()),
                teacher);
        String distill = "learner.algorithm=reverse_kl";
        String[] noFilters = {"buffer.online_difficulty_filtering=false"};
        assertThat(problem(distill, noFilters[0], "teacher.checkpoint=/nope"))
                .isEqualTo("teacher.checkpoint ('/nope') does not exist: give a checkpoint (.rsckpt)");
        assertThat(problem(distill, noFilters[0], "teacher.checkpoint=" + teacher))
                .startsWith("the teacher uses tokenizer TokenizerSpec[type=char, alphabet=0123456789+-=");
        assertThat(problems(
                        config(distill, noFilters[0], "teacher.checkpoint=s3://bucket/t.rsckpt"),
                        PreFlight.Mode.LOCAL_RUN,
                        false,
                        HEAP))
                .as("other file systems are read where the job runs")
                .isEmpty();
    }

    @Test
    void impossibleCombinationsAndEveryProblemAtOnce() {
        String jsonl = "data.source=jsonl";
        String tokenizer = "model.tokenizer={type: char, alphabet: '0123456789+='}";
        Path data = dir.resolve("p.jsonl");
        assertThat(problem(jsonl, "data.path=" + dir, tokenizer))
                .isEqualTo("sft.steps (120) needs data.source: task"
                        + " (the warm start draws its demonstrations from a built-in task): set sft.steps: 0, and model.init to"
                        + " start from a trained model");
        assertThat(problem(jsonl, "data.path=" + dir, "sft.steps=0"))
                .startsWith("model.tokenizer is required with data.source: jsonl");
        List<String> all = new ArrayList<>(problems(
                config(jsonl, "data.path=" + data, tokenizer, "model.init=/nope", "sft.examples=2000000000"),
                PreFlight.Mode.LOCAL_RUN,
                false,
                HEAP));
        assertThat(all)
                .hasSize(4)
                .anySatisfy(p -> assertThat(p).startsWith("data.path"))
                .anySatisfy(p -> assertThat(p).startsWith("sft.steps (120) needs data.source: task"))
                .anySatisfy(p -> assertThat(p).startsWith("model.init ('/nope')"))
                .anySatisfy(p -> assertThat(p).startsWith("this run needs about"));
    }

    private static Checkpoint checkpoint(ModelConfig model) {
        return new Checkpoint(0, model, TokenizerSpec.chars("0123456789+="), weights(model), null, Map.of());
    }

    private static Map<String, float[]> weights(ModelConfig model) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        ParameterLayout.shapes(model).forEach((name, shape) -> weights.put(name, new float[(int) shape.size()]));
        return weights;
    }

    @Test
    void theJsonlSourceNeedsNoTaskAndADirectoryIsFine() {
        assertThatThrownBy(() -> PreFlight.check(
                        config("data.source=jsonl", "data.path=" + dir, "sft.steps=0"),
                        PreFlight.Mode.LOCAL_RUN,
                        false,
                        HEAP))
                .isInstanceOf(InvalidConfigException.class);
        assertThat(problems(
                        config(
                                "data.source=jsonl",
                                "data.path=" + dir,
                                "sft.steps=0",
                                "model.tokenizer={type: char, alphabet: '0123456789+='}"),
                        PreFlight.Mode.LOCAL_RUN,
                        false,
                        HEAP))
                .isEmpty();
    }
}
