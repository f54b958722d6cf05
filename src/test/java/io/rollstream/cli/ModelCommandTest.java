package io.rollstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.common.Json;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.Models;
import io.rollstream.tokenizer.TokenizerSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code rollstream model logprobs|generate|init} on the fixtures and on models they write. */
@Tag("djl")
class ModelCommandTest {

    private static final Path FIXTURES = Path.of("src/test/resources/hf-models");
    private static final Path WORDS = Path.of("src/test/resources/tokenizers/wordlevel-tokenizer.json");
    private static final Path BPE = Path.of("src/test/resources/hf-tokenizer");

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(out);
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new RollstreamCli())
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
        return new Run(code, out.toString().trim(), err.toString());
    }

    @Test
    void logprobsOfAFixtureAreTheReferenceOnes() throws Exception {
        JsonNode expected = Json.mapper()
                .readTree(FIXTURES.resolve("qwen2-bf16-sharded/expected.json").toFile())
                .path("sequences")
                .get(0);
        StringBuilder ids = new StringBuilder();
        expected.path("token_ids")
                .forEach(id -> ids.append(ids.length() == 0 ? "" : ",").append(id.asInt()));
        Run r = run(
                "model",
                "logprobs",
                "--model",
                FIXTURES.resolve("qwen2-bf16-sharded").toString(),
                "--ids",
                ids.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode line = r.json();
        assertThat(line.path("token_ids")).isEqualTo(expected.path("token_ids"));
        assertThat(line.path("logprobs").get(0).isNull()).isTrue();
        for (int i = 1; i < line.path("logprobs").size(); i++) {
            assertThat(line.path("logprobs").get(i).asDouble())
                    .isCloseTo(expected.path("logprobs").get(i).asDouble(), within(1e-3));
        }
    }

    @Test
    void initWritesAModelThatLoadsScoresAndGenerates() throws Exception {
        Path model = dir.resolve("qwen3");
        Run init = run(
                "model",
                "init",
                "--arch",
                "qwen3",
                "--layers",
                "2",
                "--hidden",
                "32",
                "--heads",
                "4",
                "--kv-heads",
                "2",
                "--head-dim",
                "12",
                "--tokenizer",
                BPE.toString(),
                "--dtype",
                "bf16",
                "--out",
                model.toString());
        assertThat(init.code()).as(init.err()).isZero();
        assertThat(model.resolve("tokenizer.json")).exists();
        assertThat(model.resolve("tokenizer_config.json")).exists();
        assertThat(HfModelDirectory.config(model).decoder().headDim()).isEqualTo(12);
        assertThat(HfModelDirectory.config(model).decoder().vocabSize()).isEqualTo(362);

        Run scored = run("model", "logprobs", "--model", model.toString(), "--text", "hello world");
        assertThat(scored.code()).as(scored.err()).isZero();
        assertThat(scored.json().path("token_ids").size()).isGreaterThan(1);
        assertThat(scored.json().path("logprobs").get(1).asDouble()).isNegative();

        Run generated = run(
                "model",
                "generate",
                "--model",
                model.toString(),
                "--prompt",
                "2+2=",
                "--max-new-tokens",
                "5",
                "--temperature",
                "0");
        assertThat(generated.code()).as(generated.err()).isZero();
        assertThat(generated.json().path("completion_ids").size()).isBetween(1, 5);
        assertThat(generated.json().path("finish_reason").asText()).isIn("stop", "length");
    }

    @Test
    void chatRendersTheTemplateWithItsGenerationPrompt() throws Exception {
        String model = FIXTURES.resolve("qwen3-headdim").toString();
        Run plain = run("model", "logprobs", "--model", model, "--text", "hi");
        Run chat = run("model", "logprobs", "--model", model, "--text", "hi", "--chat");
        assertThat(chat.code()).as(chat.err()).isZero();
        JsonNode ids = chat.json().path("token_ids");
        assertThat(ids.get(0).asInt()).isEqualTo(357); // <|im_start|>
        assertThat(ids.toString()).contains("358"); // the user turn's <|im_end|>
        assertThat(ids.size()).isGreaterThan(plain.json().path("token_ids").size() + 4);
        Run generated = run("model", "generate", "--model", model, "--prompt", "hi", "--chat", "--max-new-tokens", "3");
        assertThat(generated.code()).as(generated.err()).isZero();
        assertThat(generated.json().path("prompt_ids")).isEqualTo(ids);
    }

    @Test
    void aRollstreamCheckpointIsAModelToo() throws Exception {
        ModelConfig config = new ModelConfig(14, 1, 2, 16, 32, 24, null, ModelConfig.Architecture.LLAMA);
        Path file = dir.resolve("llama.rsckpt");
        try (LanguageModel m = Models.initialize(config, 3, Device.cpu())) {
            CheckpointFormat.save(
                    new Checkpoint(0, config, TokenizerSpec.huggingFace(WORDS.toString()), m.weights(), null, Map.of()),
                    file);
        }
        Run r = run("model", "logprobs", "--model", file.toString(), "--text", "the cat sat");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.json().path("logprobs").size()).isEqualTo(3);
    }

    /** {@code rollstream export}: a policy file becomes a model directory the model commands load; --out must be free. */
    @Test
    void exportWritesAHuggingFaceDirectoryAndRefusesAnOccupiedOne() throws Exception {
        ModelConfig config = new ModelConfig(14, 1, 2, 16, 32, 24, null, ModelConfig.Architecture.LLAMA);
        Path file = dir.resolve("llama.rsckpt");
        try (LanguageModel m = Models.initialize(config, 3, Device.cpu())) {
            CheckpointFormat.save(
                    new Checkpoint(0, config, TokenizerSpec.chars("abcdefghijk"), m.weights(), null, Map.of()), file);
        }
        Path out = dir.resolve("exported");
        StringWriter printed = new StringWriter();
        int code = RollstreamCli.commandLine()
                .setOut(new PrintWriter(printed))
                .execute("export", "--policy", file.toString(), "--out", out.toString());
        assertThat(code).isZero();
        assertThat(printed.toString()).startsWith("wrote " + out + ": LlamaForCausalLM");
        Run fromCheckpoint = run("model", "logprobs", "--model", file.toString(), "--text", "badge");
        Run fromExport = run("model", "logprobs", "--model", out.toString(), "--text", "badge");
        assertThat(fromExport.code()).as(fromExport.err()).isZero();
        assertThat(fromExport.json()).isEqualTo(fromCheckpoint.json());
        StringWriter err = new StringWriter();
        int again = RollstreamCli.commandLine()
                .setErr(new PrintWriter(err))
                .setOut(new PrintWriter(new StringWriter()))
                .execute("export", "--policy", file.toString(), "--out", out.toString());
        assertThat(again).isEqualTo(2);
        assertThat(err.toString()).contains("--out " + out + " is not empty").doesNotContain("\tat ");
    }

    @Test
    void badInputIsAnErrorNamingIt() throws Exception {
        String model = FIXTURES.resolve("llama-tied").toString();
        Run outside = run("model", "logprobs", "--model", model, "--ids", "1,384");
        assertThat(outside.code()).isEqualTo(2);
        assertThat(outside.err()).contains("token id 384 is outside the model's vocabulary [0, 384)");
        Run noTokenizer = run("model", "logprobs", "--model", model, "--text", "hi");
        assertThat(noTokenizer.err()).contains("has no tokenizer.json: pass --ids");
        Run notAModel = run("model", "logprobs", "--model", dir.toString(), "--ids", "1");
        assertThat(notAModel.code()).isEqualTo(2);
        assertThat(notAModel.err()).contains("neither a Hugging Face model directory");
        Run missing = run("model", "logprobs", "--model", dir.resolve("nowhere").toString(), "--ids", "1");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err())
                .contains(dir.resolve("nowhere") + " does not exist: give a Hugging Face model directory")
                .doesNotContain("--policy");
        Files.writeString(dir.resolve("x"), "occupied");
        Run occupied = run("model", "init", "--arch", "llama", "--vocab", "10", "--out", dir.toString());
        assertThat(occupied.err()).contains("is not an empty directory");
        Run noVocab = run(
                "model", "init", "--arch", "llama", "--out", dir.resolve("new").toString());
        assertThat(noVocab.err()).contains("give --vocab");
        Run badShape = run(
                "model",
                "init",
                "--arch",
                "llama",
                "--vocab",
                "10",
                "--heads",
                "3",
                "--kv-heads",
                "2",
                "--out",
                dir.resolve("new").toString());
        assertThat(badShape.err()).contains("multiple of num_key_value_heads");
    }
}
