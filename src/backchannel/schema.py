"""The schema: one YAML file from which every label set in backchannel is derived.

``schemas/diplomacy.yaml`` (shipped in the wheel as ``backchannel.schemas``) declares span labels
with closed attribute value sets, relation labels with the span labels their head and tail may
carry, document labels, and which relation and attribute hold stance polarity.  From a
:class:`Schema` the code derives validation (here), the Label Studio config
(:mod:`~backchannel.annotation.labelstudio.config`), the annotator guide
(:mod:`~backchannel.annotation.guide`), the BIO tag set and the scorer's labels (here), and the
dataset features and event codes (export).  Nothing else in the code base spells a label.

Attribute values are always strings ("yes"/"no" rather than booleans) so that they survive Label
Studio choices, Arrow class labels and CSV without a type changing on the way.
"""

from __future__ import annotations

import json
import re
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import yaml

from backchannel.errors import DocumentError, SchemaError, quote

if TYPE_CHECKING:
    from backchannel.documents import Document, Relation, Span

__all__ = [
    "AttributeDef",
    "LabelDef",
    "RelationDef",
    "Schema",
    "StanceDef",
    "ValueDef",
    "default_schema_path",
    "load_schema",
]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ValueDef(msgspec.Struct, forbid_unknown_fields=True):
    """One allowed attribute value; ``codes`` maps ontology name to code (CAMEO, PLOVER, ACE)."""

    definition: str = ""
    example: str = ""
    codes: dict[str, str] = {}


class AttributeDef(msgspec.Struct, forbid_unknown_fields=True):
    """A closed-set attribute of a span, relation or document."""

    name: str = ""
    definition: str = ""
    values: dict[str, ValueDef] = {}
    required: bool = False
    default: str | None = None
    widget: str = "radio"


class LabelDef(msgspec.Struct, forbid_unknown_fields=True):
    """A span label and its attributes."""

    name: str = ""
    definition: str = ""
    example: str = ""
    color: str = "#888888"
    attributes: dict[str, AttributeDef] = {}


class RelationDef(msgspec.Struct, forbid_unknown_fields=True):
    """A relation label: which span labels its head and tail may carry, and its attributes."""

    name: str = ""
    definition: str = ""
    example: str = ""
    head: list[str] = []
    tail: list[str] = []
    attributes: dict[str, AttributeDef] = {}


class StanceDef(msgspec.Struct, forbid_unknown_fields=True):
    """Where stance lives: a relation label, its polarity attribute, and the labels of F_avg."""

    relation: str
    attribute: str
    favg: list[str] = []


class Schema(msgspec.Struct, forbid_unknown_fields=True, dict=True):
    """A loaded, checked schema.  Build with :func:`load_schema`."""

    name: str
    version: str
    spans: dict[str, LabelDef]
    relations: dict[str, RelationDef] = {}
    doc_labels: dict[str, AttributeDef] = {}
    stance: StanceDef | None = None
    language: str = "en"
    description: str = ""
    path: str = ""

    # -- label lists ---------------------------------------------------------------------------
    @cached_property
    def span_labels(self) -> list[str]:
        """Span labels in schema order: the order of every derived ClassLabel and report."""
        return list(self.spans)

    @cached_property
    def relation_labels(self) -> list[str]:
        return list(self.relations)

    @cached_property
    def bio_tags(self) -> list[str]:
        """``O`` then ``B-X``, ``I-X`` for each span label X, in schema order."""
        tags = ["O"]
        for label in self.spans:
            tags += [f"B-{label}", f"I-{label}"]
        return tags

    @cached_property
    def polarities(self) -> list[str]:
        if self.stance is None:
            return []
        rel = self.relations[self.stance.relation]
        return list(rel.attributes[self.stance.attribute].values)

    def channel_codes(self, kind: str) -> dict[str, str]:
        """CAMEO/PLOVER/ACE codes of a ``channel_kind`` value (empty when the schema has none)."""
        for label in self.spans.values():
            attr = label.attributes.get("channel_kind")
            if attr is not None and kind in attr.values:
                return dict(attr.values[kind].codes)
        return {}

    # -- validation of Documents ---------------------------------------------------------------
    def check_span(self, span: Span, *, doc_id: str | None = None) -> None:
        label = self.spans.get(span.label)
        if label is None:
            raise DocumentError(
                f"unknown span label {quote(span.label)} (schema {self.name} {self.version} "
                f"has {', '.join(self.spans)})",
                doc_id=doc_id,
                span_id=span.id,
            )
        if span.attrs:
            self._check_attrs(span.attrs, label.attributes, span.label, doc_id, span.id)

    def check_relation(
        self, rel: Relation, span_labels: dict[str, str], *, doc_id: str | None = None
    ) -> None:
        """Check label, argument labels and attributes; ``span_labels`` maps span id to label."""
        rid = rel.id or f"{rel.head}->{rel.tail}"
        rdef = self.relations.get(rel.label)
        if rdef is None:
            raise DocumentError(
                f"unknown relation label {quote(rel.label)} (schema has "
                f"{', '.join(self.relations) or 'none'})",
                doc_id=doc_id,
                span_id=rid,
            )
        labels = span_labels
        for end_name, ref, allowed in (
            ("head", rel.head, rdef.head),
            ("tail", rel.tail, rdef.tail),
        ):
            if allowed and labels.get(ref) not in allowed:
                raise DocumentError(
                    f"{rel.label} {end_name} must be {' or '.join(allowed)}, "
                    f"span {quote(ref)} is {labels.get(ref)}",
                    doc_id=doc_id,
                    span_id=rid,
                )
        if rel.attrs:
            self._check_attrs(rel.attrs, rdef.attributes, rel.label, doc_id, rid)

    def check_doc_labels(self, doc_labels: dict[str, str], *, doc_id: str | None = None) -> None:
        if doc_labels:
            self._check_attrs(doc_labels, self.doc_labels, "document label", doc_id, None)

    @staticmethod
    def _check_attrs(
        attrs: dict[str, str],
        defs: dict[str, AttributeDef],
        owner: str,
        doc_id: str | None,
        item_id: str | None,
    ) -> None:
        for key, value in attrs.items():
            adef = defs.get(key)
            if adef is None:
                raise DocumentError(
                    f"unknown attribute {quote(key)} on {owner} (allowed: "
                    f"{', '.join(defs) or 'none'})",
                    doc_id=doc_id,
                    span_id=item_id,
                )
            if value not in adef.values:
                shown = ", ".join(list(adef.values)[:12])
                more = ", …" if len(adef.values) > 12 else ""
                raise DocumentError(
                    f"unknown value {quote(value)} for {owner}.{key} (allowed: {shown}{more})",
                    doc_id=doc_id,
                    span_id=item_id,
                )

    def missing_required(self, doc: Document) -> list[str]:
        """Required attributes and document labels that ``doc`` leaves out (for gold checks)."""
        problems = []
        for span in doc.spans:
            for name, adef in self.spans[span.label].attributes.items():
                if adef.required and name not in span.attrs:
                    problems.append(f"span {span.id}: {span.label}.{name} missing")
        for rel in doc.relations:
            for name, adef in self.relations[rel.label].attributes.items():
                if adef.required and name not in rel.attrs:
                    problems.append(f"relation {rel.head}->{rel.tail}: {rel.label}.{name} missing")
        for name, adef in self.doc_labels.items():
            if adef.required and name not in doc.doc_labels:
                problems.append(f"document label {name} missing")
        return problems


def default_schema_path() -> Path:
    """The schema shipped in the wheel (``backchannel.schemas/diplomacy.yaml``)."""
    return Path(str(resources.files("backchannel.schemas").joinpath("diplomacy.yaml")))


def _normalise_attrs(raw: Any, where: str, path: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SchemaError(f"{where}: attributes must be a mapping", path=path)
    out: dict[str, Any] = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict):
            raise SchemaError(f"{where}.{name}: attribute must be a mapping", path=path)
        spec = dict(spec)
        values = spec.get("values")
        if isinstance(values, list):
            if not all(isinstance(v, str) for v in values):
                bad = next(v for v in values if not isinstance(v, str))
                raise SchemaError(
                    f"{where}.{name}: value {quote(bad)} must be a string "
                    "(quote yes/no/on/off in YAML)",
                    path=path,
                )
            values = {key: {} for key in values}
        if not isinstance(values, dict) or not values:
            raise SchemaError(
                f"{where}.{name}: values must be a non-empty list or mapping", path=path
            )
        norm_values = {}
        for value, vspec in values.items():
            if vspec is not None and not isinstance(vspec, dict):
                raise SchemaError(f"{where}.{name}.{value}: must be a mapping", path=path)
            if not isinstance(value, str):
                raise SchemaError(
                    f"{where}.{name}: value {quote(value)} must be a string "
                    "(quote yes/no/on/off in YAML)",
                    path=path,
                )
            norm_values[value] = vspec or {}
        spec["values"] = norm_values
        spec["name"] = str(name)
        default = spec.get("default")
        if default is not None and (not isinstance(default, str) or default not in norm_values):
            raise SchemaError(
                f"{where}.{name}: default {quote(spec['default'])} is not one of its values",
                path=path,
            )
        out[str(name)] = spec
    return out


def _check_names(schema: Schema, path: str) -> None:
    for kind, names in (
        ("span label", schema.spans),
        ("relation label", schema.relations),
        ("document label", schema.doc_labels),
    ):
        for name in names:
            if not _NAME.match(name):
                raise SchemaError(
                    f"{kind} {quote(name)} must be letters, digits and underscores", path=path
                )
    for rname, rdef in schema.relations.items():
        for end in (*rdef.head, *rdef.tail):
            if end not in schema.spans:
                raise SchemaError(
                    f"relation {rname} refers to unknown span label {quote(end)}", path=path
                )
    if schema.stance is not None:
        rdef = schema.relations.get(schema.stance.relation)
        if rdef is None or schema.stance.attribute not in rdef.attributes:
            raise SchemaError(
                "stance must name a relation and one of its attributes "
                f"({schema.stance.relation}.{schema.stance.attribute} not found)",
                path=path,
            )
        values = rdef.attributes[schema.stance.attribute].values
        for v in schema.stance.favg:
            if v not in values:
                raise SchemaError(f"stance.favg value {quote(v)} is not a polarity", path=path)


def load_schema(path: str | Path | None = None) -> Schema:
    """Load and check a schema YAML file; ``None`` loads the default shipped schema.

    Raises:
        SchemaError: naming the file and the offending key.
    """
    path = Path(path) if path is not None else default_schema_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemaError("no such schema file", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaError(f"cannot read schema: {exc}", path=path) from None
    except RecursionError:
        raise SchemaError("invalid YAML: nested too deeply", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise SchemaError(f"invalid YAML: {problem}", path=path, line=line) from None
    if not isinstance(raw, dict):
        raise SchemaError("a schema must be a YAML mapping", path=path)
    try:
        json.dumps(raw, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        raise SchemaError(
            "contains a lone surrogate escape (not valid Unicode)", path=path
        ) from None
    except (ValueError, RecursionError):
        raise SchemaError("contains recursive YAML anchors", path=path) from None
    raw = dict(raw)
    p = str(path)
    if not isinstance(raw.get("spans"), dict) or not raw["spans"]:
        raise SchemaError("schema needs a non-empty 'spans' mapping", path=path)
    for section in ("spans", "relations"):
        items = raw.get(section) or {}
        if not isinstance(items, dict):
            raise SchemaError(f"'{section}' must be a mapping", path=path)
        norm = {}
        for name, spec in items.items():
            if spec is None:
                spec = {}
            if not isinstance(spec, dict):
                raise SchemaError(f"{section}.{name} must be a mapping", path=path)
            spec = dict(spec)
            spec["name"] = str(name)
            spec["attributes"] = _normalise_attrs(spec.get("attributes"), f"{section}.{name}", p)
            norm[str(name)] = spec
        raw[section] = norm
    raw["doc_labels"] = _normalise_attrs(raw.get("doc_labels"), "doc_labels", p)
    if "version" in raw:
        raw["version"] = str(raw["version"])
    raw["path"] = p
    try:
        schema = msgspec.convert(raw, Schema)
    except msgspec.ValidationError as exc:
        raise SchemaError(f"invalid schema: {exc}", path=path) from None
    _check_names(schema, p)
    return schema
