package io.rollstream.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Picocli's help with lines broken between words only. Picocli wraps at every break a line-break
 * iterator allows, which includes the dot inside {@code final-model.rsckpt} or
 * {@code rollout.temperature}: a user copying a key or a file name from the help would get half of
 * it. Here the descriptions are broken at spaces before picocli lays them out, so every line fits
 * its column and picocli has nothing left to break (a single word longer than the column is the
 * one case it still cuts).
 */
final class WholeWordHelp extends Help {

    /** What {@link CommandLine#setHelpFactory} takes. */
    static final CommandLine.IHelpFactory FACTORY = WholeWordHelp::new;

    /** Continuation lines are indented as picocli indents its wrapped lines. */
    private static final String INDENT = "  ";

    private WholeWordHelp(CommandSpec spec, ColorScheme colorScheme) {
        super(spec, colorScheme);
    }

    @Override
    public Layout createDefaultLayout(
            List<OptionSpec> options, List<PositionalParamSpec> positionals, ColorScheme colorScheme) {
        Layout layout = super.createDefaultLayout(options, positionals, colorScheme);
        return new Layout(
                layout.colorScheme(), layout.textTable(), layout.optionRenderer(), layout.parameterRenderer()) {
            @Override
            public void layout(ArgSpec arg, Text[][] rows) {
                super.layout(arg, reflow(rows, textTable().columns(), colorScheme()));
            }
        };
    }

    @Override
    public String description(Object... params) {
        StringBuilder s = new StringBuilder();
        for (String line : commandSpec().usageMessage().description()) {
            for (String wrapped : wrap(
                    String.format(line, params),
                    commandSpec().usageMessage().width(),
                    commandSpec().usageMessage().width())) {
                s.append(wrapped).append(System.lineSeparator());
            }
        }
        return s.toString();
    }

    /** The rows of an option or a parameter, with each description broken at spaces into rows that fit. */
    private static Text[][] reflow(Text[][] rows, Help.Column[] columns, ColorScheme colorScheme) {
        int last = columns.length - 1;
        int width = columns[last].width - columns[last].indent - 1;
        List<Text[]> out = new ArrayList<>();
        for (Text[] row : rows) {
            String description = row[last] == null ? "" : row[last].plainString();
            if (description.length() <= width) {
                out.add(row);
                continue;
            }
            List<String> lines = wrap(description, width, width - INDENT.length());
            for (int i = 0; i < lines.size(); i++) {
                Text[] next = i == 0 ? row.clone() : blank(row.length, colorScheme);
                next[last] = colorScheme.text(i == 0 ? lines.get(i) : INDENT + lines.get(i));
                out.add(next);
            }
        }
        return out.toArray(new Text[0][]);
    }

    private static Text[] blank(int columns, ColorScheme colorScheme) {
        Text[] row = new Text[columns];
        Arrays.fill(row, colorScheme.text(""));
        return row;
    }

    /** {@code text} in lines of whole words: the first at most {@code first} wide, the others {@code rest}. */
    static List<String> wrap(String text, int first, int rest) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split(" +")) {
            int limit = lines.isEmpty() ? first : rest;
            if (line.length() > 0 && line.length() + 1 + word.length() > limit) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
