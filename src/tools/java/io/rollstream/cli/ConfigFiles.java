package io.rollstream.cli;

import io.rollstream.config.ConfigLoader;
import io.rollstream.config.InvalidConfigException;
import io.rollstream.config.RunConfig;
import java.nio.file.Path;
import java.util.List;

/** Loading a command's {@code --config} with its {@code --set} overrides. */
final class ConfigFiles {

    private ConfigFiles() {}

    /**
     * The validated config.
     *
     * @throws IllegalArgumentException naming the file and every problem, one per line
     */
    static RunConfig load(Path config, List<String> overrides) {
        try {
            return ConfigLoader.load(config, overrides);
        } catch (InvalidConfigException e) {
            throw new IllegalArgumentException(
                    "invalid config " + config
                            + (e.errors().size() == 1
                                    ? ": " + e.errors().get(0)
                                    : ":\n  " + String.join("\n  ", e.errors())),
                    e);
        }
    }
}
