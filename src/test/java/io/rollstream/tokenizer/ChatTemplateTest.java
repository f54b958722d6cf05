package io.rollstream.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link ChatTemplate} on faithful copies of real chat templates, against the renderings Python's
 * jinja2 gives with Hugging Face's settings ({@code src/test/python/render_chat_templates.py}).
 */
class ChatTemplateTest {

    static String resource(String name) {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/chat-templates/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Map<String, String> QWEN_TOKENS =
            Map.of("eos_token", "<|im_end|>", "pad_token", "<|endoftext|>");
    private static final Map<String, String> LLAMA_TOKENS =
            Map.of("bos_token", "<|begin_of_text|>", "eos_token", "<|eot_id|>");
    private static final List<ChatMessage> SYSTEM_USER =
            List.of(ChatMessage.system("You are a careful math tutor."), ChatMessage.user("What is 12 * 7?"));

    @Test
    void rendersQwen25SystemAndUserWithGenerationPrompt() {
        ChatTemplate qwen = ChatTemplate.of(resource("qwen2.5-instruct.jinja"), QWEN_TOKENS);
        assertThat(qwen.render(SYSTEM_USER, true))
                .isEqualTo("<|im_start|>system\nYou are a careful math tutor.<|im_end|>\n"
                        + "<|im_start|>user\nWhat is 12 * 7?<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void qwen25AddsItsDefaultSystemPromptWhenThereIsNone() {
        ChatTemplate qwen = ChatTemplate.of(resource("qwen2.5-instruct.jinja"), QWEN_TOKENS);
        assertThat(qwen.render(List.of(ChatMessage.user("Hi")), true))
                .isEqualTo("<|im_start|>system\nYou are Qwen, "
                        + "created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                        + "<|im_start|>assistant\n");
    }

    @Test
    void rendersQwen3SystemAndUserWithGenerationPrompt() {
        ChatTemplate qwen3 = ChatTemplate.of(resource("qwen3.jinja"), QWEN_TOKENS);
        assertThat(qwen3.render(SYSTEM_USER, true))
                .isEqualTo("<|im_start|>system\nYou are a careful math tutor.<|im_end|>\n"
                        + "<|im_start|>user\nWhat is 12 * 7?<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void rendersLlama3SystemAndUserWithGenerationPrompt() {
        ChatTemplate llama = ChatTemplate.of(resource("llama3-instruct.jinja"), LLAMA_TOKENS);
        assertThat(llama.render(SYSTEM_USER, true))
                .isEqualTo("<|begin_of_text|><|start_header_id|>system<|end_header_id|>"
                        + "\n\nYou are a careful math tutor.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWhat is 12 * 7?"
                        + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void llama32DatesItsSystemPromptWithThePinnedDate() {
        ChatTemplate llama = ChatTemplate.of(resource("llama3.2-instruct.jinja"), LLAMA_TOKENS);
        String header =
                "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n";
        String rest =
                "\n\nYou are a careful math tutor.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWhat is 12 * 7?"
                        + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";
        assertThat(llama.render(SYSTEM_USER, true)).isEqualTo(header + "Today Date: 26 Jul 2024" + rest);
        assertThat(llama.withDate(LocalDate.of(2025, 3, 9)).render(SYSTEM_USER, true))
                .isEqualTo(header + "Today Date: 09 Mar 2025" + rest);
    }

    @Test
    void matchesJinja2OnEveryFixtureConversation() throws IOException {
        JsonNode expected;
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/chat-templates/expected.json")) {
            expected = new ObjectMapper().readTree(in);
        }
        List<String> checked = new ArrayList<>();
        expected.path("rendered").fields().forEachRemaining(entry -> {
            String[] key = entry.getKey().split("\\|");
            Map<String, String> tokens = new HashMap<>();
            expected.path("special_tokens")
                    .path(key[0])
                    .fields()
                    .forEachRemaining(t -> tokens.put(t.getKey(), t.getValue().asText()));
            List<ChatMessage> messages = new ArrayList<>();
            for (JsonNode m : expected.path("conversations").path(key[1])) {
                messages.add(new ChatMessage(
                        m.path("role").asText(), m.path("content").asText()));
            }
            String rendered =
                    ChatTemplate.of(resource(key[0]), tokens).render(messages, key[2].equals("generation_prompt"));
            assertThat(rendered).as(entry.getKey()).isEqualTo(entry.getValue().asText());
            checked.add(entry.getKey());
        });
        assertThat(checked).hasSize(32);
    }

    @Test
    void raiseExceptionFailsWithTheTemplatesMessage() {
        ChatTemplate strict = ChatTemplate.of(
                "{% if messages[0]['role'] != 'user' %}"
                        + "{{ raise_exception('Conversations must start with a user turn') }}{% endif %}ok",
                Map.of());
        assertThat(strict.render(List.of(ChatMessage.user("hi")), false)).isEqualTo("ok");
        assertThatThrownBy(() -> strict.render(List.of(ChatMessage.assistant("hi")), false))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("Conversations must start with a user turn");
    }

    @Test
    void aTemplateThatDoesNotParseIsRefusedWhenLoaded() {
        assertThatThrownBy(() -> ChatTemplate.of("{% for m in messages %}{{ m.content }}", Map.of()))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("does not parse");
    }

    @Test
    void pythonStringMethodsAndLoopControlsWork() {
        ChatTemplate t = ChatTemplate.of(
                "{% for m in messages %}{% if m.content.startswith('skip') %}{% continue %}"
                        + "{% endif %}[{{ m.content.strip('\\n').split('|')[-1].upper() }}]{% endfor %}"
                        + "{{ {'k': ['é', 1]} | tojson }}{{ {'k': 1} | tojson(indent=2) }}",
                Map.of());
        assertThat(t.render(
                        List.of(ChatMessage.user("\na|b\n"), ChatMessage.user("skip me"), ChatMessage.user("x.y")),
                        false))
                .isEqualTo("[B][X.Y]{\"k\": [\"é\", 1]}{\n  \"k\": 1\n}");
    }

    @Test
    void contentIsNeverInterpretedAsTemplateCode() {
        ChatTemplate qwen = ChatTemplate.of(resource("qwen2.5-instruct.jinja"), QWEN_TOKENS);
        String hostile = "{{ raise_exception('x') }} {% for i in range(10**9) %}";
        assertThat(qwen.render(List.of(ChatMessage.system("s"), ChatMessage.user(hostile)), true))
                .contains("<|im_start|>user\n" + hostile + "<|im_end|>");
    }
}
