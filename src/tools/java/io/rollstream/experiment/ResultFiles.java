package io.rollstream.experiment;

import io.rollstream.common.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** An experiment's results as files: its table as {@code table.md} and {@code table.json}, and PNG plots. */
final class ResultFiles {

    static final String TABLE_MD = "table.md";
    static final String TABLE_JSON = "table.json";

    private ResultFiles() {}

    /**
     * Writes {@code markdown}, {@code json} (pretty-printed) and each plot (file name → chart) into
     * {@code dir}, creating it.
     */
    static void write(Path dir, String markdown, Object json, Map<String, Chart<?, ?>> plots) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(TABLE_MD), markdown);
        Files.writeString(
                dir.resolve(TABLE_JSON),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        for (Map.Entry<String, Chart<?, ?>> plot : plots.entrySet()) {
            BitmapEncoder.saveBitmap(
                    plot.getValue(), dir.resolve(plot.getKey()).toString(), BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
