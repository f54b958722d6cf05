package io.rollstream.job;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The sockets this JVM accepts connections or datagrams on, read from Linux's {@code /proc}: the
 * kernel's socket tables ({@code /proc/self/net/tcp}, {@code tcp6}, {@code udp}, {@code udp6}) list
 * every socket of the network namespace, so only those whose inode is one of this process's open
 * file descriptors ({@code /proc/self/fd/N -> socket:[INODE]}) are kept.
 */
final class ListeningSockets {

    /** {@code st} of a listening TCP socket in the kernel's table. */
    private static final String TCP_LISTEN = "0A";

    private ListeningSockets() {}

    static boolean available() {
        return Files.isReadable(Path.of("/proc/self/net/tcp")) && Files.isDirectory(Path.of("/proc/self/fd"));
    }

    /** Listening TCP sockets and bound UDP sockets of this process. */
    static List<InetSocketAddress> ofThisProcess() throws IOException {
        Set<String> inodes = socketInodes();
        List<InetSocketAddress> found = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6", "udp", "udp6")) {
            Path file = Path.of("/proc/self/net", table);
            if (!Files.isReadable(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                String[] f = line.trim().split("\\s+");
                boolean tcp = table.startsWith("tcp");
                if ((tcp && !f[3].equals(TCP_LISTEN)) || !inodes.contains(f[9])) {
                    continue;
                }
                found.add(address(f[1]));
            }
        }
        return found;
    }

    /** The inodes of this process's open sockets. */
    private static Set<String> socketInodes() throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // a descriptor closed while listing: not a socket that is still open
                }
            }
        }
        return inodes;
    }

    /**
     * {@code HEXADDR:HEXPORT} as the kernel prints it: the address as 32-bit words in host byte
     * order (little-endian on x86 and arm64), one word for IPv4 and four for IPv6; the port big-endian.
     */
    static InetSocketAddress address(String field) throws IOException {
        String[] parts = field.split(":");
        byte[] raw = HexFormat.of().parseHex(parts[0]);
        byte[] address = new byte[raw.length];
        for (int word = 0; word < raw.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                address[word + i] = raw[word + 3 - i];
            }
        }
        return new InetSocketAddress(InetAddress.getByAddress(address), Integer.parseInt(parts[1], 16));
    }
}
