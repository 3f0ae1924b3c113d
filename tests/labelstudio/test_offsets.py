"""offsets.py: the one place that knows Label Studio's offset convention."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backchannel.annotation.labelstudio import offsets
from backchannel.annotation.labelstudio.offsets import Convention

TEXT = "😀 e\u0301\r\nParis"


def test_pinned_version_uses_code_points() -> None:
    assert offsets.CONVENTION is Convention.CODEPOINTS
    start = TEXT.index("Paris")
    assert start == 6  # emoji 1, space 1, e 1, combining mark 1, CR LF 2
    assert offsets.to_studio(TEXT, start, start + 5) == (6, 11)
    assert offsets.from_studio(TEXT, 6, 11) == (6, 11)


def test_utf16_convention_counts_astral_characters_twice() -> None:
    start = TEXT.index("Paris")
    assert offsets.to_studio(TEXT, start, start + 5, Convention.UTF16) == (7, 12)
    assert offsets.from_studio(TEXT, 7, 12, Convention.UTF16) == (6, 11)
    assert offsets.from_studio(TEXT, 1, 3, Convention.UTF16) is None  # inside the emoji


def test_out_of_range_or_empty_is_unmappable() -> None:
    assert offsets.from_studio(TEXT, 3, 3) is None
    assert offsets.from_studio(TEXT, 0, len(TEXT) + 1) is None
    assert offsets.from_studio(TEXT, -1, 2) is None


def test_value_text_check_accepts_escaped_line_breaks_only() -> None:
    actual = "e\u0301\r\nPa"
    assert offsets.text_matches(actual, actual)
    assert offsets.text_matches("e\u0301\\r\\nPa", actual)
    assert offsets.text_matches("e\u0301\\nPa", actual)
    assert offsets.text_matches(None, actual)
    assert not offsets.text_matches("Paris", actual)


@given(st.text(min_size=1), st.data())
def test_property_both_conventions_round_trip(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    for conv in Convention:
        assert offsets.from_studio(text, *offsets.to_studio(text, start, end, conv), conv) == (
            start,
            end,
        )
