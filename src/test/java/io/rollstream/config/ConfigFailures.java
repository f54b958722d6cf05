package io.rollstream.config;

import java.util.List;

/** Runs a configuration that must be rejected and returns the exception, for assertions on its message. */
final class ConfigFailures {

    private ConfigFailures() {}

    static InvalidConfigException failure(String yaml, String... overrides) {
        try {
            RunConfig config = ConfigLoader.parse(yaml, List.of(overrides));
            throw new AssertionError("expected an InvalidConfigException, got " + config);
        } catch (InvalidConfigException e) {
            return e;
        }
    }
}
