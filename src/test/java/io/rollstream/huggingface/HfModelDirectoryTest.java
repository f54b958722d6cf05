package io.rollstream.huggingface;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.rollstream.model.DecoderModel;
import io.rollstream.safetensors.SafetensorsDtype;
import io.rollstream.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model directory whose files do not fit its config is refused with the reason. */
@Tag("djl")
class HfModelDirectoryTest {

    @TempDir
    Path dir;

    private Path copy(String fixture) throws IOException {
        Path target = dir.resolve(fixture);
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(HfFixturesTest.FIXTURES.resolve(fixture))) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target;
    }

    /** Rewrites the single-file weights with {@code change} applied (as F32). */
    private static void rewrite(Path model, Consumer<Map<String, SafetensorsWriter.Tensor>> change) throws IOException {
        Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        try (DecoderModel m = HfModelDirectory.load(model, Device.cpu())) {
            m.weights()
                    .forEach((name, w) -> tensors.put(
                            name,
                            new SafetensorsWriter.Tensor(
                                    m.parameters().get(name).getShape().getShape(), w)));
        }
        change.accept(tensors);
        SafetensorsWriter.write(model.resolve(HfWeights.SINGLE_FILE), tensors, SafetensorsDtype.F32, Map.of());
    }

    @Test
    void aMissingTensorIsNamed() throws IOException {
        Path model = copy("llama-tied");
        rewrite(model, t -> t.remove("model.layers.1.mlp.up_proj.weight"));
        assertThatThrownBy(() -> HfModelDirectory.load(model, Device.cpu()).close())
                .hasMessageContaining("lacks tensors")
                .hasMessageContaining("model.layers.1.mlp.up_proj.weight");
    }

    @Test
    void anUnusedTensorIsAVariantNotImplemented() throws IOException {
        Path model = copy("llama-tied");
        rewrite(
                model,
                t -> t.put(
                        "model.layers.0.self_attn.o_proj.bias",
                        new SafetensorsWriter.Tensor(new long[] {16}, new float[16])));
        assertThatThrownBy(() -> HfModelDirectory.load(model, Device.cpu()).close())
                .hasMessageContaining("does not use")
                .hasMessageContaining("o_proj.bias");
    }

    @Test
    void rotaryBuffersAndATiedHeadAreIgnoredAsTransformersDoes() throws IOException {
        Path model = copy("llama-tied");
        rewrite(model, t -> {
            t.put(
                    "model.layers.0.self_attn.rotary_emb.inv_freq",
                    new SafetensorsWriter.Tensor(new long[] {2}, new float[2]));
            t.put("lm_head.weight", new SafetensorsWriter.Tensor(new long[] {384, 16}, new float[384 * 16]));
        });
        try (DecoderModel m = HfModelDirectory.load(model, Device.cpu())) {
            assertThat(m.parameters()).doesNotContainKey("lm_head.weight");
        }
    }

    @Test
    void aShapeThatDisagreesWithTheConfigIsRefused() throws IOException {
        Path model = copy("llama-tied");
        rewrite(model, t -> t.put("model.norm.weight", new SafetensorsWriter.Tensor(new long[] {8}, new float[8])));
        assertThatThrownBy(() -> HfModelDirectory.load(model, Device.cpu()).close())
                .hasMessageContaining("model.norm.weight")
                .hasMessageContaining("config.json implies");
    }

    @Test
    void shardsMustBeFilesInsideTheDirectoryAndHoldWhatTheIndexSays() throws IOException {
        Path model = copy("qwen2-bf16-sharded");
        Path index = model.resolve(HfWeights.INDEX_FILE);
        String original = Files.readString(index);
        Files.writeString(index, original.replaceFirst("model-00001-of-00002", "../../etc/model-00001-of-00002"));
        assertThatThrownBy(() -> HfModelDirectory.load(model, Device.cpu()).close())
                .hasMessageContaining("not a file name inside");
        Files.writeString(
                index,
                original.replace(
                        "\"model.embed_tokens.weight\": \"model-00001-of-00002.safetensors\"",
                        "\"model.embed_tokens.weight\": \"model-00002-of-00002.safetensors\""));
        assertThatThrownBy(() -> HfModelDirectory.load(model, Device.cpu()).close())
                .hasMessageContaining("which has no such tensor");
    }

    @Test
    void aDirectoryWithoutWeightsOrConfigSaysWhatIsMissing() throws IOException {
        Path model = copy("llama-tied");
        Files.delete(model.resolve(HfWeights.SINGLE_FILE));
        assertThatThrownBy(() -> HfModelDirectory.load(model, Device.cpu()).close())
                .hasMessageContaining("neither model.safetensors nor model.safetensors.index.json");
        assertThatThrownBy(() -> HfModelDirectory.load(dir, Device.cpu()).close())
                .hasMessageContaining("has no config.json");
    }
}
