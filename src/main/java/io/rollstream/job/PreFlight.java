package io.rollstream.job;

import ai.djl.ndarray.types.Shape;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.config.DataSection;
import io.rollstream.config.InvalidConfigException;
import io.rollstream.config.RunConfig;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.learner.Algorithm;
import io.rollstream.model.LoraConfig;
import io.rollstream.model.LoraLayout;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ModelSource;
import io.rollstream.model.ModelSpec;
import io.rollstream.model.Models;
import io.rollstream.teacher.TeacherScorer;
import io.rollstream.tokenizer.Tokenizer;
import io.rollstream.tokenizer.TokenizerSpec;
import io.rollstream.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The checks of a run that need more than the config itself — its files, its tokenizer, its sizes
 * against Java's limits and this JVM's heap, which options go together — made before anything is
 * written, so a run that cannot work stops at once and leaves nothing behind. Every problem found is
 * reported in one {@link InvalidConfigException}, one line each, naming the key and the fix. A new
 * kind of model or source adds its checks to {@link #check}.
 */
public final class PreFlight {

    /** What is about to run, which decides what must fit where. */
    public enum Mode {
        /** {@code rollstream run}: the job in this JVM (learner, generators, teacher), after an initial policy. */
        LOCAL_RUN,
        /** A cluster submission: this JVM prepares the run; the job's heap is the task managers'. */
        CLUSTER_RUN,
        /** {@code rollstream sft}: the trainer alone. */
        SFT
    }

    /**
     * What the checks loaded, for the run to use instead of loading it again.
     *
     * @param tokenizer the run's tokenizer
     * @param model what the policy is: the builtin shape, or a Hugging Face directory's config
     * @param init the checkpoint of {@code model.init}, verified; null without one or when resuming
     */
    public record Checked(Tokenizer tokenizer, ModelSpec model, Checkpoint init) {}

    /** Fixed heap of a local run beside its model and data: the mini-cluster, Flink's buffers on heap, DJL. */
    static final long RUN_BASE_BYTES = 256L << 20;
    /** Fixed heap of an SFT run beside its model and data. */
    static final long SFT_BASE_BYTES = 64L << 20;
    /** Heap per SFT demonstration beyond its tokens (two arrays and their holders). */
    static final long BYTES_PER_EXAMPLE = 96;
    /** Heap per held-out problem (its texts and tokens). */
    static final long BYTES_PER_EVAL_PROBLEM = 256;

    /** The rotary position table, sized like a parameter. */
    private static final String ROTARY_TABLE = "rotary position table";

    private PreFlight() {}

    /**
     * Checks a run of {@code config}.
     *
     * @param resuming whether the run continues from a checkpoint (then it builds no initial policy:
     *     {@code model.init} and {@code sft} do not apply)
     * @throws InvalidConfigException listing every problem found
     */
    public static Checked check(RunConfig config, Mode mode, boolean resuming) {
        return check(config, mode, resuming, Runtime.getRuntime().maxMemory());
    }

    static Checked check(RunConfig c, Mode mode, boolean resuming, long maxHeapBytes) {
        List<String> problems = new ArrayList<>();
        if (c.data().source() == DataSection.Source.JSONL) {
            readable("data.path", c.data().path(), Kind.ANY, "a JSONL file or a directory of them", problems);
        }
        if (!resuming && c.sft().steps() > 0 && c.data().source() != DataSection.Source.TASK) {
            problems.add("sft.steps (" + c.sft().steps() + ") needs data.source: task (the warm start draws its"
                    + " demonstrations from a built-in task): set sft.steps: 0, and model.init to start from a trained"
                    + " model");
        }
        Tokenizer tokenizer = tokenizer(c, problems);
        ModelSpec model = tokenizer == null ? null : model(c, tokenizer, problems);
        Checkpoint init = model == null || resuming ? null : init(c, model, problems);
        if (model != null && c.learner().algorithm() == Algorithm.REVERSE_KL) {
            teacher(c, tokenizer.spec(), model, problems);
        }
        if (model != null && mode != Mode.CLUSTER_RUN) {
            heap(c, model, mode, resuming, maxHeapBytes, problems);
        }
        if (problems.isEmpty() && c.data().source() == DataSection.Source.TASK) {
            heldOutLeavesTraining(c, problems); // after the heap check: it draws the held-out set
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return new Checked(tokenizer, model, init);
    }

    /** The held-out problems, which training never poses, must leave most of the task to train on. */
    private static void heldOutLeavesTraining(RunConfig c, List<String> problems) {
        try {
            PlanFactory.trainingTask(c);
        } catch (IllegalArgumentException e) {
            problems.add("eval.problems (" + c.eval().problems() + "): " + e.getMessage());
        }
    }

    private static Tokenizer tokenizer(RunConfig c, List<String> problems) {
        TokenizerSpec spec;
        try {
            spec = PlanFactory.tokenizer(c);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
        if (TokenizerSpec.HUGGING_FACE.equals(spec.type())
                && !readable("model.tokenizer.path", spec.path(), Kind.FILE, "a tokenizer.json", problems)) {
            return null;
        }
        boolean pretrained = c.model().source() == ModelSource.HUGGINGFACE;
        String key = pretrained ? "model.path" : "model.tokenizer.path";
        if (TokenizerSpec.HUGGING_FACE_MODEL.equals(spec.type())
                && !readable(
                        key,
                        pretrained ? c.model().path() : spec.path(),
                        Kind.DIRECTORY,
                        "a Hugging Face model directory (with tokenizer.json)",
                        problems)) {
            return null;
        }
        try {
            return Tokenizers.create(spec);
        } catch (RuntimeException e) {
            problems.add(
                    (spec.path() != null ? key + " ('" + spec.path() + "')" : "model.tokenizer (" + spec.type() + ")")
                            + " cannot be loaded: " + e.getMessage());
            return null;
        }
    }

    /**
     * What the policy is — the builtin shape for the tokenizer's vocabulary, or the Hugging Face
     * directory's config.json — if every parameter fits a Java array and its checkpoints can be read
     * back.
     */
    private static ModelSpec model(RunConfig c, Tokenizer tokenizer, List<String> problems) {
        ModelSpec model;
        try {
            model = PlanFactory.modelSpec(c, tokenizer);
        } catch (IOException | IllegalArgumentException e) {
            problems.add(
                    c.model().source() == ModelSource.HUGGINGFACE
                            ? "model.path ('" + c.model().path() + "'): " + e.getMessage()
                            : e.getMessage());
            return null;
        }
        Map<String, Shape> parameters = new LinkedHashMap<>(model.parameterShapes());
        if (model instanceof ModelConfig builtin
                && builtin.architecture() == ModelConfig.Architecture.GPT
                && builtin.positions() == ModelConfig.Positions.ROTARY) {
            parameters.put(ROTARY_TABLE, new Shape(builtin.contextLength(), builtin.headDim()));
        }
        for (Map.Entry<String, Shape> p : parameters.entrySet()) {
            if (p.getValue().size() > CheckpointFormat.MAX_PARAMETER_VALUES) {
                problems.add(String.format(
                        Locale.ROOT,
                        "the model (%s) has a %s of %s = %,d values, more than the %,d one array may hold: %s",
                        describe(model),
                        p.getKey().equals(ROTARY_TABLE) ? p.getKey() : "parameter " + p.getKey(),
                        p.getValue().toString().replace(", ", " x "),
                        p.getValue().size(),
                        CheckpointFormat.MAX_PARAMETER_VALUES,
                        model instanceof ModelConfig
                                ? "choose a smaller model.d_model, model.mlp_width or model.context_length"
                                : "this model cannot be trained here"));
                return null;
            }
        }
        return model;
    }

    /** The model as its config keys name it (builtin), or as its config.json describes it. */
    private static String describe(ModelSpec model) {
        return model instanceof ModelConfig m
                ? String.format(
                        Locale.ROOT,
                        "model.layers %d, model.d_model %d,"
                                + " model.mlp_width %d, model.context_length %d, vocabulary %d",
                        m.layers(),
                        m.dModel(),
                        m.mlpWidth(),
                        m.contextLength(),
                        m.vocabSize())
                : model.describe();
    }

    /** {@code model.init}, loaded and verified, if its shape is the config's. */
    private static Checkpoint init(RunConfig c, ModelSpec model, List<String> problems) {
        String init = c.model().init();
        if (init == null || !readable("model.init", init, Kind.FILE, "a checkpoint (.rsckpt)", problems)) {
            return null;
        }
        Checkpoint checkpoint;
        try {
            checkpoint = CheckpointFormat.load(Path.of(init));
        } catch (IOException | RuntimeException e) {
            problems.add("model.init ('" + init + "') cannot be read: " + withoutPath(e.getMessage(), init)
                    + "; give a checkpoint written by rollstream sft or a run's final-model.rsckpt");
            return null;
        }
        if (!checkpoint.model().equals(model)) {
            problems.add("model.init ('" + init + "') holds a model of shape " + checkpoint.model() + ", but the config"
                    + " asks for " + model + ": set the model section to the checkpoint's shape");
            return null;
        }
        if (checkpoint.adapter() != null
                && !checkpoint.adapter().lora().equals(c.model().lora())) {
            problems.add("model.init ('" + init + "') holds LoRA adapters "
                    + checkpoint.adapter().lora() + ", but the"
                    + " config asks for "
                    + (c.model().lora() == null ? "full training" : c.model().lora())
                    + ": set model.lora as the adapters were made, or start from a merged export (rollstream export)");
            return null;
        }
        if (checkpoint.adapter() != null && c.sft().steps() > 0) {
            problems.add("model.init ('" + init + "') holds LoRA adapters, which the SFT warm start does not train: set"
                    + " sft.steps: 0");
            return null;
        }
        return checkpoint;
    }

    private static void teacher(RunConfig c, TokenizerSpec student, ModelSpec model, List<String> problems) {
        if (c.teacher().source() == ModelSource.HUGGINGFACE) {
            pretrainedTeacher(c, student, model, problems);
            return;
        }
        String location = c.teacher().checkpoint();
        if (ResumePoint.localPath(location) == null
                || !readable("teacher.checkpoint", location, Kind.FILE, "a checkpoint (.rsckpt)", problems)) {
            return;
        }
        try {
            CheckpointFormat.Summary teacher = CheckpointFormat.readSummary(ResumePoint.localPath(location));
            TeacherScorer.mismatch(teacher.model(), teacher.tokenizer(), student, model.contextLength())
                    .ifPresent(problems::add);
        } catch (IOException | RuntimeException e) {
            problems.add("teacher.checkpoint ('" + location + "') cannot be read: "
                    + withoutPath(
                            e.getMessage(), ResumePoint.localPath(location).toString())
                    + "; give a checkpoint written by rollstream sft");
        }
    }

    /** A Hugging Face teacher: its directory, config and tokenizer (its weights are read when the job starts). */
    private static void pretrainedTeacher(RunConfig c, TokenizerSpec student, ModelSpec model, List<String> problems) {
        String location = c.teacher().path();
        if (!readable("teacher.path", location, Kind.DIRECTORY, "a Hugging Face model directory", problems)) {
            return;
        }
        Path dir = Path.of(location);
        try {
            TeacherScorer.mismatch(
                            HfModelDirectory.config(dir).decoder(),
                            HfModelDirectory.tokenizer(dir),
                            student,
                            model.contextLength())
                    .ifPresent(problems::add);
        } catch (IOException | RuntimeException e) {
            problems.add("teacher.path ('" + location + "'): " + e.getMessage());
        }
    }

    /**
     * The heap the run's Java-side copies take, against this JVM's, in its larger phase. The SFT warm
     * start holds the weights (as initialised and as saved: 3 floats per parameter), its
     * demonstrations and the held-out problems. The job's learner, generators and teachers copy
     * weights through the heap one tensor at a time (checkpoints are written and read tensor by
     * tensor: a few copies of the largest parameter), except the learner's state held inline in Flink
     * state ({@code job.state_inline_max_mb}: serialized and restored whole) and policy versions read
     * from a file system other than the local one (into Java arrays: one copy of the weights per
     * reader); the held-out problems and a fixed problem set's order come on top. An estimate: the
     * model itself lives in PyTorch's native memory.
     */
    private static void heap(
            RunConfig c, ModelSpec model, Mode mode, boolean resuming, long maxHeap, List<String> problems) {
        Map<String, Long> sft = new LinkedHashMap<>();
        if (mode == Mode.SFT || (!resuming && c.sft().steps() > 0)) {
            sft.put("", SFT_BASE_BYTES);
            sft.put(
                    String.format(Locale.ROOT, "%,d parameters (model.*) x 3 float copies", model.parameterCount()),
                    model.parameterCount() * Float.BYTES * 3);
            sft.put(
                    "sft.examples (" + c.sft().examples() + ")",
                    c.sft().examples() * (BYTES_PER_EXAMPLE + (long) Integer.BYTES * model.contextLength()));
            sft.put("eval.problems (" + c.eval().problems() + ")", c.eval().problems() * BYTES_PER_EVAL_PROBLEM);
        }
        Map<String, Long> job = new LinkedHashMap<>();
        if (mode != Mode.SFT) {
            job.put("", RUN_BASE_BYTES);
            int readers = c.rollout().parallelism()
                    + (c.learner().algorithm() == Algorithm.REVERSE_KL
                            ? c.teacher().parallelism()
                            : 0);
            long largest = model.parameterShapes().values().stream()
                    .mapToLong(Shape::size)
                    .max()
                    .orElse(0);
            job.put(
                    String.format(Locale.ROOT, "the largest parameter (%,d values) x %d copies", largest, 2 + readers),
                    largest * Float.BYTES * (2 + readers));
            long inline = Math.min(learnerStateBytes(c, model), (long) c.job().stateInlineMaxMb() << 20);
            job.put("the learner's state held in Flink state (job.state_inline_max_mb) x 3", inline * 3);
            if (c.policyStore().path() != null
                    && ResumePoint.localPath(c.policyStore().path()) == null) {
                job.put(
                        String.format(
                                Locale.ROOT,
                                "%,d parameters read from policy_store.path by %d readers",
                                model.parameterCount(),
                                readers + 1),
                        model.parameterCount() * Float.BYTES * (readers + 1));
            }
            job.put("eval.problems (" + c.eval().problems() + ")", c.eval().problems() * BYTES_PER_EVAL_PROBLEM);
            if (c.data().source() == DataSection.Source.TASK) {
                job.put(
                        "data.max_problems (" + c.data().maxProblems() + ")",
                        (long) Integer.BYTES * c.data().maxProblems());
            }
        }
        Map<String, Long> parts = total(sft) > total(job) ? sft : job;
        long needed = total(parts);
        if (needed <= maxHeap) {
            return;
        }
        List<String> large = new ArrayList<>();
        parts.forEach((what, bytes) -> {
            if (!what.isEmpty() && bytes > needed / 10) {
                large.add(what + ": " + gib(bytes));
            }
        });
        long suggestGib = (long) Math.ceil(needed * 1.25 / (1L << 30));
        problems.add("this run needs about " + gib(needed) + " of JVM heap, more than the " + gib(maxHeap) + " it has ("
                + String.join("; ", large) + "): choose a smaller model or smaller sizes, or give the JVM more heap,"
                + " e.g. ROLLSTREAM_JAVA_OPTS=-Xmx" + suggestGib + "g");
    }

    /** Scalars the learner trains: every parameter, or with {@code model.lora} the adapters'. */
    static long trainedParameters(RunConfig c, ModelSpec model) {
        LoraConfig lora = c.model().lora();
        return lora == null
                ? model.parameterCount()
                : LoraLayout.shapes(Models.decoder(model), lora).values().stream()
                        .mapToLong(Shape::size)
                        .sum();
    }

    /** Bytes of the learner's checkpointed state: the trained weights and both AdamW moments, float32. */
    static long learnerStateBytes(RunConfig c, ModelSpec model) {
        return trainedParameters(c, model) * Float.BYTES * 3;
    }

    /** Bytes of one published policy version (with {@code model.lora}: the adapters). */
    static long policyVersionBytes(RunConfig c, ModelSpec model) {
        return trainedParameters(c, model) * Float.BYTES;
    }

    /**
     * The disk a run's policy store and learner state files take at most, against the space left
     * where they go (a local {@code policy_store.path}; other file systems are not checked): the
     * versions the store keeps ({@link io.rollstream.policy.VersionRetention}: version 0, the newest
     * {@code max(keep_last, max_off_policy_steps + 1)}, the newest {@code keep_evaluated} evaluated
     * ones and the best, and {@code max_off_policy_steps + 1} versions around each retained
     * checkpoint) and, when the learner's state is larger than {@code job.state_inline_max_mb}, its
     * files (the retained checkpoint's and the one being written).
     *
     * @param runDir the run directory (the store's default place)
     * @throws InvalidConfigException when they would not fit
     */
    public static void disk(RunConfig c, ModelSpec model, Path runDir) {
        Path store = c.policyStore().path() == null
                ? runDir.resolve("policy")
                : ResumePoint.localPath(c.policyStore().path());
        if (store == null) {
            return;
        }
        Path existing = store.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            disk(
                            c,
                            model,
                            existing == null
                                    ? Long.MAX_VALUE
                                    : Files.getFileStore(existing).getUsableSpace())
                    .ifPresent(problem -> {
                        throw new InvalidConfigException(List.of(problem));
                    });
        } catch (IOException e) {
            // the space cannot be told: nothing to check against
        }
    }

    static Optional<String> disk(RunConfig c, ModelSpec model, long usable) {
        long offPolicy = c.async().maxOffPolicySteps() + 1;
        long keepLast = c.policyStore().keepLast() == 0
                ? c.job().maxSteps() + 1L
                : c.policyStore().keepLast();
        long versions = Math.min(
                c.job().maxSteps() + 1L,
                1
                        + Math.max(keepLast, offPolicy)
                        + Math.min(c.policyStore().keepEvaluated(), c.job().maxSteps())
                        + 1
                        + offPolicy);
        long state = learnerStateBytes(c, model);
        long stateFiles = state > ((long) c.job().stateInlineMaxMb() << 20) ? 2 * state : 0;
        boolean baseCopy = c.model().lora() != null
                && (c.model().source() == ModelSource.BUILTIN || c.sft().steps() > 0);
        long base = baseCopy ? model.parameterCount() * Float.BYTES : 0;
        long needed = versions * policyVersionBytes(c, model) + stateFiles + base;
        if (needed <= usable) {
            return Optional.empty();
        }
        return Optional.of("this run's policy store and learner state files need up to about " + gib(needed)
                + " of disk (" + versions + " policy versions of " + gib(policyVersionBytes(c, model))
                + (stateFiles > 0 ? ", 2 learner states of " + gib(state) : "")
                + (base > 0 ? ", the base model of the adapters: " + gib(base) : "") + "), more than the " + gib(usable)
                + " free where policy_store.path is: free space, put the store elsewhere (policy_store.path), or keep"
                + " fewer versions (policy_store.keep_last, policy_store.keep_evaluated)");
    }

    private static long total(Map<String, Long> parts) {
        return parts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** {@code message} without the {@code "path: "} that file errors start with (the key's message names it). */
    private static String withoutPath(String message, String path) {
        return message != null && message.startsWith(path + ": ") ? message.substring(path.length() + 2) : message;
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    /** What a path must be. */
    private enum Kind {
        FILE,
        DIRECTORY,
        ANY
    }

    /**
     * Whether {@code location} (a local path or {@code file:} URI; other file systems are not checked
     * here) is a {@code kind} that can be read; records why not.
     */
    private static boolean readable(String key, String location, Kind kind, String what, List<String> problems) {
        Path path = ResumePoint.localPath(location);
        if (path == null) {
            return true;
        }
        String problem = null;
        if (!Files.exists(path)) {
            problem = "does not exist";
        } else if (Files.isDirectory(path) && kind == Kind.FILE) {
            problem = "is a directory";
        } else if (!Files.isDirectory(path) && kind == Kind.DIRECTORY) {
            problem = "is not a directory";
        } else if (!Files.isReadable(path)) {
            problem = "cannot be read (permissions)";
        }
        if (problem != null) {
            problems.add(key + " ('" + location + "') " + problem
                    + (location.equals(path.toString()) ? "" : " (" + path + ")") + ": give " + what);
        }
        return problem == null;
    }
}
