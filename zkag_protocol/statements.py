"""Statements: the fixed-layout binary leaves of the Merkle tree, one per (step, chunk).

A statement is what one proof claims, in a layout a contract can rebuild from the proof's public
instances with ``abi.encodePacked``:

    offset  size      field
    0       1         version (0x01)
    1       32        run id
    33      8         step, big-endian unsigned
    41      4         chunk, big-endian unsigned
    45      32        circuit id
    77      4         instance count n, big-endian unsigned
    81      32 * n    public instances, each a 32-byte big-endian word (uint256)

Solidity: ``abi.encodePacked(uint8(1), runId, uint64(step), uint32(chunk), circuitId,
uint32(instances.length), instances)`` with ``uint256[] instances``.
"""

import struct
from dataclasses import dataclass

from zkag_protocol.errors import FormatError

STATEMENT_VERSION = 1
WORD = 32
_HEADER = struct.Struct(">B32sQI32sI")  # 81 bytes
MAX_STEP = 2**64 - 1
MAX_CHUNK = 2**32 - 1


@dataclass(frozen=True)
class Statement:
    run_id: bytes
    step: int
    chunk: int
    circuit_id: bytes
    instances: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if len(self.run_id) != WORD:
            raise FormatError(f"statement run id has {len(self.run_id)} bytes, expected {WORD}")
        if len(self.circuit_id) != WORD:
            raise FormatError(
                f"statement circuit id has {len(self.circuit_id)} bytes, expected {WORD}"
            )
        if not 0 <= self.step <= MAX_STEP:
            raise FormatError(f"statement step {self.step} does not fit in 64 bits")
        if not 0 <= self.chunk <= MAX_CHUNK:
            raise FormatError(f"statement chunk {self.chunk} does not fit in 32 bits")
        for index, word in enumerate(self.instances):
            if len(word) != WORD:
                raise FormatError(
                    f"statement instance {index} has {len(word)} bytes, expected {WORD}"
                )

    def encode(self) -> bytes:
        header = _HEADER.pack(
            STATEMENT_VERSION,
            self.run_id,
            self.step,
            self.chunk,
            self.circuit_id,
            len(self.instances),
        )
        return header + b"".join(self.instances)

    @classmethod
    def decode(cls, data: bytes) -> "Statement":
        if len(data) < _HEADER.size:
            raise FormatError(
                f"statement has {len(data)} bytes, shorter than its {_HEADER.size}-byte header"
            )
        version, run_id, step, chunk, circuit_id, count = _HEADER.unpack_from(data)
        if version != STATEMENT_VERSION:
            raise FormatError(f"statement version {version}, expected {STATEMENT_VERSION}")
        expected = _HEADER.size + WORD * count
        if len(data) != expected:
            raise FormatError(
                f"statement with {count} instances must have {expected} bytes, got {len(data)}"
            )
        words = tuple(
            data[offset : offset + WORD] for offset in range(_HEADER.size, expected, WORD)
        )
        return cls(run_id=run_id, step=step, chunk=chunk, circuit_id=circuit_id, instances=words)
