"""Step records: the readable, hash-chained entries of the step log (docs/format.md).

A record is one optimizer step: which run, which step, which optimizer with which
hyperparameters, and for every parameter chunk the commitments to the step's inputs and outputs.
Records are stored as canonical JSON (RFC 8785), one per line. A record's hash is SHA-256 of those
bytes. Each record carries the previous record's hash, and the first carries the run's genesis
value, so the records form a chain. Every chunk also yields a statement: the Merkle leaf that
its proof must match.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from zkag_protocol.canonical import canonical_json, parse_canonical
from zkag_protocol.errors import FormatError
from zkag_protocol.jsonfields import array, exact_object, hex32, integer
from zkag_protocol.statements import WORD, Statement

RECORD_VERSION = 1
GENESIS_DOMAIN = b"zkag/genesis/v1"

_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")


def genesis(run_id: bytes) -> bytes:
    """The first record's previous hash: SHA-256("zkag/genesis/v1" || run id)."""
    return sha256(GENESIS_DOMAIN + run_id).digest()


def _names(value: Any, where: str) -> tuple[str, ...]:
    names = tuple(array(value, where))
    for index, name in enumerate(names):
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise FormatError(f"{where}[{index}]: expected a short lowercase name, got {name!r}")
    if len(set(names)) != len(names):
        raise FormatError(f"{where}: names repeat: {list(names)}")
    return names


@dataclass(frozen=True)
class OptimizerSpec:
    """The update rule of a step: its name, hyperparameters, and the order of committed tensors."""

    name: str
    hyperparameters: Mapping[str, str]  # decimal strings, exactly as the circuit binds them
    inputs: tuple[str, ...]  # e.g. ("w", "g", "m", "v")
    outputs: tuple[str, ...]  # e.g. ("w", "m", "v")

    def __post_init__(self) -> None:
        where = "optimizer"
        if not _NAME.fullmatch(self.name):
            raise FormatError(f"{where}.name: expected a short lowercase name, got {self.name!r}")
        for key, value in self.hyperparameters.items():
            if not _NAME.fullmatch(key):
                raise FormatError(f"{where}.hyperparameters: bad name {key!r}")
            if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
                raise FormatError(
                    f"{where}.hyperparameters.{key}: expected a decimal string, got {value!r}"
                )
        _names(list(self.inputs), f"{where}.inputs")
        _names(list(self.outputs), f"{where}.outputs")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "hyperparameters": dict(self.hyperparameters),
            "inputs": list(self.inputs),
            "outputs": list(self.outputs),
        }

    @classmethod
    def from_json(cls, value: Any, where: str) -> "OptimizerSpec":
        fields = exact_object(value, where, {"name", "hyperparameters", "inputs", "outputs"})
        name, hyper = fields["name"], fields["hyperparameters"]
        if not isinstance(name, str):
            raise FormatError(f"{where}.name: expected a string, got {name!r}")
        if not isinstance(hyper, dict):
            raise FormatError(f"{where}.hyperparameters: expected an object")
        return cls(
            name=name,
            hyperparameters=hyper,
            inputs=_names(fields["inputs"], f"{where}.inputs"),
            outputs=_names(fields["outputs"], f"{where}.outputs"),
        )


@dataclass(frozen=True)
class ChunkCommitments:
    """Commitments (32-byte words, the proof's public instances) for one parameter chunk."""

    index: int
    circuit_id: bytes
    inputs: tuple[bytes, ...]
    outputs: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "circuit_id": self.circuit_id.hex(),
            "inputs": [word.hex() for word in self.inputs],
            "outputs": [word.hex() for word in self.outputs],
        }

    @classmethod
    def from_json(cls, value: Any, where: str) -> "ChunkCommitments":
        fields = exact_object(value, where, {"index", "circuit_id", "inputs", "outputs"})
        return cls(
            index=integer(fields["index"], f"{where}.index"),
            circuit_id=hex32(fields["circuit_id"], f"{where}.circuit_id"),
            inputs=tuple(
                hex32(w, f"{where}.inputs[{i}]")
                for i, w in enumerate(array(fields["inputs"], f"{where}.inputs"))
            ),
            outputs=tuple(
                hex32(w, f"{where}.outputs[{i}]")
                for i, w in enumerate(array(fields["outputs"], f"{where}.outputs"))
            ),
        )


@dataclass(frozen=True)
class StepRecord:
    run_id: bytes
    step: int
    optimizer: OptimizerSpec
    chunks: tuple[ChunkCommitments, ...]
    prev_hash: bytes

    def __post_init__(self) -> None:
        if len(self.run_id) != WORD or len(self.prev_hash) != WORD:
            raise FormatError("record run_id and prev_hash must be 32 bytes")
        if self.step < 0:
            raise FormatError(f"record step must be >= 0, got {self.step}")
        if not self.chunks:
            raise FormatError(f"step {self.step}: a record needs at least one chunk")
        for position, chunk in enumerate(self.chunks):
            where = f"step {self.step}, chunks[{position}]"
            if chunk.index != position:
                raise FormatError(
                    f"{where}: index is {chunk.index}, expected {position} (chunks in order from 0)"
                )
            if len(chunk.inputs) != len(self.optimizer.inputs):
                names = list(self.optimizer.inputs)
                raise FormatError(
                    f"{where}: {len(chunk.inputs)} input commitments for inputs {names}"
                )
            if len(chunk.outputs) != len(self.optimizer.outputs):
                names = list(self.optimizer.outputs)
                raise FormatError(
                    f"{where}: {len(chunk.outputs)} output commitments for outputs {names}"
                )
            for word in (chunk.circuit_id, *chunk.inputs, *chunk.outputs):
                if len(word) != WORD:
                    raise FormatError(f"{where}: commitments and circuit id must be 32 bytes")

    def to_json(self) -> dict[str, Any]:
        return {
            "version": RECORD_VERSION,
            "run_id": self.run_id.hex(),
            "step": self.step,
            "optimizer": self.optimizer.to_json(),
            "chunks": [chunk.to_json() for chunk in self.chunks],
            "prev_hash": self.prev_hash.hex(),
        }

    def encode(self) -> bytes:
        """The canonical bytes (RFC 8785) that are stored and hashed."""
        return canonical_json(self.to_json())

    def hash(self) -> bytes:
        return sha256(self.encode()).digest()

    def statements(self) -> list[Statement]:
        """One statement per chunk: its instances are the input then the output commitments."""
        return [
            Statement(
                run_id=self.run_id,
                step=self.step,
                chunk=chunk.index,
                circuit_id=chunk.circuit_id,
                instances=(*chunk.inputs, *chunk.outputs),
            )
            for chunk in self.chunks
        ]

    @classmethod
    def from_json(cls, value: Any, where: str = "record") -> "StepRecord":
        fields = exact_object(
            value, where, {"version", "run_id", "step", "optimizer", "chunks", "prev_hash"}
        )
        if fields["version"] != RECORD_VERSION:
            raise FormatError(
                f"{where}.version: expected {RECORD_VERSION}, got {fields['version']!r}"
            )
        chunks = array(fields["chunks"], f"{where}.chunks")
        return cls(
            run_id=hex32(fields["run_id"], f"{where}.run_id"),
            step=integer(fields["step"], f"{where}.step"),
            optimizer=OptimizerSpec.from_json(fields["optimizer"], f"{where}.optimizer"),
            chunks=tuple(
                ChunkCommitments.from_json(c, f"{where}.chunks[{i}]") for i, c in enumerate(chunks)
            ),
            prev_hash=hex32(fields["prev_hash"], f"{where}.prev_hash"),
        )

    @classmethod
    def decode(cls, data: bytes, where: str = "record") -> "StepRecord":
        """Parse canonical bytes; anything else is a FormatError naming ``where``."""
        try:
            value = parse_canonical(data)
        except FormatError as exc:
            raise FormatError(f"{where}: {exc}") from exc
        return cls.from_json(value, where)
