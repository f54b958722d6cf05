package io.rollstream.cli;

import ai.djl.Device;
import io.rollstream.common.Json;
import io.rollstream.eval.OpenedModel;
import io.rollstream.sampling.Completion;
import io.rollstream.sampling.GenerationRequest;
import io.rollstream.sampling.SamplingConfig;
import io.rollstream.sampling.SamplingEngine;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.tokenizer.PromptFormat;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rollstream model generate}: one completion of a prompt by the sampling engine the
 * generators use, with the prompt encoded as runs encode prompts ({@code --chat}: as {@code
 * data.prompt_format: chat}), stopping at any of the model's stop ids, as one JSON line.
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = "Prints one JSON line: the prompt's ids, the completion's ids, text and log-probs, and why it"
                + " stopped.")
final class ModelGenerateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            description = "Hugging Face directory, .rsckpt, policy version folder or run directory")
    Path model;

    @Option(names = "--prompt", required = true, description = "the prompt text")
    String prompt;

    @Option(
            names = "--max-new-tokens",
            defaultValue = "64",
            description = "most tokens generated (default ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(
            names = "--temperature",
            defaultValue = "1.0",
            description = "sampling temperature; 0 decodes greedily (default ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--seed", defaultValue = "0", description = "sampling seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--chat",
            description = "render the prompt as a user turn with the model's chat template (as"
                    + " data.prompt_format: chat does); otherwise it is encoded as data.prompt_format: raw does")
    boolean chat;

    @Option(names = "--system", description = "with --chat: a system turn before the prompt")
    String system;

    @Override
    public Integer call() throws Exception {
        if (maxNewTokens < 1 || temperature < 0) {
            return fail("--max-new-tokens must be >= 1 and --temperature >= 0");
        }
        try (OpenedModel opened = OpenedModel.open(model, Device.cpu())) {
            opened.notes().forEach(n -> spec.commandLine().getErr().println("note: " + n));
            if (opened.tokenizer() == null) {
                return fail(model + " has no tokenizer.json to encode the prompt with");
            }
            try (OpenTokenizer tokenizer = new OpenTokenizer(opened.tokenizer())) {
                PromptCodec codec =
                        new PromptCodec(tokenizer.get(), chat ? PromptFormat.chat(system) : PromptFormat.RAW);
                int[] ids = codec.prompt(prompt);
                SamplingConfig params = temperature == 0
                        ? SamplingConfig.greedy(maxNewTokens)
                        : new SamplingConfig(temperature, 1.0, 0, maxNewTokens, false);
                SamplingEngine engine = new SamplingEngine(
                        tokenizer.get().stopIds(), tokenizer.get().padId(), true);
                Completion c = engine.generate(opened.model(), List.of(new GenerationRequest(ids, seed)), params)
                        .get(0);
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("prompt_ids", ids);
                line.put("completion_ids", c.tokens());
                line.put("text", codec.completionText(c.tokens()));
                line.put("logprobs", c.logprobs());
                line.put("finish_reason", c.finishReason().key());
                spec.commandLine().getOut().println(Json.mapper().writeValueAsString(line));
                spec.commandLine().getOut().flush();
                return 0;
            }
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        }
    }

    private int fail(String message) {
        spec.commandLine().getErr().println("model generate: " + message);
        return 2;
    }
}
