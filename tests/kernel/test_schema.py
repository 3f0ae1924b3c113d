"""The schema and everything derived from it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from label_studio_sdk.label_interface import LabelInterface

from backchannel.annotation.guide import render_guide
from backchannel.annotation.labelstudio.config import label_config
from backchannel.errors import SchemaError
from backchannel.schema import Schema, default_schema_path, load_schema

HOSTILE = """\
name: hostile
version: 1
spans:
  ACTOR:
    definition: 'a <b>bold</b> & "quoted" definition'
    attributes:
      kind:
        values:
          '<&">': {definition: '<script>alert(1)</script>'}
          plain: {}
relations:
  REL:
    head: [ACTOR]
    tail: [ACTOR]
    attributes:
      how:
        values: ['a&b', '"q"']
doc_labels:
  tone:
    values: ['<x>', 'y']
"""


def test_default_schema_loads(schema: Schema) -> None:
    assert schema.span_labels == ["ACTOR", "CHANNEL", "VENUE", "ISSUE"]
    assert schema.relation_labels == [
        "PARTICIPANT",
        "SAME_ACTOR",
        "HELD_AT",
        "ABOUT",
        "STANCE",
    ]
    assert schema.polarities == ["favor", "against", "neutral"]
    assert schema.bio_tags[:3] == ["O", "B-ACTOR", "I-ACTOR"]
    assert len(schema.bio_tags) == 9
    assert schema.channel_codes("phone_call") == {
        "cameo": "041",
        "plover": "CONSULT/phone",
        "ace": "Contact.Phone-Write",
    }
    assert default_schema_path().name == "diplomacy.yaml"


def test_every_label_and_value_has_a_definition(schema: Schema) -> None:
    for label in schema.spans.values():
        assert label.definition
        for attr in label.attributes.values():
            assert attr.definition
            if len(attr.values) < 50:
                assert all(v.definition for v in attr.values.values()), attr.name


def test_label_config_is_accepted_by_the_sdk_parser(schema: Schema) -> None:
    xml = label_config(schema)
    ET.fromstring(xml)
    interface = LabelInterface(xml)
    assert interface.get_control("label").labels == schema.span_labels
    names = {c.name for c in interface.controls}
    assert {"ACTOR__actor_kind", "CHANNEL__modality", "relevant", "framing"} <= names


def test_only_document_choices_are_required_in_the_label_config(schema: Schema) -> None:
    # Label Studio 1.23.2 demands a required per-region Choices on regions of every label (seen
    # in the browser), so required span attributes are checked by the schema, not the UI.
    root = ET.fromstring(label_config(schema))
    required = {el.get("name") for el in root.iter("Choices") if el.get("required") == "true"}
    assert required == {name for name, adef in schema.doc_labels.items() if adef.required}


def test_label_config_escapes_every_name(tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    xml = label_config(load_schema(path))
    root = ET.fromstring(xml)  # would fail on an unescaped < or &
    values = {el.get("value") for el in root.iter("Choice")}
    assert '<&">' in values and "<x>" in values
    relations = {el.get("value") for el in root.iter("Relation")}
    assert 'how:"q"' in relations and "how:a&b" in relations
    assert "<script>" not in xml and '<&">' not in xml


def test_guide_lists_every_value(schema: Schema) -> None:
    guide = render_guide(schema)
    for label in schema.span_labels:
        assert f"### {label}" in guide
    for value in ("phone_call", "backchannel", "conduit", "hypothetical"):
        assert f"`{value}`" in guide
    assert "| `visit` | One party travels" in guide and "| 042 | CONSULT/visit |" in guide


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("spans: [", "invalid YAML"),
        ("name: x\nversion: 1\n", "schema needs a non-empty 'spans' mapping"),
        (
            "name: x\nversion: 1\nspans:\n  A:\n    attributes:\n"
            "      flag:\n        values: [yes, no]\n",
            "spans.A.flag: value True must be a string",
        ),
        (
            "name: x\nversion: 1\nspans:\n  A: {}\nrelations:\n  R: {head: [B], tail: [A]}\n",
            "relation R refers to unknown span label 'B'",
        ),
        ("name: x\nversion: 1\nspans:\n  'A B': {}\n", "span label 'A B' must be letters"),
    ],
)
def test_bad_schema_is_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError, match=message) as info:
        load_schema(path)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)
