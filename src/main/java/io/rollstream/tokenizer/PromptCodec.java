package io.rollstream.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How problems and answers become model tokens; every stage (SFT data, rollouts, scoring, evaluation) uses this
 * one convention, built from the policy's {@link TokenizerSpec} ({@link #create}).
 *
 * <ul>
 *   <li>Prompt, {@link PromptFormat.Kind#RAW}: {@code BOS + encode(prompt)}, BOS only when the tokenizer adds one
 *       ({@link Tokenizer#addsBos()}). The text is the model's input as written: special-token texts in it become
 *       their ids, so a data set of prompts already in a chat layout works.</li>
 *   <li>Prompt, {@link PromptFormat.Kind#CHAT}: the model's chat template over an optional system turn and the
 *       prompt as a user turn, with the generation prompt (the assistant header). The template's own special
 *       tokens become their ids; the turns' texts stay literal: a prompt containing {@code <|im_end|>} is encoded
 *       as those characters, never as the control token, so a problem cannot close its own turn or open another.
 *       (Hugging Face would parse it; a training job must not let data forge structure.)</li>
 *   <li>Target completion (what a demonstration teaches): the answer's tokens, then {@link Tokenizer#eosId()} (the
 *       model's end of turn for chat models). Literal in chat format, as the turns are.</li>
 *   <li>Completion text: the generated tokens up to the first stop id ({@link Tokenizer#stopIds()}), decoded.</li>
 * </ul>
 * Literal text is encoded in pieces cut inside each special-token text (after its first character); the
 * character U+FDD0, which Unicode reserves as a non-character, is refused in chat turns because it is the cut mark.
 */
public final class PromptCodec {

    /** Marks, inside chat turns, where a special-token text is cut (a Unicode non-character). */
    static final char CUT = '\uFDD0';

    private final Tokenizer tokenizer;
    private final PromptFormat format;

    /**
     * @throws IllegalArgumentException if the format is chat and the tokenizer has no chat template
     */
    public PromptCodec(Tokenizer tokenizer, PromptFormat format) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer must not be null");
        this.format = Objects.requireNonNull(format, "prompt format must not be null");
        if (format.kind() == PromptFormat.Kind.CHAT && tokenizer.chatTemplate().isEmpty()) {
            throw new IllegalArgumentException("data.prompt_format is chat, but tokenizer "
                    + tokenizer.spec().path()
                    + " has no chat template (a Hugging Face model directory's tokenizer_config.json chat_template or"
                    + " chat_template.jinja): use data.prompt_format: raw, or a model that has one");
        }
    }

    /** The codec {@code spec} describes: its tokenizer and its prompt format. */
    public static PromptCodec create(TokenizerSpec spec) {
        return new PromptCodec(Tokenizers.create(spec), spec.promptFormat());
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public PromptFormat format() {
        return format;
    }

    /** The spec that recreates this codec: the tokenizer's spec with this prompt format (stored in checkpoints). */
    public TokenizerSpec spec() {
        return tokenizer.spec().withPrompt(format);
    }

    /** The prompt's tokens as the model sees them (see the class comment). */
    public int[] prompt(String text) {
        if (format.kind() == PromptFormat.Kind.CHAT) {
            return chatPrompt(text);
        }
        int[] body = tokenizer.encode(text);
        if (!tokenizer.addsBos()) {
            return body;
        }
        int[] out = new int[body.length + 1];
        out[0] = tokenizer.bosId();
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /** The answer's tokens followed by EOS: what a demonstration teaches the model to emit. */
    public int[] targetCompletion(String answer) {
        int[] body = format.kind() == PromptFormat.Kind.CHAT ? encodeLiteral(answer) : tokenizer.encode(answer);
        int[] out = Arrays.copyOf(body, body.length + 1);
        out[body.length] = tokenizer.eosId();
        return out;
    }

    /** The text of generated tokens: everything before the first stop id. */
    public String completionText(int[] tokens) {
        return tokenizer.decode(Arrays.copyOf(tokens, completionLength(tokens)));
    }

    /** Number of generated tokens before the first stop id (all of them when none is a stop id). */
    public int completionLength(int[] tokens) {
        int end = 0;
        while (end < tokens.length && !tokenizer.stopIds().contains(tokens[end])) {
            end++;
        }
        return end;
    }

    /** {@code text} encoded as plain text: special-token texts in it do not become control tokens. */
    public int[] encodeLiteral(String text) {
        return encodeCut(markCuts(text));
    }

    private int[] chatPrompt(String text) {
        List<ChatMessage> messages = new ArrayList<>(2);
        if (format.systemPrompt() != null) {
            messages.add(ChatMessage.system(markCuts(format.systemPrompt())));
        }
        messages.add(ChatMessage.user(markCuts(text)));
        String rendered = tokenizer.chatTemplate().orElseThrow().render(messages, true);
        return encodeCut(rendered);
    }

    /** {@code text} with {@link #CUT} after the first character of every special-token text in it. */
    private String markCuts(String text) {
        int reserved = text.indexOf(CUT);
        if (reserved >= 0) {
            throw new UnencodableTextException(
                    text, reserved, "U+FDD0 is a Unicode non-character, reserved by Rollstream's prompt encoding");
        }
        List<String> specials = tokenizer.specialTokenTexts();
        if (specials.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 8);
        int from = 0;
        while (true) {
            int at = -1;
            for (String special : specials) {
                int i = text.indexOf(special, from);
                if (i >= 0 && (at < 0 || i < at)) {
                    at = i;
                }
            }
            if (at < 0) {
                return out.append(text, from, text.length()).toString();
            }
            int cut = at + Character.charCount(text.codePointAt(at));
            out.append(text, from, cut).append(CUT);
            from = cut;
        }
    }

    /** Encodes the pieces between {@link #CUT} marks one by one and joins their ids. */
    private int[] encodeCut(String text) {
        if (text.indexOf(CUT) < 0) {
            return tokenizer.encode(text);
        }
        List<int[]> pieces = new ArrayList<>();
        int total = 0;
        int from = 0;
        while (from <= text.length()) {
            int cut = text.indexOf(CUT, from);
            int end = cut < 0 ? text.length() : cut;
            int[] ids = tokenizer.encode(text.substring(from, end));
            pieces.add(ids);
            total += ids.length;
            from = end + 1;
        }
        int[] out = new int[total];
        int n = 0;
        for (int[] ids : pieces) {
            System.arraycopy(ids, 0, out, n, ids.length);
            n += ids.length;
        }
        return out;
    }
}
