package io.rollstream.config;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies.NamingBase;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollstream.common.Json;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Typed, error-collecting access to one map of a parsed YAML tree (a section such as {@code rollout},
 * or a nested map such as {@code learner.loss}). Each getter registers its key as valid and returns
 * the default when the key is absent; a value of the wrong type is recorded as an error (naming the
 * full key, the expected type and the value) and the default is returned so reading goes on.
 * {@link #finish()} reports the keys nobody asked for.
 *
 * <p>{@link #bind} binds a map to a record: each component is one key, named the way Jackson writes
 * it ({@link Json#mapper()}'s snake_case, or the component's {@link JsonProperty}), so
 * {@link ConfigWriter} and the loader agree by construction. A {@link JsonAlias} is an older name
 * still read; a {@link JsonUnwrapped} record (a stage's own settings) has its keys in this map; a
 * {@link JsonIgnore} component is no key and keeps its default. Absent keys take the component's
 * value in the defaults record, and the record's canonical constructor validates. A key whose form
 * is not its component's type is read by a {@link Custom}. (Jackson's own deserializer stops at the
 * first problem and has no per-key defaults for records; this reports every problem, named as today.)
 */
final class SectionReader {

    /**
     * A component read by hand (an older form, or a default that depends on another key): {@code read}
     * gets this map and the components bound before it, by component name.
     */
    record Custom(String component, BiFunction<SectionReader, Map<String, Object>, Object> read) {

        static Custom of(String component, Function<SectionReader, Object> read) {
            return new Custom(component, (in, bound) -> read.apply(in));
        }
    }

    /** Numbers YAML 1.1 leaves as strings, such as {@code 1e-3}. */
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private final String path;
    private final ObjectNode node;
    private final ConfigErrors errors;
    private final Map<String, String> overrides;
    private final Map<Class<?>, Function<SectionReader, ?>> readers;
    private final Set<String> known = new LinkedHashSet<>();
    private boolean finished;

    private SectionReader(
            String path,
            ObjectNode node,
            ConfigErrors errors,
            Map<String, String> overrides,
            Map<Class<?>, Function<SectionReader, ?>> readers) {
        this.path = path;
        this.node = node;
        this.errors = errors;
        this.overrides = overrides;
        this.readers = readers;
    }

    /**
     * A reader of the whole file; {@code overrides} maps each overridden key path to its {@code --set}
     * text; {@code readers} reads the record types that {@link #bind} alone cannot (their customs).
     */
    static SectionReader root(
            ObjectNode tree,
            ConfigErrors errors,
            Map<String, String> overrides,
            Map<Class<?>, Function<SectionReader, ?>> readers) {
        return new SectionReader("", tree, errors, overrides, readers);
    }

    /**
     * This map as a {@code type} record whose absent keys take their values in {@code defaults} (with
     * null defaults, every key is optional: absent or null gives null, which the record resolves).
     */
    <R extends Record> R bind(Class<R> type, R defaults, Custom... customs) {
        return construct(type, values(type, defaults, customs));
    }

    /**
     * The components of {@code type} read from this map, in order, as {@link #bind} reads them. The
     * customs apply to unwrapped records' components too, and see every component bound before.
     */
    <R extends Record> Object[] values(Class<R> type, R defaults, Custom... customs) {
        return values(type, defaults, List.of(customs), new LinkedHashMap<>());
    }

    private Object[] values(
            Class<? extends Record> type, Record defaults, List<Custom> customs, Map<String, Object> bound) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            Custom custom = customs.stream()
                    .filter(k -> k.component().equals(c.getName()))
                    .findFirst()
                    .orElse(null);
            Object def = defaults == null ? null : invoke(c.getAccessor(), defaults);
            values[i] = custom != null ? custom.read().apply(this, bound) : component(c, def, customs, bound);
            bound.put(c.getName(), values[i]);
        }
        return values;
    }

    /** A record from its components, in declaration order; a validation failure propagates. */
    static <R extends Record> R construct(Class<R> type, Object[] values) {
        try {
            Constructor<R> canonical = type.getDeclaredConstructor(Arrays.stream(type.getRecordComponents())
                    .map(RecordComponent::getType)
                    .toArray(Class<?>[]::new));
            return canonical.newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    /** The YAML key of a record component: its {@link JsonProperty} name, else Jackson's snake_case of it. */
    static String keyOf(RecordComponent c) {
        JsonProperty named = c.getAccessor().getAnnotation(JsonProperty.class);
        if (named != null && !named.value().isEmpty()) {
            return named.value();
        }
        return ((NamingBase) Json.mapper().getPropertyNamingStrategy()).translate(c.getName());
    }

    /**
     * One component's value: its key, or an alias of it (both only when they agree), else {@code def};
     * an unwrapped record is bound from this map's keys, and is {@code def} when it is not valid.
     */
    @SuppressWarnings("unchecked")
    private Object component(RecordComponent c, Object def, List<Custom> customs, Map<String, Object> bound) {
        if (c.getAccessor().isAnnotationPresent(JsonIgnore.class)) {
            return def;
        }
        if (c.getAccessor().isAnnotationPresent(JsonUnwrapped.class)) {
            Class<Record> type = (Class<Record>) c.getType();
            Object unwrapped = errors.attempt(() -> construct(type, values(type, (Record) def, customs, bound)));
            return unwrapped == null ? def : unwrapped;
        }
        String name = keyOf(c);
        JsonAlias alias = c.getAccessor().getAnnotation(JsonAlias.class);
        if (alias == null) {
            return value(name, c.getType(), def);
        }
        Object value = value(name, c.getType(), def);
        boolean named = isSet(name);
        for (String older : alias.value()) {
            Object aliased = value(older, c.getType(), def);
            if (isSet(older) && named && !Objects.equals(aliased, value)) {
                error(key(older) + " (" + ConfigErrors.show(aliased) + ") and " + key(name) + " ("
                        + ConfigErrors.show(value) + ") are the same setting with different values: keep only "
                        + key(name));
            } else if (isSet(older) && !named) {
                value = aliased;
            }
        }
        return value;
    }

    /** The value of key {@code name} as a {@code type}; absent gives {@code def}, null is allowed when it is null. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object value(String name, Class<?> type, Object def) {
        boolean optional = def == null;
        if (type == int.class || type == Integer.class) {
            return read(name, def, optional, "an integer", SectionReader::asInt);
        }
        if (type == long.class || type == Long.class) {
            return read(name, def, optional, "an integer", SectionReader::asLong);
        }
        if (type == double.class || type == Double.class) {
            return read(name, def, optional, "a number", SectionReader::asDouble);
        }
        if (type == boolean.class || type == Boolean.class) {
            return read(name, def, optional, "true or false", SectionReader::asBoolean);
        }
        if (type == String.class) {
            return read(name, def, optional, "a string", SectionReader::asString);
        }
        if (type.isEnum()) {
            return enumValue(name, (Enum) def, optional, (Class<Enum>) type);
        }
        if (type == Map.class) {
            return stringMap(name, (Map<String, String>) def);
        }
        if (type == List.class) {
            return stringList(name, (List<String>) def);
        }
        if (type.isRecord()) {
            Function<SectionReader, Object> reader = (Function<SectionReader, Object>) readers.get(type);
            if (reader == null && def == null) {
                throw new IllegalStateException(key(name) + " has no default to bind to and no reader");
            }
            Class<Record> record = (Class<Record>) type;
            return nested(name, reader != null ? reader : in -> in.bind(record, (Record) def), def);
        }
        throw new IllegalStateException(key(name) + ": cannot bind a " + type.getSimpleName());
    }

    private static Object invoke(Method accessor, Object record) {
        try {
            return accessor.invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + accessor, e);
        }
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
        SectionReader child = new SectionReader(key(name), (ObjectNode) value, errors, overrides, readers);
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

    String optionalString(String name, String def) {
        return read(name, def, true, "a string", SectionReader::asString);
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

    /** One of {@code def}'s enum constants, written in any case ({@code -} and {@code _} alike). */
    <E extends Enum<E>> E choice(String name, E def) {
        return enumValue(name, def, false, def.getDeclaringClass());
    }

    private <E extends Enum<E>> E enumValue(String name, E def, boolean nullable, Class<E> type) {
        E[] constants = type.getEnumConstants();
        String expected =
                "one of " + Arrays.stream(constants).map(ConfigErrors::show).collect(Collectors.joining(", "));
        return read(name, def, nullable, expected, v -> {
            if (!v.isValueNode()) {
                return null;
            }
            String text = v.asText().trim().replace('-', '_');
            return Arrays.stream(constants)
                    .filter(c -> c.name().equalsIgnoreCase(text))
                    .findFirst()
                    .orElse(null);
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
                return Arrays.stream(v.asText().split(","))
                        .map(String::trim)
                        .filter(t -> !t.isEmpty())
                        .toList();
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
        String valid =
                (path.isEmpty() ? "valid top-level keys: " : "valid keys in " + path + ": ") + String.join(", ", known);
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                errors.add("unknown key " + key(name) + DidYouMean.hint(name, known, prefix) + origin(key(name)) + "; "
                        + valid);
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
