package io.rollstream.source;

import java.io.IOException;
import java.io.Serializable;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A source that emits nothing while a signal says so, and otherwise is its delegate (splits,
 * enumerator, state and serializers are the delegate's, so checkpoints of either read the same).
 *
 * <p>Used for the stop of a run: the rollout stage parks the problems it cannot admit while a stop
 * with a savepoint is under way, so that the savepoint barrier is not held up by them. Without a
 * pause the source would go on producing at full speed until the barrier reaches it, and all of
 * that would be parked too. A paused reader answers "nothing available" and leaves its task's
 * mailbox free, so the barrier is injected at once.
 */
public final class PausingSource<T, SplitT extends SourceSplit, EnumChkT> implements Source<T, SplitT, EnumChkT> {

    private static final long serialVersionUID = 1L;
    /** How often a reader looks at the signal (and retries while paused). */
    static final long CHECK_MILLIS = 100;

    /** Whether the source should pause now; evaluated on the reader's task thread. */
    @FunctionalInterface
    public interface PauseSignal extends Serializable {
        /** Never pauses. */
        PauseSignal NEVER = () -> false;

        boolean paused() throws IOException;
    }

    private final Source<T, SplitT, EnumChkT> delegate;
    private final PauseSignal signal;

    public PausingSource(Source<T, SplitT, EnumChkT> delegate, PauseSignal signal) {
        this.delegate = delegate;
        this.signal = signal;
    }

    @Override
    public Boundedness getBoundedness() {
        return delegate.getBoundedness();
    }

    @Override
    public SourceReader<T, SplitT> createReader(SourceReaderContext context) throws Exception {
        return new Reader<>(delegate.createReader(context), signal);
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> createEnumerator(SplitEnumeratorContext<SplitT> context) throws Exception {
        return delegate.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> restoreEnumerator(
            SplitEnumeratorContext<SplitT> context, EnumChkT checkpoint) throws Exception {
        return delegate.restoreEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<SplitT> getSplitSerializer() {
        return delegate.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<EnumChkT> getEnumeratorCheckpointSerializer() {
        return delegate.getEnumeratorCheckpointSerializer();
    }

    /** The delegate's reader, silent while the signal holds (checked at most every {@link #CHECK_MILLIS}). */
    static final class Reader<T, SplitT extends SourceSplit> implements SourceReader<T, SplitT> {

        private final SourceReader<T, SplitT> delegate;
        private final PauseSignal signal;
        private long checkedAtMillis;
        private boolean paused;

        Reader(SourceReader<T, SplitT> delegate, PauseSignal signal) {
            this.delegate = delegate;
            this.signal = signal;
        }

        private boolean paused() throws IOException {
            long now = System.currentTimeMillis();
            if (now - checkedAtMillis >= CHECK_MILLIS) {
                checkedAtMillis = now;
                paused = signal.paused();
            }
            return paused;
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            return paused() ? InputStatus.NOTHING_AVAILABLE : delegate.pollNext(output);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            try {
                if (paused()) {
                    return CompletableFuture.runAsync(
                            () -> {}, CompletableFuture.delayedExecutor(CHECK_MILLIS, TimeUnit.MILLISECONDS));
                }
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            return delegate.isAvailable();
        }

        @Override
        public void start() {
            delegate.start();
        }

        @Override
        public List<SplitT> snapshotState(long checkpointId) {
            return delegate.snapshotState(checkpointId);
        }

        @Override
        public void addSplits(List<SplitT> splits) {
            delegate.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            delegate.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            delegate.handleSourceEvents(event);
        }

        @Override
        public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
            delegate.pauseOrResumeSplits(toPause, toResume);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            delegate.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            delegate.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void close() throws Exception {
            delegate.close();
        }
    }
}
