"""Validating fields of parsed JSON documents; every error names the field's place."""

import re
from typing import Any

from zkag_protocol.errors import FormatError

_HEX32 = re.compile(r"[0-9a-f]{64}")


def hex32(value: Any, where: str) -> bytes:
    if not isinstance(value, str) or not _HEX32.fullmatch(value):
        raise FormatError(f"{where}: expected 64 lowercase hex digits, got {value!r}")
    return bytes.fromhex(value)


def integer(value: Any, where: str, *, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise FormatError(f"{where}: expected an integer >= {minimum}, got {value!r}")
    return value


def exact_object(value: Any, where: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FormatError(f"{where}: expected an object, got {type(value).__name__}")
    if set(value) != keys:
        missing, extra = sorted(keys - set(value)), sorted(set(value) - keys)
        raise FormatError(
            f"{where}: fields differ from the format: missing {missing}, unexpected {extra}"
        )
    return value


def array(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise FormatError(f"{where}: expected an array, got {type(value).__name__}")
    return value
