package io.rollstream.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollstream.checkpoint.Adapter;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.checkpoint.Checkpoints;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.huggingface.HfWeights;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.DecoderModel;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.LoraConfig;
import io.rollstream.model.LoraLayout;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.Models;
import io.rollstream.model.TensorSource;
import io.rollstream.safetensors.SafetensorsDtype;
import io.rollstream.safetensors.SafetensorsFile;
import io.rollstream.tokenizer.CharTokenizer;
import io.rollstream.tokenizer.Tokenizer;
import io.rollstream.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export to Hugging Face layout: loading an export gives bit-identical log-probabilities (full
 * models, sharded weights, merged LoRA, a builtin llama with its char tokenizer), the original
 * config.json keys survive, the PEFT adapter has PEFT's names and config keys, and an export never
 * writes into a directory that holds something.
 */
@Tag("djl")
class HfExportTest {

    private static final Path FIXTURES = Path.of("src/test/resources/hf-models");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long[][] IDS = {{1, 17, 200, 33, 5, 90, 2, 300}, {1, 4, 4, 250, 120, 7, 9, 11}};

    @TempDir
    Path dir;

    private static float[] logprobs(LanguageModel model, long[][] ids) {
        try (NDManager m = model.newSubManager()) {
            return model.logits(m.create(ids)).logSoftmax(-1).toFloatArray();
        }
    }

    /** A copy of a fixture with the tiny byte-level tokenizer, so its tokenizer files travel too. */
    private Path fixture(String name) throws IOException {
        Path copy = Files.createDirectories(dir.resolve("src-" + name));
        try (Stream<Path> files = Files.list(FIXTURES.resolve(name))) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/hf-tokenizer"))) {
            for (Path f : files.toList()) {
                if (!Files.exists(copy.resolve(f.getFileName()))) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
        }
        return copy;
    }

    /** A policy of the fixture's weights, as a full-training run from that directory publishes it. */
    private static Checkpoint policyOf(Path model) throws IOException {
        DecoderConfig config = HfModelDirectory.config(model).decoder();
        try (DecoderModel m = HfModelDirectory.load(model, Device.cpu())) {
            return new Checkpoint(
                    7,
                    config,
                    HfModelDirectory.tokenizer(model),
                    m.weights(),
                    null,
                    Map.of("origin", "huggingface " + model));
        }
    }

    @Test
    void anExportLoadsBackWithBitIdenticalLogprobsAndTheOriginalConfig() throws Exception {
        for (String name : List.of("qwen2-bf16-sharded", "llama3-rope", "qwen3-headdim")) {
            Path model = fixture(name);
            Checkpoint policy = policyOf(model);
            Path out = dir.resolve("out-" + name);
            assertThat(HfExport.model(policy, out, HfExport.Settings.DEFAULTS))
                    .contains("1 weight file(s)")
                    .contains("config.json of " + model);
            try (LanguageModel trained = Checkpoints.model(policy, Device.cpu());
                    LanguageModel exported = HfModelDirectory.load(out, Device.cpu())) {
                assertThat(logprobs(exported, IDS)).as(name).containsExactly(logprobs(trained, IDS));
            }
            JsonNode original = JSON.readTree(model.resolve("config.json").toFile());
            JsonNode written = JSON.readTree(out.resolve("config.json").toFile());
            for (Iterator<String> keys = original.fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (!key.equals("torch_dtype")) {
                    assertThat(written.get(key))
                            .as(name + " config.json " + key)
                            .isEqualTo(original.get(key));
                }
            }
            assertThat(written.path("torch_dtype").asText()).isEqualTo("float32");
            assertThat(out.resolve("tokenizer.json")).hasSameBinaryContentAs(model.resolve("tokenizer.json"));
            assertThat(out.resolve("generation_config.json")).exists();
            try (LanguageModel trained = Checkpoints.model(policy, Device.cpu())) {
                assertThat(HfModelDirectory.tokenizer(out).path())
                        .isEqualTo(out.toAbsolutePath().normalize().toString());
                Tokenizer exported = Tokenizers.create(HfModelDirectory.tokenizer(out));
                Tokenizer source = Tokenizers.create(policy.tokenizer());
                assertThat(exported.encode("12+3=45")).containsExactly(source.encode("12+3=45"));
                assertThat(exported.stopIds()).isEqualTo(source.stopIds());
            }
        }
    }

    /** Above --max-shard-size the weights go into shards with transformers' index; they load back the same. */
    @Test
    void largeWeightsAreShardedWithAnIndex() throws Exception {
        Path model = fixture("llama-tied");
        Checkpoint policy = policyOf(model);
        Path out = dir.resolve("sharded");
        HfExport.model(policy, out, new HfExport.Settings(SafetensorsDtype.F32, 10_000));
        JsonNode index =
                JSON.readTree(out.resolve("model.safetensors.index.json").toFile());
        long total = policy.model().parameterCount() * Float.BYTES;
        assertThat(index.path("metadata").path("total_size").asLong()).isEqualTo(total);
        assertThat(index.path("weight_map").path("model.embed_tokens.weight").asText())
                .matches("model-00001-of-0000\\d\\.safetensors");
        assertThat(out.resolve("model.safetensors")).doesNotExist();
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("model-"))
                            .count())
                    .isGreaterThan(2);
        }
        try (LanguageModel trained = Checkpoints.model(policy, Device.cpu());
                LanguageModel exported = HfModelDirectory.load(out, Device.cpu())) {
            assertThat(logprobs(exported, IDS)).containsExactly(logprobs(trained, IDS));
        }
    }

    private static final LoraConfig LORA = new LoraConfig(2, 8, 0.0, List.of("q_proj", "v_proj", "down_proj"));

    /** Adapters with every B non-zero, on {@code base}. */
    private static Checkpoint adapters(Path base, Adapter.Base reference) {
        DecoderConfig config;
        try {
            config = HfModelDirectory.config(base).decoder();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, float[]> weights = LoraLayout.initialWeights(config, LORA, new SplittableRandom(4));
        SplittableRandom random = new SplittableRandom(5);
        weights.replaceAll((name, v) -> {
            if (name.contains("lora_B")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (random.nextGaussian() * 0.1);
                }
            }
            return v;
        });
        return new Checkpoint(
                3,
                config,
                HfModelDirectory.tokenizer(base),
                TensorSource.of(weights),
                null,
                Map.of(),
                new Adapter(LORA, reference));
    }

    /**
     * Merged LoRA: the export holds exactly the merged weights (loading it gives bit-identical
     * log-probabilities to a model of those weights), which agree with the adapters applied beside the
     * base; the PEFT adapter has PEFT's names, shapes, values and config keys.
     */
    @Test
    void loraExportsMergedAndAsAPeftAdapter() throws Exception {
        Path base = fixture("qwen2-bf16-sharded");
        Checkpoint policy = adapters(
                base, new Adapter.Base(Adapter.Base.HUGGINGFACE, base.toString(), HfModelDirectory.fingerprint(base)));
        Path merged = dir.resolve("merged");
        assertThat(HfExport.model(policy, merged, HfExport.Settings.DEFAULTS)).contains("LoRA merged");
        DecoderConfig config = (DecoderConfig) policy.model();
        Map<String, float[]> expected;
        try (HfWeights weights = HfWeights.open(base)) {
            expected = new MergedTensors(weights, policy.weights(), config, LORA).toMap();
        }
        float[] unmerged;
        try (LanguageModel adapted = Checkpoints.model(policy, Device.cpu())) {
            unmerged = logprobs(adapted, IDS);
        }
        try (LanguageModel inMemory = Models.create(config, expected, Device.cpu());
                LanguageModel exported = HfModelDirectory.load(merged, Device.cpu())) {
            float[] loaded = logprobs(exported, IDS);
            assertThat(loaded).containsExactly(logprobs(inMemory, IDS));
            for (int i = 0; i < loaded.length; i++) {
                assertThat(loaded[i]).as("merged vs beside the base, %d", i).isCloseTo(unmerged[i], within(1e-4f));
            }
        }
        assertThat(JSON.readTree(merged.resolve("config.json").toFile())
                        .path("architectures")
                        .get(0)
                        .asText())
                .isEqualTo("Qwen2ForCausalLM");

        Path peft = dir.resolve("peft");
        HfExport.adapter(policy, peft, HfExport.Settings.DEFAULTS);
        JsonNode c = JSON.readTree(peft.resolve("adapter_config.json").toFile());
        assertThat(c.path("peft_type").asText()).isEqualTo("LORA");
        assertThat(c.path("task_type").asText()).isEqualTo("CAUSAL_LM");
        assertThat(c.path("r").asInt()).isEqualTo(2);
        assertThat(c.path("lora_alpha").asDouble()).isEqualTo(8.0);
        assertThat(c.path("lora_dropout").asDouble()).isEqualTo(0.0);
        assertThat(c.path("base_model_name_or_path").asText()).isEqualTo(base.toString());
        assertThat(c.path("target_modules"))
                .extracting(JsonNode::asText)
                .containsExactly("q_proj", "v_proj", "down_proj");
        assertThat(c.path("bias").asText()).isEqualTo("none");
        assertThat(c.path("fan_in_fan_out").asBoolean()).isFalse();
        try (SafetensorsFile st = SafetensorsFile.open(peft.resolve("adapter_model.safetensors"))) {
            assertThat(st.tensors())
                    .hasSize(2 * 3 * 2)
                    .containsKeys(
                            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                            "base_model.model.model.layers.1.mlp.down_proj.lora_B.weight");
            assertThat(st.tensors()
                            .get("base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight")
                            .shape())
                    .containsExactly(2, 16);
            assertThat(st.tensors()
                            .get("base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight")
                            .shape())
                    .containsExactly(8, 2);
            assertThat(st.readFloats("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"))
                    .containsExactly(policy.weights().floats("model.layers.1.mlp.down_proj.lora_B.weight"));
        }
        assertThatThrownBy(() -> HfExport.adapter(policyOf(base), dir.resolve("peft-full"), HfExport.Settings.DEFAULTS))
                .hasMessageContaining("--adapter needs a policy of LoRA adapters");
    }

    /**
     * A builtin llama exports as LlamaForCausalLM with a tokenizer.json equivalent to its char
     * tokenizer: DJL's Hugging Face tokenizers give the very ids, and the model the very log-probs.
     */
    @Test
    void aBuiltinLlamaExportsWithItsCharTokenizer() throws Exception {
        String alphabet = "0123456789+= ";
        CharTokenizer chars = new CharTokenizer(alphabet);
        ModelConfig builtin =
                new ModelConfig(chars.vocabSize(), 2, 4, 32, 48, 24, null, ModelConfig.Architecture.LLAMA);
        Checkpoint policy;
        try (LanguageModel m = Models.initialize(builtin, 3, Device.cpu())) {
            policy = new Checkpoint(5, builtin, chars.spec(), m.weights(), null, Map.of());
        }
        Path out = dir.resolve("builtin");
        HfExport.model(policy, out, HfExport.Settings.DEFAULTS);
        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertThat(config.path("architectures").get(0).asText()).isEqualTo("LlamaForCausalLM");
        assertThat(config.path("tie_word_embeddings").asBoolean()).isTrue();
        assertThat(HfModelDirectory.config(out).decoder()).isEqualTo(builtin.toDecoderConfig());
        Tokenizer exported = Tokenizers.create(HfModelDirectory.tokenizer(out));
        for (String text : List.of("12+3=15", "0 9 8", "=", "99999+1=100000")) {
            assertThat(exported.encode(text)).as(text).containsExactly(chars.encode(text));
            assertThat(exported.decode(chars.encode(text))).isEqualTo(text);
        }
        assertThat(exported.bosId()).isEqualTo(CharTokenizer.BOS_ID);
        assertThat(exported.eosId()).isEqualTo(CharTokenizer.EOS_ID);
        assertThat(exported.padId()).isEqualTo(CharTokenizer.PAD_ID);
        assertThat(exported.vocabSize()).isEqualTo(chars.vocabSize());
        long[][] ids = {{1, 4, 5, 13, 6, 14, 7, 2}};
        try (LanguageModel trained = Checkpoints.model(policy, Device.cpu());
                LanguageModel loaded = HfModelDirectory.load(out, Device.cpu())) {
            assertThat(logprobs(loaded, ids)).containsExactly(logprobs(trained, ids));
        }
        // A builtin gpt has no Hugging Face architecture.
        ModelConfig gpt = new ModelConfig(chars.vocabSize(), 1, 2, 16, 32, 24, ModelConfig.Positions.LEARNED);
        try (LanguageModel m = Models.initialize(gpt, 3, Device.cpu())) {
            Checkpoint gptPolicy = new Checkpoint(1, gpt, chars.spec(), m.weights(), null, Map.of());
            assertThatThrownBy(() -> HfExport.model(gptPolicy, dir.resolve("gpt"), HfExport.Settings.DEFAULTS))
                    .hasMessageContaining("builtin gpt model, which has no Hugging Face architecture");
        }
    }

    @Test
    void anExportNeverWritesIntoADirectoryThatHoldsSomething() throws Exception {
        Path model = fixture("llama-tied");
        Checkpoint policy = policyOf(model);
        Path out = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> HfExport.model(policy, out, HfExport.Settings.DEFAULTS))
                .hasMessageContaining("--out " + out + " is not empty");
        assertThat(Files.readString(out.resolve("notes.txt"))).isEqualTo("mine");
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files).hasSize(1);
        }
        Path policyFile = dir.resolve("p.rsckpt");
        CheckpointFormat.save(policy, policyFile);
        assertThatThrownBy(
                        () -> HfExport.model(CheckpointFormat.load(policyFile), policyFile, HfExport.Settings.DEFAULTS))
                .hasMessageContaining("is a file");
    }
}
