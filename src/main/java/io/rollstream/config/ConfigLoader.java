package io.rollstream.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads a run configuration: one YAML file of sections ({@code job}, {@code data}, {@code model},
 * {@code sft}, {@code rollout}, {@code buffer}, {@code async}, {@code learner}, {@code teacher},
 * {@code eval}, {@code policy_store}, {@code output}, {@code slots}) plus {@code --set key.path=value} overrides,
 * into a validated {@link RunConfig}.
 *
 * <p>Missing keys and sections take their defaults (an empty file is a valid configuration).
 * Unknown keys, values of the wrong type and values that break a rule are all reported together in
 * one {@link InvalidConfigException}, one problem per line, each naming the full key. Rules that
 * span sections are checked once every section is valid on its own.
 */
public final class ConfigLoader {

    /** The YAML reader; duplicate keys are errors rather than silently overwritten. */
    static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** The sections with keys that are not plain record components, and how each is read. */
    private static final Map<Class<?>, Function<SectionReader, ?>> READ_BY_HAND = Map.of(
            ModelSection.class, ModelSection::read,
            BufferSection.class, BufferSection::read,
            LearnerSection.class, LearnerSection::read,
            PolicyStoreSection.class, PolicyStoreSection::read);

    private ConfigLoader() {}

    /** Reads {@code yaml}, then applies {@code overrides} ({@code key.path=value}, in order). */
    public static RunConfig load(Path yaml, List<String> overrides) {
        String text;
        try {
            text = Files.readString(yaml);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException("configuration file " + yaml + " does not exist"
                    + (yaml.isAbsolute() ? "" : " (looked for " + yaml.toAbsolutePath() + ")"));
        } catch (IOException e) {
            throw new InvalidConfigException("cannot read configuration file " + yaml + ": " + e);
        }
        return parse(text, overrides, "configuration file " + yaml);
    }

    /** Reads {@code yaml} without overrides. */
    public static RunConfig load(Path yaml) {
        return load(yaml, List.of());
    }

    /** Reads YAML text, then applies {@code overrides} ({@code key.path=value}, in order). */
    public static RunConfig parse(String yamlText, List<String> overrides) {
        return parse(yamlText, overrides, "the configuration");
    }

    /** Reads YAML text without overrides. */
    public static RunConfig parse(String yamlText) {
        return parse(yamlText, List.of());
    }

    /**
     * Reads YAML text that came from {@code source} (named in every error, e.g. a path on a
     * Flink file system), then applies {@code overrides}.
     */
    public static RunConfig parse(String text, List<String> overrides, String source) {
        ObjectNode tree = readTree(text, source);
        ConfigErrors errors = new ConfigErrors();
        SectionReader root = SectionReader.root(
                tree, errors, Overrides.apply(tree, overrides == null ? List.of() : overrides, errors), READ_BY_HAND);
        Object[] sections = root.values(RunConfig.class, RunConfig.defaults());
        root.finish();
        errors.throwIfAny();
        return SectionReader.construct(RunConfig.class, sections);
    }

    /** The file as a map; empty (or only comments) gives an empty map. */
    private static ObjectNode readTree(String text, String source) {
        JsonNode node;
        try {
            node = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new InvalidConfigException(source + " is not valid YAML" + where + ": " + e.getOriginalMessage());
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return YAML.createObjectNode();
        }
        if (!node.isObject()) {
            throw new InvalidConfigException(source + " must be a map of sections (job:, data:, rollout:, ...), got "
                    + SectionReader.describe(node));
        }
        return (ObjectNode) node;
    }
}
