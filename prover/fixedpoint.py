"""Fixed-point values as the circuits see them: a grid of 2^-scale, and BN254 field elements.

The provable optimizer snaps every value to the circuit's grid itself (round half to even of
x * 2^scale, exact in float64 because the scale is a power of two). EZKL's own quantization is
then exact and no rounding rule of EZKL's has to be matched. Values that come back from the
circuit are integers over 2^scale and are exact in float64 while |integer| < 2^53.
"""

import math

import torch

# The BN254 scalar field, in which EZKL's circuits compute.
FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617
MAX_EXACT = 2**53


def snap(values: torch.Tensor, scale_bits: int) -> torch.Tensor:
    """Round float64 values to the nearest multiple of 2^-scale_bits (ties to even)."""
    factor = float(2**scale_bits)
    return torch.round(values.to(torch.float64) * factor) / factor


def snap_float(value: float, scale_bits: int) -> float:
    factor = float(2**scale_bits)
    return round(value * factor) / factor


def grid_felts(values: list[float], scale_bits: int) -> list[int]:
    """Field elements of values snapped to the grid: round(x * 2^scale_bits), as EZKL quantizes."""
    return [round(value * 2**scale_bits) % FIELD_MODULUS for value in values]


def felt_from_hex(text: str) -> int:
    """EZKL writes field elements as 64 hex digits of their little-endian bytes."""
    return int.from_bytes(bytes.fromhex(text), "little")


def felt_to_hex(value: int) -> str:
    return (value % FIELD_MODULUS).to_bytes(32, "little").hex()


def felt_to_word(value: int) -> bytes:
    """The 32-byte big-endian word a contract (uint256) and the step log use."""
    return value.to_bytes(32, "big")


def felt_to_signed(value: int) -> int:
    """Field elements above p/2 stand for negative integers."""
    return value - FIELD_MODULUS if value > FIELD_MODULUS // 2 else value


def dequantize(value: int, scale_bits: int) -> float:
    """A field element at scale 2^-scale_bits as an exact float64."""
    integer = felt_to_signed(value)
    if abs(integer) >= MAX_EXACT:
        raise ValueError(f"fixed-point value {integer} / 2^{scale_bits} is not exact in float64")
    return math.ldexp(integer, -scale_bits)
