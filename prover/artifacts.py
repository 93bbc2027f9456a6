"""Plain data of the prover, shared by the main process and EZKL workers (no EZKL import here)."""

from dataclasses import dataclass
from pathlib import Path

from prover.circuits import CircuitConfig
from zkag_protocol.errors import ZkagError


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
