"""Proving a run bundle's steps: every (step, chunk), or a chosen sample, in EZKL workers.

Proofs land in ``proofs/step-NNNNNN/chunk-NNNN.json`` (EZKL's JSON, with its instances). The
material a verifier needs goes into ``keys/``: the circuit config and ONNX graph (from which the
circuit id is recomputed), EZKL settings, the verifying key and the SRS. The manifest is then
rewritten to list them, with a development SRS flagged as such.
"""

import json
import shutil
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import dataclass
from pathlib import Path

from prover.artifacts import CircuitArtifacts, ProverError
from prover.circuits import CircuitConfig
from prover.optimizer import witness_path
from prover.workers import ProverPool
from zkag_protocol.bundle import KEYS_DIR, PROOFS_DIR, RunBundle
from zkag_protocol.canonical import canonical_json
from zkag_protocol.errors import UsageError
from zkag_protocol.fsutil import write_atomic
from zkag_protocol.manifest import DEV_SRS_NOTE, CircuitIdentity, SrsIdentity
from zkag_protocol.records import StepRecord

CIRCUIT_FILE = "circuit.json"


def proof_path(root: Path, step: int, chunk: int) -> Path:
    return root / PROOFS_DIR / f"step-{step:06d}" / f"chunk-{chunk:04d}.json"


def srs_file_name(artifacts: CircuitArtifacts) -> str:
    return f"srs-{artifacts.srs_kind}-k{artifacts.config.logrows}.srs"


def circuit_identity(artifacts: CircuitArtifacts) -> CircuitIdentity:
    config = artifacts.config
    return CircuitIdentity(
        circuit_id=artifacts.circuit_id,
        name=f"{config.optimizer}-d{config.chunk_size}",
        description=f"EZKL {config.optimizer} step, D={config.chunk_size}: keys/{CIRCUIT_FILE}",
    )


def srs_identity(artifacts: CircuitArtifacts) -> SrsIdentity:
    note = DEV_SRS_NOTE if artifacts.srs_kind == "dev" else "ceremony SRS, hash-checked"
    return SrsIdentity(
        kind=artifacts.srs_kind,
        logrows=artifacts.config.logrows,
        sha256=artifacts.srs_sha256,
        note=note,
    )


def install_keys(root: Path, artifacts: CircuitArtifacts) -> None:
    """Copy what verification needs into the bundle's keys/ (idempotent)."""
    keys = root / KEYS_DIR
    keys.mkdir(exist_ok=True)
    write_atomic(keys / CIRCUIT_FILE, canonical_json(artifacts.config.to_json()) + b"\n")
    for source, name in (
        (artifacts.directory / "circuit.onnx", "circuit.onnx"),
        (artifacts.settings, "settings.json"),
        (artifacts.vk, "vk.key"),
        (artifacts.srs, srs_file_name(artifacts)),
    ):
        if not (keys / name).exists():
            tmp = keys / f".{name}.tmp"
            shutil.copyfile(source, tmp)
            tmp.replace(keys / name)


def load_config(root: Path) -> CircuitConfig:
    path = root / KEYS_DIR / CIRCUIT_FILE
    if not path.is_file():
        raise UsageError(f"{path}: missing; the bundle has no circuit yet (run zkag prove)")
    return CircuitConfig(**json.loads(path.read_text()))


@dataclass(frozen=True)
class ProveOutcome:
    proved: list[tuple[int, int]]
    failed: list[str]  # "step S chunk C: why"


def all_pairs(records: Sequence[StepRecord]) -> list[tuple[int, int]]:
    """Every (step, chunk) of ``records``, in log order."""
    return [(record.step, chunk.index) for record in records for chunk in record.chunks]


def _submit(
    pool: ProverPool,
    bundle: RunBundle,
    artifacts: CircuitArtifacts,
    witness_dir: Path,
    step: int,
    chunk: int,
) -> Future[object]:
    return pool.submit(
        "prove",
        artifacts,
        witness_path(witness_dir, step, chunk),
        proof_path(bundle.root, step, chunk),
    )


def _collect(
    bundle: RunBundle,
    artifacts: CircuitArtifacts,
    futures: dict[Future[object], tuple[int, int]],
    on_done: Callable[[tuple[int, int]], None] | None = None,
) -> ProveOutcome:
    """Wait for queued proofs (failures collected, not fatal), then list them in the manifest."""
    proved, failed = [], []
    for future in as_completed(futures):
        step, chunk = futures[future]
        try:
            future.result()
            proved.append((step, chunk))
        except ProverError as exc:
            failed.append(f"step {step} chunk {chunk}: {exc}")
        if on_done is not None:
            on_done((step, chunk))
    bundle.write_manifest(circuits=[circuit_identity(artifacts)], srs=srs_identity(artifacts))
    return ProveOutcome(sorted(proved), failed)


def prove_pairs(
    bundle: RunBundle,
    *,
    pool: ProverPool,
    artifacts: CircuitArtifacts,
    witness_dir: Path,
    pairs: Iterable[tuple[int, int]],
    on_done: Callable[[tuple[int, int]], None] | None = None,
) -> ProveOutcome:
    """Prove (step, chunk) pairs from their witnesses; failures are collected, not fatal."""
    known = set(all_pairs(bundle.log.records))
    wanted = sorted(set(pairs))
    for pair in wanted:
        if pair not in known:
            raise UsageError(f"step {pair[0]} chunk {pair[1]} is not in the log")
        if not witness_path(witness_dir, *pair).is_file():
            raise UsageError(f"step {pair[0]} chunk {pair[1]}: no witness in {witness_dir}")
    install_keys(bundle.root, artifacts)
    futures = {_submit(pool, bundle, artifacts, witness_dir, s, c): (s, c) for s, c in wanted}
    return _collect(bundle, artifacts, futures, on_done)


class BackgroundProver:
    """Proves steps while training goes on: each appended step's chunks are queued at once.

    It has its own worker pool, so proofs (seconds each) never wait in line before the next
    step's witnesses (milliseconds). ``finish()`` waits for every queued proof, then lists the
    proofs and keys in the manifest.
    """

    def __init__(
        self, bundle: RunBundle, *, artifacts: CircuitArtifacts, witness_dir: Path, workers: int = 1
    ) -> None:
        self.bundle, self.artifacts, self.witness_dir = bundle, artifacts, witness_dir
        self._pool = ProverPool(workers)
        self._futures: dict[Future[object], tuple[int, int]] = {}
        install_keys(bundle.root, artifacts)

    def submit_step(self, step: int) -> None:
        """Queue every chunk of ``step`` (its witnesses must already be written)."""
        for chunk in self.bundle.log.records[step].chunks:
            future = _submit(
                self._pool, self.bundle, self.artifacts, self.witness_dir, step, chunk.index
            )
            self._futures[future] = (step, chunk.index)

    def finish(self) -> ProveOutcome:
        try:
            return _collect(self.bundle, self.artifacts, self._futures)
        finally:
            self._pool.close()
