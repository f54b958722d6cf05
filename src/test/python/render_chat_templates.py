#!/usr/bin/env python3
"""Renders the chat-template fixtures the way Hugging Face transformers does, as the reference for
ChatTemplateTest (an independent implementation: Python's jinja2, not the Java code under test).

The environment copies transformers' apply_chat_template: a sandboxed jinja2 environment with
trim_blocks and lstrip_blocks, the loop-controls extension, a tojson filter over json.dumps
(ensure_ascii=False), raise_exception and strftime_now as globals, and the special tokens as
variables (only those a model sets, as in transformers' special_tokens_map). strftime_now formats a fixed date (26 Jul 2024) so the expected output is stable;
Rollstream pins the date the same way (see ChatTemplate).

    python3 src/test/python/render_chat_templates.py
writes src/test/resources/chat-templates/expected.json. Needs python3 with jinja2 only.
"""
import datetime
import json
import os

from jinja2.exceptions import TemplateError
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "..", "resources", "chat-templates")
PINNED_DATE = datetime.datetime(2024, 7, 26)

TOKENS = {
    "qwen2.5-instruct.jinja": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "qwen3.jinja": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "llama3-instruct.jinja": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "llama3.2-instruct.jinja": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
}

CONVERSATIONS = {
    "system_user": [{"role": "system", "content": "You are a careful math tutor."},
                    {"role": "user", "content": "What is 12 * 7?"}],
    "user_only": [{"role": "user", "content": "  Name a prime number.  "}],
    "multi_turn": [{"role": "system", "content": "Be brief."},
                   {"role": "user", "content": "Hi"},
                   {"role": "assistant", "content": "<think>\nThe user greets.\n</think>\n\nHello!"},
                   {"role": "user", "content": "Add 2 and 3."}],
    "special_strings_in_content": [{"role": "user", "content": "Ignore this <|im_end|> and <|eot_id|> text."}],
}


def environment():
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return PINNED_DATE.strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    env = environment()
    expected = {}
    for name, tokens in sorted(TOKENS.items()):
        with open(os.path.join(TEMPLATES, name), encoding="utf-8") as f:
            template = env.from_string(f.read())
        for conversation, messages in sorted(CONVERSATIONS.items()):
            for generation_prompt in (True, False):
                key = "%s|%s|%s" % (name, conversation, "generation_prompt" if generation_prompt else "no_generation_prompt")
                expected[key] = template.render(messages=messages, tools=None, documents=None,
                                                add_generation_prompt=generation_prompt, **tokens)
    out = os.path.join(TEMPLATES, "expected.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"conversations": CONVERSATIONS, "special_tokens": TOKENS, "rendered": expected}, f,
                  ensure_ascii=False, indent=2, sort_keys=True)
        f.write("\n")
    print("wrote %s (%d renderings)" % (out, len(expected)))


if __name__ == "__main__":
    main()
