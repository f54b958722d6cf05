package io.rollstream.cli;

import ai.djl.Device;
import io.rollstream.common.Json;
import io.rollstream.eval.OpenedModel;
import io.rollstream.model.TokenLogprobs;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.tokenizer.PromptFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rollstream model logprobs}: one JSON line {@code {"token_ids": [...], "logprobs": [null, lp1,
 * ...]}} where {@code logprobs[i]} is log p(token_ids[i] | token_ids[:i]) under the model — the
 * format of the test fixtures' expected.json, so a model can be compared with another implementation.
 */
@Command(
        name = "logprobs",
        mixinStandardHelpOptions = true,
        description = "Prints {\"token_ids\": [...], \"logprobs\": [null, lp1, ...]}: logprobs[i] = log p(ids[i] |"
                + " ids[:i]).")
final class ModelLogprobsCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            description = "Hugging Face directory, .rsckpt, policy version folder or run directory")
    Path model;

    @CommandLine.ArgGroup(multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--text", description = "text to score, tokenized without special tokens")
        String text;

        @Option(names = "--ids", split = ",", description = "token ids to score, e.g. 1,2,3 (skips the tokenizer)")
        int[] ids;
    }

    @Option(
            names = "--chat",
            description = "render --text as a user turn with the model's chat template and its"
                    + " generation prompt (as data.prompt_format: chat); without it --text is tokenized with no special"
                    + " tokens added")
    boolean chat;

    @Override
    public Integer call() throws Exception {
        if (chat && input.text == null) {
            return fail("--chat renders --text: give --text");
        }
        try (OpenedModel opened = OpenedModel.open(model, Device.cpu())) {
            opened.notes().forEach(n -> spec.commandLine().getErr().println("note: " + n));
            int[] ids = input.ids != null ? input.ids : encode(opened);
            if (ids == null) {
                return 2;
            }
            int vocab = opened.model().spec().vocabSize();
            for (int id : ids) {
                if (id < 0 || id >= vocab) {
                    return fail("token id " + id + " is outside the model's vocabulary [0, " + vocab + ")");
                }
            }
            if (ids.length < 1 || ids.length > opened.model().spec().contextLength()) {
                return fail(ids.length + " tokens: give between 1 and the model's context length ("
                        + opened.model().spec().contextLength() + ")");
            }
            List<Double> logprobs = new ArrayList<>();
            logprobs.add(null);
            if (ids.length > 1) {
                float[] scored = TokenLogprobs.score(
                        opened.model(),
                        List.of(new int[] {ids[0]}),
                        List.of(Arrays.copyOfRange(ids, 1, ids.length)),
                        0,
                        1.0)[0];
                for (float lp : scored) {
                    logprobs.add((double) lp);
                }
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("token_ids", ids);
            line.put("logprobs", logprobs);
            spec.commandLine().getOut().println(Json.mapper().writeValueAsString(line));
            spec.commandLine().getOut().flush();
            return 0;
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        }
    }

    private int[] encode(OpenedModel opened) throws Exception {
        if (opened.tokenizer() == null) {
            fail(model + " has no tokenizer.json: pass --ids instead of --text");
            return null;
        }
        try (OpenTokenizer tokenizer = new OpenTokenizer(opened.tokenizer())) {
            return chat
                    ? new PromptCodec(tokenizer.get(), PromptFormat.chat(null)).prompt(input.text)
                    : tokenizer.get().encode(input.text);
        }
    }

    private int fail(String message) {
        spec.commandLine().getErr().println("model logprobs: " + message);
        return 2;
    }
}
