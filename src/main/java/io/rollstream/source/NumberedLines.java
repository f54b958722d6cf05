package io.rollstream.source;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.impl.StreamFormatAdapter;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;

/**
 * The lines of {@link BoundedLineFormat} (UTF-8; invalid bytes become U+FFFD; over-long lines cut;
 * compressed files by extension), with each line tagged by its file and 1-based line number, so a
 * refused record can be traced back. {@code FileSource.forRecordStreamFormat} does the same adaptation internally but
 * hides the file; here the split (which knows its path) is at hand.
 *
 * <p>Line numbers come from the checkpointed position: text lines are not splittable and their
 * reader reports no byte offsets, so the position of the k-th line is "skip k records from the start
 * of the file" — exact after a restore too.
 */
final class NumberedLines implements BulkFormat<SourceLine, FileSourceSplit> {

    private final StreamFormatAdapter<BoundedLineFormat.Line> lines =
            new StreamFormatAdapter<>(new BoundedLineFormat());

    @Override
    public BulkFormat.Reader<SourceLine> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return new Numbered(lines.createReader(config, split), split);
    }

    @Override
    public BulkFormat.Reader<SourceLine> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        return new Numbered(lines.restoreReader(config, split), split);
    }

    @Override
    public boolean isSplittable() {
        return lines.isSplittable();
    }

    @Override
    public TypeInformation<SourceLine> getProducedType() {
        return TypeInformation.of(SourceLine.class);
    }

    private record Numbered(BulkFormat.Reader<BoundedLineFormat.Line> reader, String file)
            implements BulkFormat.Reader<SourceLine> {

        Numbered(BulkFormat.Reader<BoundedLineFormat.Line> reader, FileSourceSplit split) {
            this(reader, split.path().toString());
        }

        @Override
        public RecordIterator<SourceLine> readBatch() throws IOException {
            RecordIterator<BoundedLineFormat.Line> batch = reader.readBatch();
            return batch == null
                    ? null
                    : new RecordIterator<>() {
                        @Override
                        public RecordAndPosition<SourceLine> next() {
                            RecordAndPosition<BoundedLineFormat.Line> r = batch.next();
                            return r == null
                                    ? null
                                    : new RecordAndPosition<>(
                                            new SourceLine(
                                                    file,
                                                    r.getRecordSkipCount(),
                                                    r.getRecord().text(),
                                                    r.getRecord().bytes()),
                                            r.getOffset(),
                                            r.getRecordSkipCount());
                        }

                        @Override
                        public void releaseBatch() {
                            batch.releaseBatch();
                        }
                    };
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }
}
