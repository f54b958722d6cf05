package io.rollstream.job;

import java.nio.file.Path;
import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;

/**
 * What the mini-cluster of a local run may do on this machine: listen on loopback only and run no
 * code but the run's own (secure by default: another local user, or a web page in a browser, must
 * not be able to reach it from elsewhere or make it run theirs), and keep its temporary files in the
 * run directory.
 */
final class LocalClusterSettings {

    /** The loopback address every listener binds (also where clients connect). */
    static final String LOOPBACK = "127.0.0.1";

    private LocalClusterSettings() {}

    /**
     * Binds every listener to loopback — the REST endpoint and web UI on {@code restPort}, the BLOB
     * server, RPC and data exchange (the Prometheus reporter binds loopback itself) — and turns off
     * everything that takes code: jar upload and run through the web UI ({@code web.submit.enable}),
     * job-graph submission ({@link LocalRestGuard}). The REST API answers no other origin's page:
     * only the web UI's own origin may read its answers, and requests addressed to another host
     * name (DNS rebinding) are refused.
     */
    static void loopbackOnly(Configuration conf, int restPort) {
        conf.set(RestOptions.ADDRESS, LOOPBACK);
        conf.set(RestOptions.BIND_ADDRESS, LOOPBACK);
        conf.set(RestOptions.PORT, restPort);
        conf.set(RestOptions.BIND_PORT, Integer.toString(restPort));
        conf.set(WebOptions.SUBMIT_ENABLE, false);
        conf.set(WebOptions.ACCESS_CONTROL_ALLOW_ORIGIN, "http://localhost:" + restPort);
        conf.set(LocalRestGuardFactory.ENABLED, true);
        conf.set(JobManagerOptions.ADDRESS, LOOPBACK);
        conf.set(JobManagerOptions.BIND_HOST, LOOPBACK); // also the BLOB server's
        conf.set(TaskManagerOptions.HOST, LOOPBACK);
        conf.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
    }

    /**
     * Flink's temporary files — the web UI's files and uploads, spill and I/O files, the BLOB
     * store — under {@code tmp} (the run's {@link RunPaths#tmp()}), not in the machine's shared
     * temporary folder where they would outlive the run.
     */
    static void temporaryFilesUnder(Configuration conf, Path tmp) {
        conf.set(WebOptions.TMP_DIR, tmp.resolve("web").toString());
        conf.set(WebOptions.UPLOAD_DIR, tmp.resolve("web-upload").toString());
        conf.set(CoreOptions.TMP_DIRS, tmp.resolve("io").toString());
        conf.set(BlobServerOptions.STORAGE_DIRECTORY, tmp.resolve("blob").toString());
    }
}
