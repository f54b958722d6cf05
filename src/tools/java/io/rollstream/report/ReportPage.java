package io.rollstream.report;

import static org.apache.commons.text.StringEscapeUtils.escapeHtml4;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The report as one HTML page that needs nothing else to display: each plot is embedded as a PNG
 * data URI and links to its file under {@code plots/}; no scripts, no external style sheets. Every
 * text from the run (config, prompts, completions) is HTML-escaped.
 */
final class ReportPage {

    /** A plot on the page: its file (relative to the page), title and PNG bytes. */
    record Plot(String href, String title, byte[] png) {}

    /**
     * Plots two abreast where each gets at least 600 px (a 1,280 px window), one a row where not, and
     * never wider than drawn (800 px): a plot is never shrunk below three quarters of its size.
     */
    private static final String STYLE = "body{font-family:sans-serif;max-width:1700px;margin:2em auto;padding:0 1em}"
            + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;"
            + "vertical-align:top}pre{background:#f6f6f6;padding:1em;overflow:auto;max-height:30em}"
            + ".plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(600px,1fr));gap:8px}"
            + ".plots img{width:100%;max-width:800px;border:1px solid #eee}"
            + "code,pre{font-family:monospace,monospace;font-size:0.95em}";

    private ReportPage() {}

    static String render(
            String title,
            Map<String, String> summary,
            List<Plot> plots,
            Map<String, List<JsonNode>> samples,
            String configYaml) {
        StringBuilder table = new StringBuilder("<table>\n");
        summary.forEach((k, v) -> table.append("<tr><th>")
                .append(escapeHtml4(k))
                .append("</th><td>")
                .append(escapeHtml4(v))
                .append("</td></tr>\n"));
        table.append("</table>\n");
        StringBuilder h = new StringBuilder();
        h.append("<h2 id=\"rollouts\">Rollouts</h2>\n");
        if (samples.values().stream().allMatch(List::isEmpty)) {
            h.append("<p>rollouts.jsonl holds no groups yet (or output.rollouts_log is none).</p>\n");
        }
        samples.forEach((kind, groups) -> {
            if (!groups.isEmpty()) {
                h.append("<h3>").append(escapeHtml4(kind)).append("</h3>\n");
                groups.forEach(g -> group(h, g));
            }
        });
        h.append("<h2 id=\"config\">Resolved config</h2>\n<pre>")
                .append(configYaml == null ? "(config.yaml is missing)" : escapeHtml4(configYaml))
                .append("</pre>\n");
        return page(title, table.toString(), plots, h.toString());
    }

    /** A page: its title, the summary (HTML), the plots (embedded, each linking its PNG), then {@code rest} (HTML). */
    static String page(String title, String summary, List<Plot> plots, String rest) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(escapeHtml4(title))
                .append("</title><style>")
                .append(STYLE)
                .append("</style></head><body>\n");
        h.append("<h1>")
                .append(escapeHtml4(title))
                .append("</h1>\n<h2 id=\"summary\">Summary</h2>\n")
                .append(summary);
        h.append("<h2 id=\"plots\">Plots</h2>\n<div class=\"plots\">\n");
        for (Plot p : plots) {
            h.append("<a href=\"")
                    .append(escapeHtml4(p.href()))
                    .append("\"><img alt=\"")
                    .append(escapeHtml4(p.title()))
                    .append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(p.png()))
                    .append("\"></a>\n");
        }
        h.append("</div>\n").append(rest);
        return h.append("</body></html>\n").toString();
    }

    private static void group(StringBuilder h, JsonNode g) {
        String outcome = g.has("trained_step")
                ? "trained at step " + (g.path("trained_step").asLong() + 1)
                : "dropped: " + g.path("dropped").asText();
        h.append("<table><tr><th colspan=\"3\">")
                .append(escapeHtml4(g.path("prompt").asText()));
        if (g.hasNonNull("answer")) { // runs before rollouts.jsonl carried the answer show none
            h.append(" &mdash; answer: <code>")
                    .append(escapeHtml4(g.path("answer").asText()))
                    .append("</code>");
        }
        h.append(" &mdash; policy version ")
                .append(g.path("policy_version").asLong())
                .append(String.format(", mean reward %.2f, ", RolloutSamples.meanReward(g)))
                .append(escapeHtml4(outcome))
                .append("</th></tr>\n<tr><th>completion</th><th>reward</th><th>advantage</th></tr>\n");
        for (RolloutSamples.Row row : RolloutSamples.rows(g)) {
            h.append("<tr><td><code>")
                    .append(escapeHtml4(row.completion()))
                    .append("</code>")
                    .append(row.count() > 1 ? " &times; " + row.count() : "")
                    .append("</td><td>")
                    .append(escapeHtml4(row.reward()))
                    .append("</td><td>")
                    .append(String.format("%.3f", row.advantage()))
                    .append("</td></tr>\n");
        }
        h.append("</table><br>\n");
    }
}
