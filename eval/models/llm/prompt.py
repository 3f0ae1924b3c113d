"""The prompt and the answer format, both derived from the schema so a new schema needs no code.

The system prompt lists every span label, attribute (with its allowed values), relation type
(with the labels its ends may take) and the annotator guidelines; the JSON schema for
``response_format`` constrains labels and attribute values to the schema's closed sets.  Few-shot
examples are gold Documents turned into the answer a perfect model would give
(:func:`answer_from_gold`), shown as user/assistant turns before the article.

The model answers one JSON object per request::

    {"extractions": [{"text": "...", "label": "...", "attrs": {...}}],
     "relations": [{"head": 0, "tail": 1, "label": "...", "attrs": {...}}]}

``text`` quotes the article, ``head``/``tail`` index ``extractions``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backchannel.documents import Document
    from backchannel.schema import AttributeDef, Schema

__all__ = [
    "answer_from_gold",
    "estimate_tokens",
    "load_guidelines",
    "response_schema",
    "system_prompt",
    "user_message",
]

#: Attribute value lists longer than this are summarised in the prompt (the JSON schema still
#: lists them all): 250 country codes would cost tokens on every request and teach nothing.
_MAX_LISTED_VALUES = 30


def load_guidelines(schema: Schema) -> str:
    """The annotator guidelines beside the schema file (``guidelines.md``), or ``""``."""
    if not schema.path:
        return ""
    path = Path(schema.path).with_name("guidelines.md")
    return path.read_text(encoding="utf-8").strip() if path.is_file() else ""


def _attr_lines(name: str, adef: AttributeDef, indent: str) -> list[str]:
    req = " (required)" if adef.required else ""
    lines = [f"{indent}- {name}{req}: {adef.definition}".rstrip()]
    values = list(adef.values)
    if len(values) > _MAX_LISTED_VALUES:
        lines.append(f"{indent}  values: one of {len(values)} codes, e.g. {', '.join(values[:8])}")
        return lines
    for value, vdef in adef.values.items():
        text = f"{indent}  - {value}"
        if vdef.definition:
            text += f": {vdef.definition}"
        lines.append(text)
    return lines


def system_prompt(schema: Schema, guidelines: str = "") -> str:
    """The instructions: task, labels, attributes, relations, answer format, guidelines."""
    out = [
        "You annotate news articles for a dataset. Extract every mention the schema below "
        "asks for and the relations between them.",
        "",
        "Answer with ONE JSON object and nothing else:",
        '{"extractions": [{"text": "...", "label": "...", "attrs": {...}}], '
        '"relations": [{"head": 0, "tail": 1, "label": "...", "attrs": {...}}]}',
        "",
        "Rules:",
        "- `text` is copied exactly, character for character, from the article: never "
        "paraphrase, translate, abbreviate or fix it.",
        "- List extractions in the order they occur in the article. A surface that occurs "
        "several times is listed once for each occurrence you annotate.",
        "- `head` and `tail` are 0-based indexes into `extractions`.",
        "- Use only the labels, attributes and values below; leave out an attribute you cannot "
        "decide rather than guess.",
        "",
        f"Schema {schema.name} {schema.version}: {schema.description}".rstrip(),
        "",
        "Span labels:",
    ]
    for label, ldef in schema.spans.items():
        out.append(f"- {label}: {ldef.definition}".rstrip())
        if ldef.example:
            out.append(f"  example: {ldef.example}")
        if ldef.attributes:
            out.append("  attributes:")
            for name, adef in ldef.attributes.items():
                out.extend(_attr_lines(name, adef, "    "))
    if schema.relations:
        out += ["", "Relation types (head -> tail):"]
        for label, rdef in schema.relations.items():
            ends = f"{'|'.join(rdef.head)} -> {'|'.join(rdef.tail)}"
            out.append(f"- {label} ({ends}): {rdef.definition}".rstrip())
            for name, adef in rdef.attributes.items():
                out.extend(_attr_lines(name, adef, "    "))
    if guidelines:
        out += ["", "Annotator guidelines (follow them):", "", guidelines]
    return "\n".join(out)


def user_message(text: str, context: str = "") -> str:
    """The user turn for one article or chunk; ``context`` is text before it, not to annotate."""
    if context:
        return (
            "Context, the text just before the part to annotate (do not annotate it):\n"
            f"<context>\n{context}\n</context>\n\n"
            f"Annotate this text:\n<article>\n{text}\n</article>"
        )
    return f"Annotate this article:\n<article>\n{text}\n</article>"


def _attrs_schema(defs: dict[str, AttributeDef]) -> dict[str, Any]:
    props = {
        name: {"type": ["string", "null"], "enum": [*adef.values, None]}
        for name, adef in defs.items()
    }
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


def response_schema(schema: Schema) -> dict[str, Any]:
    """The JSON schema of an answer, for ``response_format={"type": "json_schema", ...}``.

    Written in the strict subset (every property required, no additional properties, absent
    attributes as ``null``) that OpenAI, vLLM and llama.cpp all accept.
    """
    span_attrs: dict[str, AttributeDef] = {}
    for ldef in schema.spans.values():
        span_attrs.update(ldef.attributes)
    rel_attrs: dict[str, AttributeDef] = {}
    for rdef in schema.relations.values():
        rel_attrs.update(rdef.attributes)
    extraction = {
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "label": {"type": "string", "enum": list(schema.spans)},
            "attrs": _attrs_schema(span_attrs),
        },
        "required": ["text", "label", "attrs"],
        "additionalProperties": False,
    }
    relation = {
        "type": "object",
        "properties": {
            "head": {"type": "integer"},
            "tail": {"type": "integer"},
            "label": {"type": "string", "enum": list(schema.relations) or [""]},
            "attrs": _attrs_schema(rel_attrs),
        },
        "required": ["head", "tail", "label", "attrs"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "extractions": {"type": "array", "items": extraction},
            "relations": {"type": "array", "items": relation},
        },
        "required": ["extractions", "relations"],
        "additionalProperties": False,
    }


def answer_from_gold(doc: Document) -> dict[str, Any]:
    """The answer a perfect model would give for a gold Document (few-shot examples, tests).

    Extractions are in text order (start, then longer first), relations index them.
    """
    spans = sorted(doc.spans, key=lambda s: (s.start, -s.end, s.label))
    index = {s.id: k for k, s in enumerate(spans)}
    extractions = [
        {"text": doc.text[s.start : s.end], "label": s.label, "attrs": dict(s.attrs)} for s in spans
    ]
    relations = [
        {"head": index[r.head], "tail": index[r.tail], "label": r.label, "attrs": dict(r.attrs)}
        for r in doc.relations
        if r.head in index and r.tail in index
    ]
    return {"extractions": extractions, "relations": relations}


def estimate_tokens(messages: list[dict[str, str]]) -> int:
    """A rough token count (about 4 characters a token, plus a few per message).

    Good enough to budget a run before paying for it; the real counts come back in ``usage``.
    """
    chars = sum(len(m["content"]) for m in messages)
    return chars // 4 + 4 * len(messages)


def dumps_answer(answer: dict[str, Any]) -> str:
    """Compact, stable JSON for an assistant turn."""
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
