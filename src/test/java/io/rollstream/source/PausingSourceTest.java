package io.rollstream.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.InputStatus;
import org.junit.jupiter.api.Test;

class PausingSourceTest {

    /** A reader with always one more record; counts the polls that reach it. */
    private static final class Counting implements SourceReader<Integer, SourceSplit> {
        final AtomicInteger polls = new AtomicInteger();

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<Integer> output) {
            polls.incrementAndGet();
            return InputStatus.MORE_AVAILABLE;
        }

        @Override
        public List<SourceSplit> snapshotState(long checkpointId) {
            return List.of();
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void addSplits(List<SourceSplit> splits) {}

        @Override
        public void notifyNoMoreSplits() {}

        @Override
        public void close() {}
    }

    @Test
    void aPausedReaderEmitsNothingAndAsksToBeWokenSoonThenResumes() throws Exception {
        AtomicBoolean stopping = new AtomicBoolean(true);
        Counting delegate = new Counting();
        PausingSource.Reader<Integer, SourceSplit> reader = new PausingSource.Reader<>(delegate, stopping::get);

        assertThat(reader.pollNext(null)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
        CompletableFuture<Void> wake = reader.isAvailable();
        assertThat(wake).isNotDone();
        wake.get(2, TimeUnit.SECONDS); // completes after the check interval, so the task looks again
        assertThat(delegate.polls).hasValue(0);

        stopping.set(false); // the stop was withdrawn (or failed)
        Thread.sleep(PausingSource.CHECK_MILLIS + 20);
        assertThat(reader.pollNext(null)).isEqualTo(InputStatus.MORE_AVAILABLE);
        assertThat(reader.isAvailable()).isDone();
        assertThat(delegate.polls).hasValue(1);
    }
}
