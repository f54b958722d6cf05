package io.rollstream.cli;

import io.rollstream.config.ConfigLoader;
import io.rollstream.config.InvalidConfigException;
import io.rollstream.config.RunConfig;

import java.nio.file.Path;
import java.util.List;

/** Loading a command's {@code --config} with its {@code --set} overrides, reporting every problem to stderr. */
final class ConfigFiles {

    private ConfigFiles() {}

    /** The validated config, or null after printing why it is invalid. */
    static RunConfig loadOrReport(Path config, List<String> overrides) {
        try {
            return ConfigLoader.load(config, overrides);
        } catch (InvalidConfigException e) {
            System.err.println("invalid config " + config + ":");
            e.errors().forEach(line -> System.err.println("  " + line));
            return null;
        }
    }
}
