package io.rollstream.job;

import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.io.network.netty.InboundChannelHandlerFactory;
import org.apache.flink.shaded.netty4.io.netty.channel.ChannelHandler;

/**
 * Puts {@link LocalRestGuard} into the pipeline of a REST server whose configuration sets
 * {@link #ENABLED} (a local run's, {@link LocalClusterSettings}). Flink finds this factory with
 * Java's service loader ({@code META-INF/services}); a server without the option is left as it is.
 */
public final class LocalRestGuardFactory implements InboundChannelHandlerFactory {

    /** Answer loopback host names only, and refuse job submission and jar upload. */
    static final ConfigOption<Boolean> ENABLED =
            ConfigOptions.key("rollstream.rest.local-guard").booleanType().defaultValue(false);

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Optional<ChannelHandler> createHandler(Configuration configuration, Map<String, String> responseHeaders) {
        return configuration.get(ENABLED) ? Optional.of(new LocalRestGuard(responseHeaders)) : Optional.empty();
    }
}
