package io.rollstream.config;

import io.rollstream.tasks.Tasks;
import io.rollstream.tasks.Verifiers;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.tokenizer.PromptFormat;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code data} section: where problems come from.
 *
 * @param source {@code task} (a built-in generator) or {@code jsonl} (files of problems); default {@code task}
 * @param task built-in task name, one of {@link Tasks#names()}, used when source is task; default
 *     {@code "arithmetic"}
 * @param difficulty difficulty of the built-in task, in the task's own range; default 3
 * @param taskOptions options of the built-in task (e.g. {@code operators: "+-"}); default empty
 * @param path JSONL file or directory of problems; required when source is jsonl; default null
 * @param watch whether to watch {@code path} (a directory) for new files; default false
 * @param fields names of the JSONL fields holding each part of a problem; default the part names
 * @param verifier verifier that scores JSONL problems, one of {@link Verifiers#names()}; default
 *     {@code "exact_match"}
 * @param epochs passes over the JSONL problems, at least 1; default 1
 * @param shuffle whether to shuffle JSONL problems; default true
 * @param maxProblems problems to use at most, 0 for all, at least 0; default 0
 * @param maxPromptChars longest prompt accepted, in characters, at least 1; default 4096
 * @param promptFormat how a problem's prompt becomes the model's input: {@code raw} (BOS, when the tokenizer adds
 *     one, then the prompt) or {@code chat} (the model's chat template, see {@link PromptCodec}); default raw
 * @param systemPrompt system turn of every chat prompt, or null for none; only with prompt_format chat; default
 *     null
 */
public record DataSection(
        Source source,
        String task,
        int difficulty,
        Map<String, String> taskOptions,
        String path,
        boolean watch,
        Fields fields,
        String verifier,
        int epochs,
        boolean shuffle,
        int maxProblems,
        int maxPromptChars,
        PromptFormat.Kind promptFormat,
        String systemPrompt) {

    /** Where problems come from. */
    public enum Source {
        TASK,
        JSONL
    }

    /**
     * The {@code data.fields} map: which JSONL field holds each part of a problem.
     *
     * @param id field with the problem's unique id; default {@code "id"}
     * @param prompt field with the prompt text; default {@code "prompt"}
     * @param answer field with the reference answer; default {@code "answer"}
     * @param task field with the problem's task name, for mixed files; default {@code "task"}
     */
    public record Fields(String id, String prompt, String answer, String task) {

        /** Every field named after the part it holds. */
        public static Fields defaults() {
            return new Fields("id", "prompt", "answer", "task");
        }

        public Fields {
            ConfigErrors e = new ConfigErrors();
            e.check(id != null && !id.isBlank(), "data.fields.id", id, "must name a JSONL field");
            e.check(prompt != null && !prompt.isBlank(), "data.fields.prompt", prompt, "must name a JSONL field");
            e.check(answer != null && !answer.isBlank(), "data.fields.answer", answer, "must name a JSONL field");
            e.check(task != null && !task.isBlank(), "data.fields.task", task, "must name a JSONL field");
            e.throwIfAny();
        }
    }

    /** Every key at its default. */
    public static DataSection defaults() {
        return new DataSection(
                Source.TASK,
                "arithmetic",
                3,
                Map.of(),
                null,
                false,
                Fields.defaults(),
                "exact_match",
                1,
                true,
                0,
                4096,
                PromptFormat.Kind.RAW,
                null);
    }

    public DataSection {
        taskOptions = taskOptions == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(taskOptions));
        fields = fields == null ? Fields.defaults() : fields;
        promptFormat = promptFormat == null ? PromptFormat.Kind.RAW : promptFormat;
        ConfigErrors e = new ConfigErrors();
        e.check(source != null, "data.source", source, "must be task or jsonl");
        if (source == Source.TASK) {
            checkTask(e, task, difficulty, taskOptions);
        }
        e.check(
                source != Source.JSONL || (path != null && !path.isBlank()),
                "data.path",
                path,
                "is required when data.source is jsonl: set it to a .jsonl file or a directory of them");
        e.check(
                Verifiers.names().contains(verifier),
                "data.verifier",
                verifier,
                "is not a known verifier" + DidYouMean.hint(String.valueOf(verifier), Verifiers.names(), "")
                        + ": use one of " + String.join(", ", Verifiers.names()));
        e.check(epochs >= 1, "data.epochs", epochs, "must be >= 1");
        e.check(maxProblems >= 0, "data.max_problems", maxProblems, "must be >= 0 (0 = no limit)");
        e.check(maxPromptChars >= 1, "data.max_prompt_chars", maxPromptChars, "must be >= 1: try 4096");
        e.check(
                systemPrompt == null || promptFormat == PromptFormat.Kind.CHAT,
                "data.system_prompt",
                systemPrompt,
                "only applies to data.prompt_format: chat: set data.prompt_format: chat or remove it");
        e.throwIfAny();
    }

    /** The task name must be known, and the task must accept the difficulty and the options. */
    private static void checkTask(ConfigErrors e, String task, int difficulty, Map<String, String> options) {
        if (!Tasks.names().contains(task)) {
            e.add("data.task (" + ConfigErrors.show(task) + ") is not a known task"
                    + DidYouMean.hint(String.valueOf(task), Tasks.names(), "") + ": use one of "
                    + String.join(", ", Tasks.names()));
            return;
        }
        try {
            Tasks.create(task, 0, difficulty);
        } catch (IllegalArgumentException ex) {
            e.add("data.difficulty (" + difficulty + ") does not suit data.task " + task + ": " + ex.getMessage());
            return;
        }
        try {
            Tasks.create(task, 0, difficulty, options);
        } catch (IllegalArgumentException ex) {
            e.add("data.task_options (" + options + ") do not suit data.task " + task + ": " + ex.getMessage());
        }
    }

    /** The prompt format these keys give. */
    public PromptFormat toPromptFormat() {
        return promptFormat == PromptFormat.Kind.CHAT ? PromptFormat.chat(systemPrompt) : PromptFormat.RAW;
    }
}
