package io.rollstream.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * The helpers Hugging Face's {@code apply_chat_template} gives every chat template, for Jinjava:
 * {@code raise_exception(message)}, {@code strftime_now(format)} and a {@code tojson} filter that writes what
 * Python's {@code json.dumps} writes ({@code ", "} and {@code ": "} separators, non-ASCII kept, optional
 * {@code indent}).
 */
public final class ChatTemplateFunctions {

    /** Context variable holding the date {@code strftime_now} formats (see {@link ChatTemplate}). */
    static final String DATE_VARIABLE = "__rollstream_render_date__";

    private ChatTemplateFunctions() {}

    /** {@code raise_exception(message)}: the template refuses the conversation. */
    public static Object raiseException(Object message) {
        throw new ChatTemplateException("the chat template raised an exception: " + message);
    }

    /**
     * {@code strftime_now(format)}: the render date (pinned, see {@link ChatTemplate}) in a Python strftime
     * format. Supports the date directives templates use ({@code %d %m %y %Y %b %B %a %A %j %%}); a time
     * directive gives midnight.
     */
    public static String strftimeNow(String format) {
        Object value = JinjavaInterpreter.getCurrentMaybe()
                .map(i -> i.getContext().get(DATE_VARIABLE))
                .orElse(null);
        LocalDate date = value instanceof LocalDate d ? d : ChatTemplate.DEFAULT_DATE;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            out.append(
                    switch (d) {
                        case 'd' -> String.format("%02d", date.getDayOfMonth());
                        case 'm' -> String.format("%02d", date.getMonthValue());
                        case 'y' -> String.format("%02d", date.getYear() % 100);
                        case 'Y' -> String.valueOf(date.getYear());
                        case 'b' -> date.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                        case 'B' -> date.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                        case 'a' -> date.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                        case 'A' -> date.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                        case 'j' -> String.format("%03d", date.getDayOfYear());
                        case 'H', 'M', 'S', 'I' -> "00";
                        case 'F' -> date.format(DateTimeFormatter.ISO_LOCAL_DATE);
                        case '%' -> "%";
                        default -> "%" + d;
                    });
        }
        return out.toString();
    }

    /** The {@code tojson} filter of Hugging Face templates: {@code json.dumps(x, ensure_ascii=False, indent=...)}. */
    static final class ToJson implements Filter {

        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return dumps(var, args.length > 0 && args[0] != null ? Integer.parseInt(args[0]) : -1);
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
            return dumps(var, indent instanceof Number n ? n.intValue() : -1);
        }
    }

    /** Python's {@code json.dumps(value, ensure_ascii=False, indent=indent)}; {@code indent < 0} means none. */
    static String dumps(Object value, int indent) {
        StringBuilder out = new StringBuilder();
        write(out, value, indent, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, int indent, int depth) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof Number n) {
            out.append(n);
        } else if (value instanceof Map<?, ?> map) {
            container(out, map.entrySet().iterator(), '{', '}', indent, depth, (entry, d) -> {
                writeString(out, String.valueOf(entry.getKey()));
                out.append(": ");
                write(out, entry.getValue(), indent, d);
            });
        } else if (value instanceof Iterable<?> items) {
            container(out, items.iterator(), '[', ']', indent, depth, (item, d) -> write(out, item, indent, d));
        } else if (value instanceof Object[] items) {
            write(out, Arrays.asList(items), indent, depth);
        } else {
            writeString(out, String.valueOf(value));
        }
    }

    private interface ItemWriter<T> {
        void write(T item, int depth);
    }

    private static <T> void container(
            StringBuilder out, Iterator<T> items, char open, char close, int indent, int depth, ItemWriter<T> writer) {
        out.append(open);
        if (!items.hasNext()) {
            out.append(close);
            return;
        }
        boolean first = true;
        while (items.hasNext()) {
            out.append(first ? "" : indent >= 0 ? "," : ", ");
            if (indent >= 0) {
                out.append('\n').append(" ".repeat(indent * (depth + 1)));
            }
            writer.write(items.next(), depth + 1);
            first = false;
        }
        if (indent >= 0) {
            out.append('\n').append(" ".repeat(indent * depth));
        }
        out.append(close);
    }

    private static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
