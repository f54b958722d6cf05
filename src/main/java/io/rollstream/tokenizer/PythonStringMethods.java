package io.rollstream.tokenizer;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * The Python {@code str} methods chat templates call ({@code content.startswith('<tool_response>')},
 * {@code content.split('</think>')[-1].lstrip('\n')}, ...), which Jinja2 gets from Python and Jinjava,
 * working on Java strings, lacks. Resolves only method calls on strings whose name is listed here, with
 * Python's semantics (e.g. {@code split} takes a literal separator, not a regular expression); every other
 * call falls through to the next resolver.
 */
final class PythonStringMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || method == null) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result = call(s, method.toString(), args);
        if (result != NOT_HANDLED) {
            context.setPropertyResolved(true);
            return result;
        }
        return null;
    }

    private static final Object NOT_HANDLED = new Object();

    private static Object call(String s, String name, Object[] args) {
        return switch (name) {
            case "startswith" -> args.length == 1 ? anyMatch(args[0], s::startsWith) : NOT_HANDLED;
            case "endswith" -> args.length == 1 ? anyMatch(args[0], s::endsWith) : NOT_HANDLED;
            case "strip" -> args.length <= 1 ? rstrip(lstrip(s, chars(args)), chars(args)) : NOT_HANDLED;
            case "lstrip" -> args.length <= 1 ? lstrip(s, chars(args)) : NOT_HANDLED;
            case "rstrip" -> args.length <= 1 ? rstrip(s, chars(args)) : NOT_HANDLED;
            case "split" -> args.length <= 2 ? split(s, args) : NOT_HANDLED;
            case "upper" -> args.length == 0 ? s.toUpperCase(Locale.ROOT) : NOT_HANDLED;
            case "lower" -> args.length == 0 ? s.toLowerCase(Locale.ROOT) : NOT_HANDLED;
            case "capitalize" -> args.length == 0 ? capitalize(s) : NOT_HANDLED;
            case "title" -> args.length == 0 ? title(s) : NOT_HANDLED;
            case "replace" ->
                args.length == 2 ? s.replace(String.valueOf(args[0]), String.valueOf(args[1])) : NOT_HANDLED;
            default -> NOT_HANDLED;
        };
    }

    /** Python accepts a string or a tuple of strings for startswith/endswith. */
    private static boolean anyMatch(Object arg, Predicate<String> test) {
        if (arg instanceof Collection<?> options) {
            return options.stream().anyMatch(o -> test.test(String.valueOf(o)));
        }
        return test.test(String.valueOf(arg));
    }

    /** The characters to strip; null means whitespace, as in Python. */
    private static String chars(Object[] args) {
        return args.length == 0 || args[0] == null ? null : String.valueOf(args[0]);
    }

    private static boolean strippable(int cp, String chars) {
        return chars == null ? Character.isWhitespace(cp) : chars.indexOf(cp) >= 0;
    }

    private static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strippable(s.codePointAt(i), chars)) {
            i += Character.charCount(s.codePointAt(i));
        }
        return s.substring(i);
    }

    private static String rstrip(String s, String chars) {
        int end = s.length();
        while (end > 0 && strippable(s.codePointBefore(end), chars)) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(0, end);
    }

    /** {@code split()} on runs of whitespace, or {@code split(sep[, maxsplit])} on a literal separator. */
    private static List<String> split(String s, Object[] args) {
        int maxSplit = args.length == 2 ? ((Number) args[1]).intValue() : -1;
        if (args.length == 0 || args[0] == null) {
            List<String> parts = new ArrayList<>();
            Iterator<String> words = Arrays.stream(s.strip().split("\\s+")).iterator();
            while (words.hasNext()) {
                String word = words.next();
                if (!word.isEmpty()) {
                    parts.add(word);
                }
            }
            return parts;
        }
        String sep = String.valueOf(args[0]);
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        List<String> parts = new ArrayList<>();
        int start = 0;
        int at;
        while ((maxSplit < 0 || parts.size() < maxSplit) && (at = s.indexOf(sep, start)) >= 0) {
            parts.add(s.substring(start, at));
            start = at + sep.length();
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static String capitalize(String s) {
        return s.isEmpty()
                ? s
                : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousIsLetter = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(previousIsLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
            previousIsLetter = Character.isLetter(c);
        }
        return out.toString();
    }

    // ---- the rest of ELResolver: this resolver resolves no properties ----

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // not a property resolver
    }
}
