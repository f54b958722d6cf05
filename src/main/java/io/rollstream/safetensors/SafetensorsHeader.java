package io.rollstream.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON header of a safetensors file, validated: every tensor's entry (in header order) and the
 * {@code __metadata__} strings. A damaged or hostile header is refused with a message naming the
 * source and the problem.
 *
 * @param tensors every tensor by name, in header order
 * @param metadata the {@code __metadata__} (empty when absent)
 */
public record SafetensorsHeader(Map<String, TensorEntry> tensors, Map<String, String> metadata) {

    private static final String METADATA = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Parses and validates a header: well-formed entries of a known dtype, shape × dtype width = byte
     * length, every range inside {@code dataLength} bytes of data and no two ranges overlapping.
     *
     * @param path the file (or stream) the header came from, for messages
     * @param json the header's bytes (UTF-8 JSON, possibly padded with spaces)
     * @param dataLength bytes of data after the header ({@link Long#MAX_VALUE} when not known in advance)
     */
    public static SafetensorsHeader parse(String path, byte[] json, long dataLength) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(new String(json, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw invalid(path, "its header is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid(path, "its header is not a JSON object");
        }
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (METADATA.equals(field.getKey())) {
                metadata = metadata(path, field.getValue());
            } else {
                tensors.put(field.getKey(), entry(path, field.getKey(), field.getValue(), dataLength));
            }
        }
        List<TensorEntry> byOffset = new ArrayList<>(tensors.values());
        byOffset.removeIf(t -> t.byteLength() == 0);
        byOffset.sort(Comparator.comparingLong(TensorEntry::begin));
        for (int i = 1; i < byOffset.size(); i++) {
            TensorEntry previous = byOffset.get(i - 1);
            TensorEntry next = byOffset.get(i);
            if (next.begin() < previous.end()) {
                throw invalid(path, "the data of tensors " + previous.name() + " and " + next.name() + " overlap");
            }
        }
        return new SafetensorsHeader(Collections.unmodifiableMap(tensors), metadata);
    }

    private static TensorEntry entry(String path, String name, JsonNode node, long dataLength) throws IOException {
        String where = "tensor " + name;
        if (name.isEmpty() || !node.isObject()) {
            throw invalid(path, where + " is not described by an object");
        }
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!List.of("dtype", "shape", "data_offsets").contains(key)) {
                throw invalid(path, where + " has an unknown field " + key);
            }
        }
        SafetensorsDtype dtype = SafetensorsDtype.byName(node.path("dtype").asText(""))
                .orElseThrow(() -> invalid(path, where + " has an unknown dtype " + node.get("dtype")));
        JsonNode shapeNode = node.path("shape");
        JsonNode offsets = node.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw invalid(path, where + " needs a shape array and data_offsets [begin, end]");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        try {
            for (int i = 0; i < shape.length; i++) {
                shape[i] = nonNegative(path, where + " shape", shapeNode.get(i));
                elements = Math.multiplyExact(elements, shape[i]);
            }
            long begin = nonNegative(path, where + " data_offsets", offsets.get(0));
            long end = nonNegative(path, where + " data_offsets", offsets.get(1));
            long expected = Math.multiplyExact(elements, dtype.bytes());
            if (end < begin || end > dataLength) {
                throw invalid(
                        path,
                        where + " has data_offsets [" + begin + ", " + end + "] outside the " + dataLength
                                + " bytes of data");
            }
            if (end - begin != expected) {
                throw invalid(
                        path,
                        where + " is " + dtype + Arrays.toString(shape) + " = " + expected
                                + " bytes, but its data_offsets span " + (end - begin));
            }
            return new TensorEntry(name, dtype, shape, begin, end);
        } catch (ArithmeticException e) {
            throw invalid(path, where + " has a shape too large to address");
        }
    }

    private static long nonNegative(String path, String where, JsonNode n) throws IOException {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            throw invalid(path, where + " must hold non-negative integers, got " + n);
        }
        return n.asLong();
    }

    private static Map<String, String> metadata(String path, JsonNode node) throws IOException {
        if (!node.isObject()) {
            throw invalid(path, "its __metadata__ is not an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw invalid(path, "its __metadata__ value " + e.getKey() + " is not a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return Collections.unmodifiableMap(out);
    }

    static IOException invalid(String path, String problem) {
        return new IOException(path + " is not a valid safetensors file: " + problem);
    }
}
