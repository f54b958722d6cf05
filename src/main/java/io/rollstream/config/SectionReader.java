package io.rollstream.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Typed, error-collecting access to one map of a parsed YAML tree (a section such as {@code rollout},
 * or a nested map such as {@code learner.loss}). Each getter registers its key as valid and returns
 * the default when the key is absent; a value of the wrong type is recorded as an error (naming the
 * full key, the expected type and the value) and the default is returned so reading goes on.
 * {@link #finish()} reports the keys nobody asked for.
 */
final class SectionReader {

    /** Numbers YAML 1.1 leaves as strings, such as {@code 1e-3}. */
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private final String path;
    private final ObjectNode node;
    private final ConfigErrors errors;
    private final Map<String, String> overrides;
    private final Set<String> known = new LinkedHashSet<>();
    private boolean finished;

    private SectionReader(String path, ObjectNode node, ConfigErrors errors, Map<String, String> overrides) {
        this.path = path;
        this.node = node;
        this.errors = errors;
        this.overrides = overrides;
    }

    /** A reader of the whole file; {@code overrides} maps each overridden key path to its {@code --set} text. */
    static SectionReader root(ObjectNode tree, ConfigErrors errors, Map<String, String> overrides) {
        return new SectionReader("", tree, errors, overrides);
    }

    /**
     * Reads the map under {@code name} with {@code read}, or returns {@code def} when it is absent or
     * null, not a map, or fails its own validation (the problems are recorded).
     */
    <T> T nested(String name, Function<SectionReader, T> read, T def) {
        known.add(name);
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return def;
        }
        if (!value.isObject()) {
            typeError(name, "a map of keys", value);
            return def;
        }
        SectionReader child = new SectionReader(key(name), (ObjectNode) value, errors, overrides);
        T result = errors.attempt(() -> read.apply(child));
        child.finish();
        return result == null ? def : result;
    }

    /** Whether {@code name} holds a single value such as a name or a number (does not register the key). */
    boolean isScalar(String name) {
        JsonNode value = node.get(name);
        return value != null && value.isValueNode() && !value.isNull();
    }

    /** Whether {@code name} has a non-null value (does not register the key). */
    boolean isSet(String name) {
        JsonNode value = node.get(name);
        return value != null && !value.isNull();
    }

    String string(String name, String def) {
        return read(name, def, false, "a string", SectionReader::asString);
    }

    String optionalString(String name, String def) {
        return read(name, def, true, "a string", SectionReader::asString);
    }

    int integer(String name, int def) {
        return read(name, def, false, "an integer", SectionReader::asInt);
    }

    Integer optionalInteger(String name, Integer def) {
        return read(name, def, true, "an integer", SectionReader::asInt);
    }

    long longInteger(String name, long def) {
        return read(name, def, false, "an integer", SectionReader::asLong);
    }

    Long optionalLong(String name, Long def) {
        return read(name, def, true, "an integer", SectionReader::asLong);
    }

    double number(String name, double def) {
        return read(name, def, false, "a number", SectionReader::asDouble);
    }

    Double optionalNumber(String name, Double def) {
        return read(name, def, true, "a number", SectionReader::asDouble);
    }

    /** A count that older configs wrote as a flag: {@code true} reads as {@code whenTrue}, {@code false} as 0. */
    int countOrFlag(String name, int def, int whenTrue) {
        return read(name, def, false, "an integer", v -> {
            Boolean flag = asBoolean(v);
            return flag != null ? (flag ? whenTrue : 0) : asInt(v);
        });
    }

    boolean bool(String name, boolean def) {
        return read(name, def, false, "true or false", SectionReader::asBoolean);
    }

    Boolean optionalBool(String name, Boolean def) {
        return read(name, def, true, "true or false", SectionReader::asBoolean);
    }

    /** One of {@code def}'s enum constants, written in any case ({@code -} and {@code _} alike). */
    <E extends Enum<E>> E choice(String name, E def) {
        return enumValue(name, def, false, def.getDeclaringClass());
    }

    /** Like {@link #choice}, but absent (or null) gives null. */
    <E extends Enum<E>> E optionalChoice(String name, Class<E> type) {
        return enumValue(name, null, true, type);
    }

    private <E extends Enum<E>> E enumValue(String name, E def, boolean nullable, Class<E> type) {
        E[] constants = type.getEnumConstants();
        String expected = "one of " + Arrays.stream(constants).map(ConfigErrors::show).collect(Collectors.joining(", "));
        return read(name, def, nullable, expected, v -> {
            if (!v.isValueNode()) {
                return null;
            }
            String text = v.asText().trim().replace('-', '_');
            return Arrays.stream(constants).filter(c -> c.name().equalsIgnoreCase(text)).findFirst().orElse(null);
        });
    }

    /** A map of string keys to scalar values, read as strings. */
    Map<String, String> stringMap(String name, Map<String, String> def) {
        JsonNode value = read(name, null, true, "a map of strings", v -> v.isObject() ? v : null);
        if (value == null) {
            return node.get(name) == null ? def : Map.of();
        }
        Map<String, String> result = new LinkedHashMap<>();
        value.fields().forEachRemaining(entry -> {
            String text = asString(entry.getValue());
            if (text == null) {
                typeError(name + "." + entry.getKey(), "a string", entry.getValue());
            } else {
                result.put(entry.getKey(), text);
            }
        });
        return result;
    }

    /** A list of strings: a YAML list of scalars, or one comma-separated string (handy with --set). */
    List<String> stringList(String name, List<String> def) {
        return read(name, def, false, "a list of strings", v -> {
            if (v.isTextual()) {
                return Arrays.stream(v.asText().split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
            }
            if (!v.isArray()) {
                return null;
            }
            List<String> items = new ArrayList<>();
            for (JsonNode item : v) {
                String text = asString(item);
                if (text == null) {
                    return null;
                }
                items.add(text.trim());
            }
            return List.copyOf(items);
        });
    }

    /** Records a problem found while reading (reading goes on, so every key is still registered). */
    void error(String message) {
        errors.add(message);
    }

    /** Reports every key of this map that no getter asked for, with the valid keys; once. */
    void finish() {
        if (finished) {
            return;
        }
        finished = true;
        String prefix = path.isEmpty() ? "" : path + ".";
        String valid = (path.isEmpty() ? "valid top-level keys: " : "valid keys in " + path + ": ")
                + String.join(", ", known);
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                errors.add("unknown key " + key(name) + DidYouMean.hint(name, known, prefix) + origin(key(name))
                        + "; " + valid);
            }
        });
    }

    /** The full dotted key of {@code name} in this map. */
    String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** How a YAML value is shown in messages: {@code 'text'}, a number, {@code null}, a map or a list. */
    static String describe(JsonNode value) {
        if (value.isTextual()) {
            return "'" + value.asText() + "'";
        }
        if (value.isObject()) {
            return "a map";
        }
        if (value.isArray()) {
            return "a list";
        }
        return value.toString();
    }

    private <T> T read(String name, T def, boolean nullable, String expected, Function<JsonNode, T> convert) {
        known.add(name);
        JsonNode value = node.get(name);
        if (value == null || value.isMissingNode()) {
            return def;
        }
        if (value.isNull()) {
            if (!nullable) {
                errors.add(key(name) + ": expected " + expected + ", got null" + origin(key(name))
                        + "; remove the key to use the default (" + ConfigErrors.show(def) + ")");
            }
            return nullable ? null : def;
        }
        T converted = convert.apply(value);
        if (converted == null) {
            typeError(name, expected, value);
            return def;
        }
        return converted;
    }

    private void typeError(String name, String expected, JsonNode value) {
        errors.add(key(name) + ": expected " + expected + ", got " + describe(value) + origin(key(name)));
    }

    /** " (from --set ...)" when the key, or a map holding it, or a key under it, was overridden. */
    private String origin(String fullKey) {
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String p = e.getKey();
            if (p.equals(fullKey) || p.startsWith(fullKey + ".") || fullKey.startsWith(p + ".")) {
                return " (from --set " + e.getValue() + ")";
            }
        }
        return "";
    }

    private static String asString(JsonNode v) {
        return v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    private static Double asDouble(JsonNode v) {
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual() && NUMBER.matcher(v.asText().trim()).matches()) {
            return Double.parseDouble(v.asText().trim());
        }
        return null;
    }

    private static Long asLong(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? v.longValue() : null;
        }
        Double d = asDouble(v);
        return d != null && d == Math.rint(d) && Math.abs(d) < 9e15 ? (long) (double) d : null;
    }

    private static Integer asInt(JsonNode v) {
        Long l = asLong(v);
        return l != null && l == (int) (long) l ? (int) (long) l : null;
    }

    private static Boolean asBoolean(JsonNode v) {
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        String text = v.isTextual() ? v.asText().trim().toLowerCase(Locale.ROOT) : "";
        return text.equals("true") ? Boolean.TRUE : text.equals("false") ? Boolean.FALSE : null;
    }
}
