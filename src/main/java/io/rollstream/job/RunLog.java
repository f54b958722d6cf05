package io.rollstream.job;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code run.log}: everything a run prints — its progress on stdout and the warnings and stack
 * traces of stderr (Flink's restarts among them) — also goes to the run directory, appended
 * across resumes, so the console scrollback is never the only trace of what happened. While open,
 * it replaces {@code System.out} and {@code System.err} with streams that write to both the
 * console and the file (the log4j console appender follows {@code System.err}), and restores them
 * when closed.
 */
final class RunLog implements AutoCloseable {

    private final OutputStream file;
    private final PrintStream originalOut;
    private final PrintStream originalErr;
    private final PrintStream out;

    private RunLog(OutputStream file, PrintStream console) {
        this.file = file;
        this.originalOut = System.out;
        this.originalErr = System.err;
        this.out = new PrintStream(new Tee(console, file), true, StandardCharsets.UTF_8);
        System.setOut(console == originalOut ? out : new PrintStream(new Tee(originalOut, file), true,
                StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(originalErr, file), true, StandardCharsets.UTF_8));
    }

    /** Starts copying {@code console} (the run's progress stream), stdout and stderr into {@code file}. */
    static RunLog open(Path file, PrintStream console) throws IOException {
        return new RunLog(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND), console);
    }

    /** {@code console} and the file. */
    PrintStream out() {
        return out;
    }

    @Override
    public void close() throws IOException {
        out.flush();
        System.out.flush();
        System.err.flush();
        System.setOut(originalOut);
        System.setErr(originalErr);
        synchronized (file) {
            file.close();
        }
    }

    /** Writes to the console and the file; a file that cannot be written (disk full) never stops the console. */
    private static final class Tee extends OutputStream {
        private final OutputStream console;
        private final OutputStream file;
        private boolean fileFailed;

        Tee(OutputStream console, OutputStream file) {
            this.console = console;
            this.file = file;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            console.write(b, off, len);
            synchronized (file) {
                if (!fileFailed) {
                    try {
                        file.write(b, off, len);
                    } catch (IOException e) {
                        fileFailed = true; // closed (the run ended) or the disk is full: the console goes on
                    }
                }
            }
        }

        @Override
        public void flush() throws IOException {
            console.flush();
            synchronized (file) {
                if (!fileFailed) {
                    try {
                        file.flush();
                    } catch (IOException e) {
                        fileFailed = true;
                    }
                }
            }
        }
    }
}
