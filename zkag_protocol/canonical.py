"""Canonical JSON (RFC 8785, JCS) for everything zkag hashes: the bytes, not the object, are signed.

zkag uses the subset of JSON that every language encodes identically: objects with string keys,
arrays, strings, integers in [-(2^53 - 1), 2^53 - 1], true, false and null. Floats are refused
(hyperparameters travel as decimal strings) so no implementation has to reproduce ECMAScript
number formatting. Within that subset JCS is: keys sorted by their UTF-16 code units, no
insignificant whitespace, strings escaped minimally (", \\, and U+0000..U+001F only).
"""

import json
from typing import Any

from zkag_protocol.errors import FormatError

MAX_SAFE_INTEGER = 2**53 - 1

# Python's json encoder already escapes exactly as JCS requires when ensure_ascii is off:
# \" \\ \b \f \n \r \t, and \u00xx (lowercase hex) for the other control characters.
_encode_string = json.JSONEncoder(ensure_ascii=False).encode


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be", errors="surrogatepass")


def _check_string(value: str, where: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise FormatError(f"{where}: string is not valid Unicode (lone surrogate)") from exc


def _encode(value: Any, where: str, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise FormatError(f"{where}: integer {value} is outside the JSON-safe range ±(2^53-1)")
        out.append(str(value))
    elif isinstance(value, float):
        raise FormatError(f"{where}: floats are not allowed in canonical JSON, got {value!r}")
    elif isinstance(value, str):
        _check_string(value, where)
        out.append(_encode_string(value))
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, f"{where}[{index}]", out)
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        for index, key in enumerate(sorted(value, key=_key_order(where))):
            if index:
                out.append(",")
            _check_string(key, where)
            out.append(_encode_string(key))
            out.append(":")
            _encode(value[key], f"{where}.{key}", out)
        out.append("}")
    else:
        raise FormatError(f"{where}: {type(value).__name__} cannot be encoded as canonical JSON")


def _key_order(where: str) -> Any:
    def order(key: object) -> bytes:
        if not isinstance(key, str):
            raise FormatError(f"{where}: object key {key!r} is not a string")
        return _utf16_key(key)

    return order


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 encoding of ``value`` as UTF-8 bytes."""
    out: list[str] = []
    _encode(value, "$", out)
    return "".join(out).encode("utf-8")


def _refuse_constant(name: str) -> Any:
    raise FormatError(f"{name} is not JSON")


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise FormatError(f"duplicate key {key!r}")
        result[key] = value
    return result


def parse_canonical(data: bytes) -> Any:
    """Parse bytes that must already be canonical; anything else (spacing, order) is an error."""
    try:
        value = json.loads(
            data.decode("utf-8"),
            parse_constant=_refuse_constant,
            object_pairs_hook=_refuse_duplicates,
        )
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 at byte {exc.start}") from exc
    except json.JSONDecodeError as exc:
        raise FormatError(f"not JSON: {exc.msg} at column {exc.colno}") from exc
    if canonical_json(value) != data:
        raise FormatError("not in canonical form (RFC 8785): re-encoding gives different bytes")
    return value
