"""Plain data of the prover, shared by the main process and EZKL workers (no EZKL import here)."""

import json
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from prover.circuits import CircuitConfig
from prover.fixedpoint import felt_from_hex
from zkag_protocol.canonical import canonical_json
from zkag_protocol.errors import ZkagError

EZKL_VERSION = "23.0.5"


class ProverError(ZkagError):
    """EZKL could not build, witness, prove or verify."""


@dataclass(frozen=True)
class SrsChoice:
    """A development SRS (generated here, cached, flagged) or a ceremony file with its hash."""

    kind: str  # "dev" or "ceremony"
    path: Path | None = None
    sha256: bytes | None = None


@dataclass(frozen=True)
class CircuitArtifacts:
    """Paths of a built circuit; picklable, so it travels to worker processes."""

    config: CircuitConfig
    circuit_id: bytes
    directory: Path
    srs: Path
    srs_sha256: bytes
    srs_kind: str

    @property
    def settings(self) -> Path:
        return self.directory / "settings.json"

    @property
    def compiled(self) -> Path:
        return self.directory / "circuit.ezkl"

    @property
    def vk(self) -> Path:
        return self.directory / "vk.key"

    @property
    def pk(self) -> Path:
        return self.directory / "pk.key"


@dataclass(frozen=True)
class WitnessResult:
    """A chunk's witness: output field elements and the Poseidon commitments of every tensor."""

    outputs: list[list[int]]
    input_hashes: list[int]
    output_hashes: list[int]


def file_sha256(path: Path) -> bytes:
    digest = sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.digest()


def circuit_id_of(config: CircuitConfig, onnx: Path) -> bytes:
    """SHA-256 over the config, the ONNX graph and the EZKL version (settings carry a timestamp)."""
    identity = {
        "config": config.to_json(),
        "onnx_sha256": file_sha256(onnx).hex(),
        "ezkl": EZKL_VERSION,
    }
    return sha256(canonical_json(identity)).digest()


def proof_instances(proof_path: Path) -> list[int]:
    """The public instances of an EZKL proof file, in order, as field elements."""
    proof = json.loads(proof_path.read_text())
    return [felt_from_hex(f) for group in proof["instances"] for f in group]
