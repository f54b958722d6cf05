package io.rollstream.report;

import io.rollstream.common.Json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a JSON-lines file that a running job may be appending to: a last line without its newline
 * is a line still being written and is left out; any other line that is not JSON is an error naming
 * the file and line.
 */
final class JsonLines {

    private JsonLines() {}

    static List<JsonNode> read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        List<JsonNode> out = new ArrayList<>();
        // The piece after the last newline is empty, or a line still being written: never read.
        for (int i = 0; i < lines.length - 1; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                out.add(Json.mapper().readTree(lines[i]));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + " is not JSON: "
                        + e.getOriginalMessage(), e);
            }
        }
        return out;
    }
}
