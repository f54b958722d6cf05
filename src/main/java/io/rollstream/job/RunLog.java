package io.rollstream.job;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.OutputStreamAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * {@code run.log}: everything a run prints — its progress on stdout and the warnings and stack
 * traces of stderr (Flink's restarts among them) — also goes to the run directory, appended
 * across resumes, so the console scrollback is never the only trace of what happened. While open,
 * it replaces {@code System.out} and {@code System.err} with streams that write to both the
 * console and the file, and restores them when closed. Log events go to the file through an appender
 * of their own ({@link LogEvents}): every library warning is kept there while the console shows only
 * their errors (see log4j2.properties).
 */
final class RunLog implements AutoCloseable {

    private final SharedFile file;
    private final PrintStream originalOut;
    private final PrintStream originalErr;
    private final PrintStream out;
    private final LogEvents logEvents;

    private RunLog(OutputStream file, PrintStream console) {
        this.file = new SharedFile(file);
        this.logEvents = LogEvents.into(this.file); // before System.err is replaced: log4j starts with the real one
        this.originalOut = System.out;
        this.originalErr = System.err;
        this.out = new PrintStream(new Tee(console, this.file), true, StandardCharsets.UTF_8);
        System.setOut(
                console == originalOut
                        ? out
                        : new PrintStream(new Tee(originalOut, this.file), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(originalErr, this.file), true, StandardCharsets.UTF_8));
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
        logEvents.close();
        out.flush();
        System.out.flush();
        System.err.flush();
        System.setOut(originalOut);
        System.setErr(originalErr);
        file.closeFile();
    }

    /** Writes to the console and the run's file. */
    private static final class Tee extends OutputStream {
        private final OutputStream console;
        private final SharedFile file;

        Tee(OutputStream console, SharedFile file) {
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
            file.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            console.flush();
            file.flush();
        }
    }

    /**
     * The log events of every logger, at its configured level, appended to the run's file while the
     * run goes on: added to the root logger and to each logger that does not pass its events on to
     * it. Nothing when log4j-core is not the logging backend.
     */
    private static final class LogEvents implements AutoCloseable {
        private final String name;
        private final LoggerContext context;
        private final Appender appender;

        private LogEvents(LoggerContext context, Appender appender) {
            this.name = appender == null ? null : appender.getName();
            this.context = context;
            this.appender = appender;
        }

        static LogEvents into(SharedFile file) {
            if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
                return new LogEvents(null, null);
            }
            Appender appender = OutputStreamAppender.newBuilder()
                    .setName("run.log@" + Integer.toHexString(System.identityHashCode(file)))
                    .setTarget(file)
                    .setLayout(PatternLayout.newBuilder()
                            .withPattern("%d{HH:mm:ss} %-5p %c{1} - %m%n")
                            .build())
                    .build();
            appender.start();
            Configuration config = context.getConfiguration();
            config.addAppender(appender);
            for (LoggerConfig logger : receivers(config)) {
                logger.addAppender(appender, null, null);
            }
            context.updateLoggers();
            return new LogEvents(context, appender);
        }

        private static List<LoggerConfig> receivers(Configuration config) {
            List<LoggerConfig> loggers = new ArrayList<>();
            loggers.add(config.getRootLogger());
            config.getLoggers().values().stream()
                    .filter(l -> !l.isAdditive() && l != config.getRootLogger())
                    .forEach(loggers::add);
            return loggers;
        }

        @Override
        public void close() {
            if (context == null) {
                return;
            }
            Configuration config = context.getConfiguration();
            for (LoggerConfig logger : receivers(config)) {
                logger.removeAppender(name);
            }
            context.updateLoggers();
            appender.stop();
        }
    }

    /**
     * The run's file as every writer shares it (the console copies and the log appender): one write at
     * a time, and a file that cannot be written (closed as the run ended, or the disk is full) never
     * stops a writer — the console goes on. Closing it is RunLog's alone.
     */
    private static final class SharedFile extends OutputStream {
        private final OutputStream file;
        private boolean failed;

        SharedFile(OutputStream file) {
            this.file = file;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (!failed) {
                try {
                    file.write(b, off, len);
                } catch (IOException e) {
                    failed = true;
                }
            }
        }

        @Override
        public synchronized void flush() {
            if (!failed) {
                try {
                    file.flush();
                } catch (IOException e) {
                    failed = true;
                }
            }
        }

        @Override
        public void close() {
            // the writers come and go; RunLog closes the file
        }

        synchronized void closeFile() throws IOException {
            failed = true;
            file.close();
        }
    }
}
