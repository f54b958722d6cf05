package io.rollstream.source;

import io.rollstream.tasks.Problem;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.tokenizer.TokenizerSpec;
import io.rollstream.tokenizer.UnencodableTextException;
import java.io.Serializable;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides whether a problem can be generated: a non-empty prompt within {@code maxPromptChars},
 * an answer, only characters the tokenizer can encode, and a prompt short enough to leave room for
 * at least one generated token within the model's context, and (when given) a known task name.
 * Pure Java.
 */
public final class ProblemValidator implements Serializable {

    private final TokenizerSpec tokenizer;
    private final int contextLength;
    private final int maxPromptChars;
    private final Set<String> knownTasks;
    private transient PromptCodec codec;

    /** Accepts any task name. */
    public ProblemValidator(TokenizerSpec tokenizer, int contextLength, int maxPromptChars) {
        this(tokenizer, contextLength, maxPromptChars, null);
    }

    /** @param knownTasks the task names a problem may carry, or null for any */
    public ProblemValidator(TokenizerSpec tokenizer, int contextLength, int maxPromptChars, Set<String> knownTasks) {
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
        this.maxPromptChars = maxPromptChars;
        this.knownTasks = knownTasks == null ? null : Set.copyOf(knownTasks);
    }

    /** Why {@code problem} cannot be used, or empty when it can. */
    public Optional<String> problemWith(Problem problem) {
        if (knownTasks != null && !knownTasks.contains(problem.task())) {
            return Optional.of("unknown task '" + problem.task() + "': expected one of " + new TreeSet<>(knownTasks));
        }
        if (problem.prompt().isBlank()) {
            return Optional.of("prompt is empty");
        }
        if (problem.prompt().length() > maxPromptChars) {
            return Optional.of("prompt has " + problem.prompt().length()
                    + " characters, more than data.max_prompt_chars (" + maxPromptChars + ")");
        }
        if (problem.answer().isBlank()) {
            return Optional.of("answer is empty");
        }
        try {
            int tokens = codec().prompt(problem.prompt()).length;
            if (tokens + 1 > contextLength) {
                return Optional.of("prompt is " + tokens + " tokens with BOS; model.context_length (" + contextLength
                        + ") leaves no room to generate");
            }
        } catch (UnencodableTextException e) {
            return Optional.of("prompt: " + e.getMessage());
        }
        return Optional.empty();
    }

    private PromptCodec codec() {
        if (codec == null) {
            codec = PromptCodec.create(tokenizer);
        }
        return codec;
    }
}
