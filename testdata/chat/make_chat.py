"""Renders chat templates the way transformers' apply_chat_template does (jinja2 3.1.6,
ImmutableSandboxedEnvironment with trim_blocks and lstrip_blocks, loopcontrols, raise_exception), for Loupe's test
that its Jinjava rendering is the same. Run: python3 make_chat.py (from this folder).

The templates are written in the style of the published ones (Llama 3, ChatML as Qwen2 uses, Gemma, Mistral):
whitespace control, loop variables, filters, string methods and raise_exception.
"""
import json

from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

TEMPLATES = {
    "llama3": (
        "{% set loop_messages = messages %}{% for message in loop_messages %}"
        "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
        " + message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
        "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"),
    "chatml": (
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
        "{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}"
        "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"),
    "gemma": (
        "{{ bos_token }}{% if messages[0]['role'] == 'system' %}"
        "{{ raise_exception('System role not supported') }}{% endif %}"
        "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
        "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
        "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}"
        "{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}"
        "{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}"),
    "mistral": (
        "{%- if messages[0]['role'] == 'system' %}\n"
        "    {%- set system_message = messages[0]['content'] %}\n"
        "    {%- set loop_messages = messages[1:] %}\n"
        "{%- else %}\n"
        "    {%- set loop_messages = messages %}\n"
        "{%- endif %}\n"
        "\n"
        "{{- bos_token }}\n"
        "{%- for message in loop_messages %}\n"
        "    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}\n"
        "        {{- raise_exception('After the optional system message, conversation roles must alternate "
        "user/assistant/user/assistant/...') }}\n"
        "    {%- endif %}\n"
        "    {%- if message['role'] == 'user' %}\n"
        "        {%- if loop.first and system_message is defined %}\n"
        "            {{- ' [INST] ' + system_message + '\\n\\n' + message['content'] + ' [/INST]' }}\n"
        "        {%- else %}\n"
        "            {{- ' [INST] ' + message['content'].strip() + ' [/INST]' }}\n"
        "        {%- endif %}\n"
        "    {%- elif message['role'] == 'assistant' %}\n"
        "        {{- ' ' + message['content'] + eos_token}}\n"
        "    {%- else %}\n"
        "        {{- raise_exception('Only user and assistant roles are supported, with the exception of an "
        "initial optional system message!') }}\n"
        "    {%- endif %}\n"
        "{%- endfor %}\n"),
}

CONVERSATIONS = {
    "with-system": [{"role": "system", "content": "You are terse. "},
                    {"role": "user", "content": " What is the capital of France? "},
                    {"role": "assistant", "content": "Paris."},
                    {"role": "user", "content": "And of Italy?"}],
    "no-system": [{"role": "user", "content": "Hello!"},
                  {"role": "assistant", "content": " Hi. "},
                  {"role": "user", "content": "Tell me a joke."}],
    "two-users": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}],
}


def raise_exception(message):
    raise TemplateError(message)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
env.globals["raise_exception"] = raise_exception
cases = []
for name, source in TEMPLATES.items():
    with open(name + ".jinja", "w") as f:
        f.write(source)
    for conv, messages in CONVERSATIONS.items():
        for gen in (True, False):
            try:
                out = {"text": env.from_string(source).render(messages=messages, add_generation_prompt=gen,
                                                              bos_token="<s>", eos_token="</s>")}
            except TemplateError as e:
                out = {"error": str(e)}
            cases.append({"template": name, "conversation": conv, "add_generation_prompt": gen, **out})
with open("conversations.json", "w") as f:
    json.dump(CONVERSATIONS, f, indent=1)
with open("expected.json", "w") as f:
    json.dump(cases, f, indent=1)
