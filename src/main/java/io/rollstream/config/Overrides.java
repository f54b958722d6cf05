package io.rollstream.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies {@code --set key.path=value} overrides to a parsed YAML tree before it is bound, so that
 * they go through exactly the same checks as the file. The value is read as YAML: a scalar
 * ({@code 0.7}, {@code true}, {@code null}, {@code +-}) or a flow collection
 * ({@code {operators: "+-"}}, {@code [a, b]}). Maps on the way are created when missing; whether the
 * final key exists is left to binding, which reports unknown keys with the override that set them.
 */
final class Overrides {

    private Overrides() {}

    /**
     * Applies {@code overrides} in order (a later one wins) and returns each applied key path mapped
     * to its override text; malformed overrides are recorded in {@code errors} and skipped.
     */
    static Map<String, String> apply(ObjectNode tree, List<String> overrides, ConfigErrors errors) {
        Map<String, String> applied = new LinkedHashMap<>();
        for (String override : overrides) {
            int eq = override.indexOf('=');
            String path = eq < 0 ? "" : override.substring(0, eq).trim();
            String[] keys = path.split("\\.", -1);
            if (eq < 0 || Arrays.stream(keys).anyMatch(String::isBlank)) {
                errors.add("--set " + override + ": expected key.path=value, e.g. --set rollout.temperature=0.7");
                continue;
            }
            JsonNode value = parseValue(override, override.substring(eq + 1).trim(), errors);
            ObjectNode parent = value == null ? null : descend(tree, keys, override, errors);
            if (parent != null) {
                parent.set(keys[keys.length - 1], value);
                applied.remove(path);
                applied.put(path, override);
            }
        }
        return applied;
    }

    /** The map that holds the last key, creating missing maps; null (with an error) if a scalar is in the way. */
    private static ObjectNode descend(ObjectNode tree, String[] keys, String override, ConfigErrors errors) {
        ObjectNode parent = tree;
        for (int i = 0; i < keys.length - 1; i++) {
            JsonNode child = parent.get(keys[i]);
            if (child == null || child.isNull()) {
                parent = parent.putObject(keys[i]);
            } else if (child.isObject()) {
                parent = (ObjectNode) child;
            } else {
                String held = String.join(".", Arrays.copyOf(keys, i + 1));
                errors.add("--set " + override + ": " + held + " is " + SectionReader.describe(child)
                        + ", not a map, so it has no key " + keys[i + 1]);
                return null;
            }
        }
        return parent;
    }

    /** The value as YAML; text that only looks like a block collection (such as {@code -}) stays a string. */
    private static JsonNode parseValue(String override, String text, ConfigErrors errors) {
        boolean flow = text.startsWith("{") || text.startsWith("[");
        if (text.isEmpty()) {
            return TextNode.valueOf("");
        }
        try {
            JsonNode node = ConfigLoader.YAML.readTree(text);
            if (node == null || node.isMissingNode() || (node.isContainerNode() && !flow)) {
                return TextNode.valueOf(text);
            }
            return node;
        } catch (JsonProcessingException e) {
            if (!flow) {
                return TextNode.valueOf(text);
            }
            errors.add("--set " + override + ": the value is not valid YAML (" + e.getOriginalMessage()
                    + "); quote it or fix the brackets");
            return null;
        }
    }
}
