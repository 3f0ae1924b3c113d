"""The Label Studio labeling config, generated from the schema.

Label Studio relations carry labels but no attributes, so an attribute of a relation is offered
as one more relation label written ``name:value`` (``role:initiator``, ``polarity:favor``) beside
the relation label itself; the converter in ``labelstudio/regions.py`` splits them back.  Span
attributes are per-region ``Choices`` shown only when a region of their label is selected;
document labels are plain ``Choices`` (only these carry ``required``: Label Studio would demand a
required per-region attribute on regions of every label).  Every name and text goes through XML
escaping, because a schema is user input and Label Studio renders the config as HTML.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from backchannel.schema import AttributeDef, Schema

TEXT_NAME = "text"
LABELS_NAME = "label"
RELATION_ATTR_SEP = ":"


def region_attr_name(label: str, attr: str) -> str:
    """Name of the per-region Choices control for ``label.attr`` (unique across labels)."""
    return f"{label}__{attr}"


def relation_value(attr: str, value: str) -> str:
    """The extra relation label that stands for a relation attribute value."""
    return f"{attr}{RELATION_ATTR_SEP}{value}"


def _choices(name: str, adef: AttributeDef, *, per_region: bool) -> list[str]:
    attrs = [
        f"name={quoteattr(name)}",
        f"toName={quoteattr(TEXT_NAME)}",
        'choice="single"',
        'showInline="true"' if adef.widget != "select" else 'layout="select"',
    ]
    if per_region:
        attrs.append('perRegion="true"')
    if adef.required and not per_region:
        # Label Studio 1.23.2 enforces a required per-region Choices on EVERY region, even one
        # whose label hides it (measured in the browser: a VENUE region could not be submitted
        # without ACTOR__actor_kind).  Required span attributes are therefore checked on our
        # side (Schema.missing_required), not by the labeling UI.
        attrs.append('required="true"')
    lines = [f"    <Choices {' '.join(attrs)}>"]
    for value, vdef in adef.values.items():
        hint = f" hint={quoteattr(vdef.definition)}" if vdef.definition else ""
        lines.append(f"      <Choice value={quoteattr(value)}{hint}/>")
    lines.append("    </Choices>")
    return lines


def label_config(schema: Schema) -> str:
    """The ``<View>`` XML for a Label Studio project annotating with ``schema``."""
    out = ["<View>"]
    out.append(f"  <Header value={quoteattr(f'{schema.name} {schema.version}')}/>")
    out.append(f"  <Labels name={quoteattr(LABELS_NAME)} toName={quoteattr(TEXT_NAME)}>")
    for name, ldef in schema.spans.items():
        hint = f" hint={quoteattr(ldef.definition)}" if ldef.definition else ""
        out.append(f"    <Label value={quoteattr(name)} background={quoteattr(ldef.color)}{hint}/>")
    out.append("  </Labels>")
    text_value = quoteattr("$" + TEXT_NAME)
    out.append(f'  <Text name={quoteattr(TEXT_NAME)} value={text_value} granularity="symbol"/>')
    if schema.relations:
        out.append('  <Relations choice="multiple">')
        for name in schema.relations:
            out.append(f"    <Relation value={quoteattr(name)}/>")
        seen: set[str] = set()
        for rdef in schema.relations.values():
            for aname, adef in rdef.attributes.items():
                for value in adef.values:
                    rv = relation_value(aname, value)
                    if rv not in seen:
                        seen.add(rv)
                        out.append(f"    <Relation value={quoteattr(rv)}/>")
        out.append("  </Relations>")
    for lname, ldef in schema.spans.items():
        if not ldef.attributes:
            continue
        out.append(
            '  <View visibleWhen="region-selected" '
            f"whenTagName={quoteattr(LABELS_NAME)} whenLabelValue={quoteattr(lname)}>"
        )
        for aname, adef in ldef.attributes.items():
            out.append(f'    <Header value={quoteattr(f"{lname} {aname}")} size="6"/>')
            out.extend(
                "  " + line
                for line in _choices(region_attr_name(lname, aname), adef, per_region=True)
            )
        out.append("  </View>")
    for dname, adef in schema.doc_labels.items():
        out.append(f'  <Header value={quoteattr(dname)} size="5"/>')
        out.extend(_choices(dname, adef, per_region=False))
    out.append("</View>")
    return "\n".join(out) + "\n"
