package io.rollstream.testing;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.runtime.externalresource.ExternalResourceInfoProvider;

/** GPUs as Flink's GPU driver declares them to operators (external resource {@code gpu}), for tests. */
public final class DeclaredGpus {

    private DeclaredGpus() {}

    /** One declared GPU: its index as the driver's {@code index} property (as text, as the driver gives it). */
    public static ExternalResourceInfo gpu(String index) {
        return new ExternalResourceInfo() {
            @Override
            public Optional<String> getProperty(String key) {
                return Optional.ofNullable(Map.of("index", index).get(key));
            }

            @Override
            public Collection<String> getKeys() {
                return List.of("index");
            }
        };
    }

    /** A task manager that declares the GPUs {@code indexes} under the resource name {@code gpu}. */
    public static ExternalResourceInfoProvider taskManager(int... indexes) {
        Set<ExternalResourceInfo> infos =
                Arrays.stream(indexes).mapToObj(i -> gpu(Integer.toString(i))).collect(Collectors.toSet());
        return name -> "gpu".equals(name) ? infos : Set.of();
    }
}
