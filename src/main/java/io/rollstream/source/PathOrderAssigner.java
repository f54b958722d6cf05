package io.rollstream.source;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.PriorityQueue;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.assigners.FileSplitAssigner;

/**
 * Hands out file splits in path order (then by offset), ignoring locality. Flink's default
 * assigners hand them out in no stated order (the simple one is last-in-first-out), so reading a
 * directory twice could give two orders; with this one and a single reader, the files of a directory
 * are read by ascending path in every epoch. Splits returned after a failure go back in their place;
 * files found later by a watching source are read after those already handed out.
 */
final class PathOrderAssigner implements FileSplitAssigner {

    static final Comparator<FileSourceSplit> ORDER = Comparator.comparing(
                    (FileSourceSplit s) -> s.path().toString())
            .thenComparingLong(FileSourceSplit::offset)
            .thenComparing(FileSourceSplit::splitId);

    private final PriorityQueue<FileSourceSplit> splits = new PriorityQueue<>(ORDER);

    PathOrderAssigner(Collection<FileSourceSplit> initial) {
        splits.addAll(initial);
    }

    @Override
    public Optional<FileSourceSplit> getNext(String hostname) {
        return Optional.ofNullable(splits.poll());
    }

    @Override
    public void addSplits(Collection<FileSourceSplit> more) {
        splits.addAll(more);
    }

    @Override
    public Collection<FileSourceSplit> remainingSplits() {
        return splits.stream().sorted(ORDER).toList();
    }

    /** The provider to give {@code FileSource.FileSourceBuilder#setSplitAssigner}. */
    static Provider provider() {
        return PathOrderAssigner::new;
    }

    @Override
    public String toString() {
        return "PathOrderAssigner" + remainingSplits();
    }
}
