package io.rollstream.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.rollstream.common.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a {@link RunConfig} as YAML with every key, defaults included (snake_case keys, enums in
 * lower case, unset optional values as {@code null}), so a run records exactly what it used and
 * {@code ConfigLoader.parse(toYaml(c))} equals {@code c}.
 */
public final class ConfigWriter {

    private static final String HEADER =
            "# Rollstream run configuration, fully resolved (every key, defaults included)\n";

    /** The project's snake_case mapper, writing enums as they are written in configuration files. */
    private static final ObjectMapper TREES =
            Json.mapper().copy().configure(EnumFeature.WRITE_ENUMS_TO_LOWERCASE, true);

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build();

    private ConfigWriter() {}

    /** The configuration as YAML text. */
    public static String toYaml(RunConfig config) {
        try {
            return HEADER + YAML.writeValueAsString(TREES.valueToTree(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the configuration as YAML", e);
        }
    }

    /** Writes the configuration to {@code file}, replacing it. */
    public static void write(RunConfig config, Path file) {
        try {
            Files.writeString(file, toYaml(config));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write configuration file " + file, e);
        }
    }
}
