package io.rollstream.job;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.runtime.rest.FileUploadHandler;
import org.apache.flink.runtime.rest.handler.util.HandlerUtils;
import org.apache.flink.runtime.rest.messages.ErrorResponseBody;
import org.apache.flink.shaded.netty4.io.netty.channel.ChannelHandler;
import org.apache.flink.shaded.netty4.io.netty.channel.ChannelHandlerContext;
import org.apache.flink.shaded.netty4.io.netty.channel.ChannelInboundHandlerAdapter;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.HttpHeaderNames;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.HttpMethod;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.HttpRequest;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.QueryStringDecoder;
import org.apache.flink.shaded.netty4.io.netty.util.ReferenceCountUtil;

/**
 * The REST server of a local run answers this machine's tools only, and runs no one's code:
 * <ul>
 *   <li>a request addressed to a host name other than the loopback's ({@code Host: localhost},
 *       {@code 127.0.0.1}, {@code [::1]}) is refused: it comes from a web page that rebound its own
 *       domain name to 127.0.0.1 (DNS rebinding), the one way a page in a browser could otherwise
 *       read the API or stop the job;
 *   <li>a job submission ({@code POST /jobs}: a serialized job graph with its jars, as Flink's CLI
 *       sends it) and anything under {@code /jars} (upload, run, plan; {@code web.submit.enable:
 *       false} already leaves those unrouted) are refused.
 * </ul>
 * Every other request passes — the web UI's reads, {@code rollstream stop}'s
 * {@code POST /jobs/:id/stop}. It sits in the REST server's pipeline after the HTTP decoding
 * ({@link LocalRestGuardFactory}), and matches paths as Flink's router does: decoded, without the
 * slashes at either end, with or without the API version ({@code /v1/jobs}).
 */
@ChannelHandler.Sharable
final class LocalRestGuard extends ChannelInboundHandlerAdapter {

    /** Host names a request from this machine's tools and browsers carries. */
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");

    private final Map<String, String> responseHeaders;

    LocalRestGuard(Map<String, String> responseHeaders) {
        this.responseHeaders = responseHeaders;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String refusal = !isLoopbackHost(request.headers().get(HttpHeaderNames.HOST))
                ? "requests must address the local run as localhost or 127.0.0.1"
                : runsCode(request.method(), request.uri())
                        ? "job submission and jar upload are disabled on a local Rollstream run"
                        : null;
        if (refusal == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            FileUploadHandler.getMultipartFileUploads(ctx).close(); // what an upload wrote to disk
        } catch (IOException e) {
            // the upload directory is the run's own and is removed with it
        } finally {
            HandlerUtils.sendErrorResponse(
                    ctx, request, new ErrorResponseBody(refusal), HttpResponseStatus.FORBIDDEN, responseHeaders);
            ReferenceCountUtil.release(msg);
        }
    }

    /** Whether a {@code Host} header names the loopback (HTTP/1.0 clients may send none). */
    static boolean isLoopbackHost(String host) {
        if (host == null) {
            return true;
        }
        String name = host.trim().toLowerCase(Locale.ROOT);
        int port = name.lastIndexOf(':');
        if (port > name.lastIndexOf(']')) {
            name = name.substring(0, port);
        }
        return LOOPBACK_NAMES.contains(name);
    }

    /** Whether {@code method uri} submits a job or touches uploaded jars. */
    static boolean runsCode(HttpMethod method, String uri) {
        List<String> path = Arrays.stream(new QueryStringDecoder(uri).path().split("/"))
                .filter(segment -> !segment.isEmpty())
                .toList();
        if (!path.isEmpty() && path.get(0).matches("v\\d+")) {
            path = path.subList(1, path.size());
        }
        if (path.isEmpty()) {
            return false;
        }
        return path.get(0).equals("jars")
                || (path.get(0).equals("jobs") && path.size() == 1 && !HttpMethod.GET.equals(method));
    }
}
