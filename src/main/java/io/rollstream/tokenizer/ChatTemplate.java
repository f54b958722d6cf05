package io.rollstream.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jinjava.javax.el.CompositeELResolver;

/**
 * A model's chat template (the Jinja {@code chat_template} of its {@code tokenizer_config.json}, or its
 * {@code chat_template.jinja}) rendered the way Hugging Face's {@code apply_chat_template} renders it:
 * {@code trim_blocks} and {@code lstrip_blocks}, loop controls, the variables {@code messages},
 * {@code add_generation_prompt} and the special-token strings the model sets ({@code bos_token},
 * {@code eos_token}, {@code pad_token}, {@code unk_token}), and the helpers {@code raise_exception},
 * {@code strftime_now} and {@code tojson}.
 *
 * <p>The engine is Jinjava, which differs from Python's Jinja2 in ways real templates hit; this class closes
 * the gaps it knows of: Python's {@code str} methods ({@link PythonStringMethods}), the reversing slice
 * {@code x[::-1]} (rewritten to {@code (x|reverse|list)}) and computed keyword arguments of
 * {@code namespace(...)} ({@code last_query_index=messages|length - 1}, which Jinjava mis-parses: each value
 * is parenthesised). Tested on faithful copies of the Qwen2.5, Qwen3, Llama 3 and Llama 3.2 templates against
 * Jinja2's output.
 *
 * <p>{@code strftime_now} formats a pinned date, {@link #DEFAULT_DATE} unless {@link #withDate} says otherwise:
 * the current date would make a prompt depend on the day it is rendered, and generation must be a function of
 * the data, the seed and the config (a resumed run replays the same prompts). The default is the date Llama's
 * templates fall back on. Immutable and thread-safe.
 */
public final class ChatTemplate {

    /** The date {@code strftime_now} formats unless {@link #withDate} sets another. */
    public static final LocalDate DEFAULT_DATE = LocalDate.of(2024, 7, 26);

    /** Longest rendered text accepted, in characters (a runaway template fails instead of filling the heap). */
    static final long MAX_OUTPUT_CHARS = 16L << 20;

    private static final Pattern REVERSED_SLICE =
            Pattern.compile("([A-Za-z_][A-Za-z0-9_.]*(?:\\[[^\\[\\]]*\\])*)\\[\\s*:\\s*:\\s*-1\\s*\\]");
    private static final Pattern NAMESPACE_CALL = Pattern.compile("\\bnamespace\\s*\\(");
    private static final Pattern KEYWORD_ARGUMENT =
            Pattern.compile("^(\\s*[A-Za-z_][A-Za-z0-9_]*\\s*)=(?!=)(.*)$", Pattern.DOTALL);

    private static final Jinjava ENGINE = engine();

    private final String source;
    private final String dialect;
    private final Map<String, String> specialTokens;
    private final LocalDate date;

    private ChatTemplate(String source, Map<String, String> specialTokens, LocalDate date) {
        this.source = source;
        this.dialect = toJinjavaDialect(source);
        this.specialTokens = specialTokens;
        this.date = date;
    }

    /**
     * @param source the template text as the model ships it
     * @param specialTokens the special-token variables, e.g. {@code bos_token -> <|begin_of_text|>}; tokens a model
     *     does not set are left out (the template then sees them undefined)
     * @throws ChatTemplateException if the template does not parse
     */
    public static ChatTemplate of(String source, Map<String, String> specialTokens) {
        Objects.requireNonNull(source, "chat template source must not be null");
        Map<String, String> tokens = new LinkedHashMap<>();
        specialTokens.forEach((name, value) -> {
            if (value != null) {
                tokens.put(name, value);
            }
        });
        ChatTemplate template = new ChatTemplate(source, Map.copyOf(tokens), DEFAULT_DATE);
        template.check();
        return template;
    }

    /** This template with {@code strftime_now} formatting {@code date}. */
    public ChatTemplate withDate(LocalDate date) {
        return new ChatTemplate(source, specialTokens, Objects.requireNonNull(date, "date must not be null"));
    }

    /** The template text as the model ships it. */
    public String source() {
        return source;
    }

    /**
     * Renders a conversation.
     *
     * @param addGenerationPrompt whether to end with the header of an assistant turn (to generate one)
     * @throws ChatTemplateException if the template raises an exception or fails on this conversation
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> context = new HashMap<>(specialTokens);
        List<Map<String, Object>> turns = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> turn = new HashMap<>();
            turn.put("role", m.role());
            turn.put("content", m.content());
            turns.add(turn);
        }
        context.put("messages", turns);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("tools", null);
        context.put("documents", null);
        context.put("strftime_now", "strftime_now"); // so that `strftime_now is defined`, as in transformers
        context.put(ChatTemplateFunctions.DATE_VARIABLE, date);
        RenderResult result;
        try {
            result = ENGINE.renderForResult(dialect, context);
        } catch (ChatTemplateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ChatTemplateException("the chat template failed: " + e.getMessage());
        }
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
                .toList();
        if (!fatal.isEmpty()) {
            throw new ChatTemplateException("the chat template failed to render: " + describe(fatal));
        }
        return result.getOutput();
    }

    /** Parses the template (without rendering it), so that a broken template is reported when it is loaded. */
    private void check() {
        JinjavaInterpreter interpreter = ENGINE.newInterpreter();
        interpreter.parse(dialect);
        List<TemplateError> syntax = interpreter.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
                .toList();
        if (!syntax.isEmpty()) {
            throw new ChatTemplateException("the chat template does not parse: " + describe(syntax));
        }
    }

    private static String describe(List<TemplateError> errors) {
        return errors.stream()
                .map(e -> {
                    String message = e.getMessage();
                    Throwable cause = e.getException();
                    while (cause != null) {
                        if (cause instanceof ChatTemplateException) {
                            message = cause.getMessage();
                        }
                        cause = cause.getCause();
                    }
                    return message + (e.getLineno() > 0 ? " (line " + e.getLineno() + ")" : "");
                })
                .distinct()
                .collect(Collectors.joining("; "));
    }

    private static Jinjava engine() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                .withNestedInterpretationEnabled(false) // message text must never be evaluated as template code
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .withElResolver(resolver)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withEvaluateMapKeys(true)
                        .withKeepNullableLoopValues(true)
                        .build())
                .build();
        Jinjava jinjava = new Jinjava(config);
        try {
            jinjava.getGlobalContext()
                    .registerFunction(new ELFunctionDefinition(
                            "",
                            "raise_exception",
                            ChatTemplateFunctions.class.getMethod("raiseException", Object.class)));
            jinjava.getGlobalContext()
                    .registerFunction(new ELFunctionDefinition(
                            "", "strftime_now", ChatTemplateFunctions.class.getMethod("strftimeNow", String.class)));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("chat template helpers are missing", e);
        }
        jinjava.getGlobalContext().registerFilter(new ChatTemplateFunctions.ToJson());
        return jinjava;
    }

    /** Rewrites the Jinja2 constructs Jinjava does not parse into equivalents it does (see the class comment). */
    static String toJinjavaDialect(String template) {
        String reversed = REVERSED_SLICE
                .matcher(template)
                .replaceAll(m -> Matcher.quoteReplacement("(" + m.group(1) + "|reverse|list)"));
        return parenthesiseNamespaceArguments(reversed);
    }

    private static String parenthesiseNamespaceArguments(String template) {
        StringBuilder out = new StringBuilder();
        Matcher call = NAMESPACE_CALL.matcher(template);
        int copied = 0;
        while (call.find(copied)) {
            int open = call.end() - 1;
            int close = matchingParenthesis(template, open);
            if (close < 0) {
                break;
            }
            out.append(template, copied, open + 1);
            List<String> arguments = splitTopLevel(template.substring(open + 1, close));
            for (int i = 0; i < arguments.size(); i++) {
                Matcher keyword = KEYWORD_ARGUMENT.matcher(arguments.get(i));
                out.append(i == 0 ? "" : ",");
                out.append(keyword.matches() ? keyword.group(1) + "=(" + keyword.group(2) + ")" : arguments.get(i));
            }
            out.append(')');
            copied = close + 1;
        }
        return out.append(template, copied, template.length()).toString();
    }

    /** Index of the parenthesis closing the one at {@code open}, skipping quoted strings; -1 if unbalanced. */
    private static int matchingParenthesis(String s, int open) {
        int depth = 0;
        char quote = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
                if (depth == 0) {
                    return c == ')' ? i : -1;
                }
            }
        }
        return -1;
    }

    /** Splits an argument list at its top-level commas (not inside brackets or strings). */
    private static List<String> splitTopLevel(String arguments) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < arguments.length(); i++) {
            char c = arguments.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(arguments.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(arguments.substring(start));
        return parts;
    }
}
