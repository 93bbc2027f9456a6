"""Canonical JSON (RFC 8785 on zkag's float-free subset)."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkag_protocol.canonical import MAX_SAFE_INTEGER, canonical_json, parse_canonical
from zkag_protocol.errors import FormatError


def test_rfc8785_property_sorting_example() -> None:
    """RFC 8785 section 3.2.3: keys sort by UTF-16 code units (the emoji's surrogates sort early)."""
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = [key for key in json.loads(canonical_json(value))]
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_string_escaping_follows_rfc8785() -> None:
    encoded = canonical_json({"s": '\u20ac$\u000f\nA\'B"\\\\"/\u007f'})
    assert encoded == '{"s":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/\x7f"}'.encode()


def test_no_whitespace_and_nested_order() -> None:
    assert (
        canonical_json({"b": [1, {"z": None, "a": True}], "a": -5})
        == b'{"a":-5,"b":[1,{"a":true,"z":null}]}'
    )


@pytest.mark.parametrize(
    "value",
    [1.5, {"x": 0.1}, MAX_SAFE_INTEGER + 1, -(MAX_SAFE_INTEGER + 1), {1: "x"}, b"raw", "\ud800"],
)
def test_values_outside_the_subset_are_refused(value: object) -> None:
    with pytest.raises(FormatError):
        canonical_json(value)


@pytest.mark.parametrize(
    "data",
    [
        b'{"b":1,"a":2}',
        b'{"a": 1}',
        b'{"a":1,"a":1}',
        b"\xff",
        b'{"a":1.0}',
        b"NaN",
        b'{"a":"\\u0041"}',
    ],
)
def test_parse_refuses_non_canonical_bytes(data: bytes) -> None:
    with pytest.raises(FormatError):
        parse_canonical(data)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(st.characters(exclude_categories=["Cs"]), max_size=6), children, max_size=4
        )
    ),
    max_leaves=12,
)


@given(json_values)
def test_round_trip_and_agreement_with_the_json_module(value: object) -> None:
    encoded = canonical_json(value)
    assert parse_canonical(encoded) == value
    assert json.loads(encoded) == value
