"""EZKL, driven: circuit build (settings, compile, SRS, keys), witnesses, mock, prove, verify.

Import this module only inside worker processes (prover/workers.py): EZKL can crash the
interpreter at exit, so results are judged by the files written and by verify(), never by a
process's exit path. Builds are cached under the zkag cache (``$ZKAG_CACHE``, default
``~/.cache/zkag``): a development SRS per logrows and keys per circuit id, each created under
a file lock and moved into place atomically.
"""

import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from hashlib import sha256
from pathlib import Path

import ezkl

from prover.artifacts import (
    EZKL_VERSION,
    CircuitArtifacts,
    ProverError,
    SrsChoice,
    WitnessResult,
    circuit_id_of,
    file_sha256,
    proof_instances,
)
from prover.circuits import CircuitConfig, export_onnx
from prover.fixedpoint import felt_from_hex, felt_to_hex
from zkag_protocol.canonical import canonical_json


def cache_root() -> Path:
    return Path(os.environ.get("ZKAG_CACHE", Path.home() / ".cache" / "zkag"))


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def resolve_srs(choice: SrsChoice, logrows: int) -> tuple[Path, bytes]:
    """The SRS file to use and its SHA-256; a ceremony file whose hash differs is refused."""
    if choice.kind == "ceremony":
        if choice.path is None or choice.sha256 is None:
            raise ProverError("a ceremony SRS needs a file and its expected sha256")
        found = file_sha256(choice.path)
        if found != choice.sha256:
            raise ProverError(
                f"{choice.path}: sha256 is {found.hex()}, expected {choice.sha256.hex()}"
            )
        return choice.path, found
    path = cache_root() / "srs" / f"dev-k{logrows}.srs"
    with _locked(path):
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            ezkl.gen_srs(str(tmp), logrows)
            os.replace(tmp, path)
    return path, file_sha256(path)


def _run_args(config: CircuitConfig) -> "ezkl.PyRunArgs":
    args = ezkl.PyRunArgs()
    args.input_visibility = "hashed/public"  # Poseidon commitments are the public instances
    args.output_visibility = "hashed/public"
    args.param_visibility = "fixed"
    args.input_scale = config.scale_bits
    args.param_scale = config.scale_bits
    args.decomp_base = 2**config.decomp_base_bits
    args.decomp_legs = config.decomp_legs
    # The step circuits need no lookup table; the default range alone forces logrows 17.
    args.lookup_range = (-1, 1)
    args.logrows = config.logrows
    return args


def _write_settings(config: CircuitConfig, folder: Path) -> int:
    """Export the ONNX graph and EZKL settings into ``folder``; return the rows needed."""
    onnx, settings = folder / "circuit.onnx", folder / "settings.json"
    export_onnx(config, str(onnx))
    if not ezkl.gen_settings(str(onnx), str(settings), py_run_args=_run_args(config)):
        raise ProverError(f"ezkl gen_settings failed for {config}")
    return int(json.loads(settings.read_text())["num_rows"])


def build_circuit(config: CircuitConfig, srs_choice: SrsChoice) -> CircuitArtifacts:
    """Export, compile and set up the circuit once per (config, SRS), then reuse the cache."""
    srs_path, srs_hash = resolve_srs(srs_choice, config.logrows)
    # Keys depend on the SRS as much as on the circuit: both are in the cache key.
    identity = canonical_json(config.to_json()) + EZKL_VERSION.encode() + srs_hash
    key = sha256(identity).hexdigest()[:32]
    directory = cache_root() / "circuits" / key
    with _locked(directory):
        if not (directory / "vk.key").exists():
            staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=directory.parent))
            try:
                onnx, settings = staging / "circuit.onnx", staging / "settings.json"
                rows = _write_settings(config, staging)
                if rows >= 2**config.logrows:
                    size, k = config.chunk_size, config.logrows
                    raise ProverError(f"chunk size {size} needs {rows} rows, more than 2^{k}")
                if not ezkl.compile_circuit(
                    str(onnx), str(staging / "circuit.ezkl"), str(settings)
                ):
                    raise ProverError("ezkl compile_circuit failed")
                ok = ezkl.setup(
                    str(staging / "circuit.ezkl"),
                    str(staging / "vk.key"),
                    str(staging / "pk.key"),
                    str(srs_path),
                )
                if not ok:
                    raise ProverError("ezkl setup failed")
                if directory.exists():
                    shutil.rmtree(directory)
                os.replace(staging, directory)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    return CircuitArtifacts(
        config=config,
        circuit_id=circuit_id_of(config, directory / "circuit.onnx"),
        directory=directory,
        srs=srs_path,
        srs_sha256=srs_hash,
        srs_kind=srs_choice.kind,
    )


def compute_witness(
    artifacts: CircuitArtifacts, inputs: list[list[float]], witness_path: Path
) -> WitnessResult:
    """Run the circuit on ``inputs`` (already on its grid) and keep the witness file for proving."""
    witness_path.parent.mkdir(parents=True, exist_ok=True)
    data_path = witness_path.with_suffix(".input.json")
    data_path.write_text(json.dumps({"input_data": inputs}))
    try:
        ezkl.gen_witness(str(data_path), str(artifacts.compiled), str(witness_path))
    except RuntimeError as exc:
        raise ProverError(f"witness failed ({witness_path.name}): {exc}") from exc
    witness = json.loads(witness_path.read_text())
    return WitnessResult(
        outputs=[[felt_from_hex(f) for f in tensor] for tensor in witness["outputs"]],
        input_hashes=[felt_from_hex(f) for f in witness["processed_inputs"]["poseidon_hash"]],
        output_hashes=[felt_from_hex(f) for f in witness["processed_outputs"]["poseidon_hash"]],
    )


def prove(artifacts: CircuitArtifacts, witness_path: Path, proof_path: Path) -> list[int]:
    """Mock, prove, then verify; return the proof's public instances. Any failure raises."""
    try:
        ezkl.mock(str(witness_path), str(artifacts.compiled))
    except RuntimeError as exc:  # prove() would return a proof of an unsatisfied circuit
        raise ProverError(
            f"{witness_path.name}: the circuit is not satisfied (mock failed): {exc}"
        ) from exc
    proof_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = proof_path.with_suffix(".tmp")
    ezkl.prove(
        str(witness_path), str(artifacts.compiled), str(artifacts.pk), str(tmp), str(artifacts.srs)
    )
    if not verify(artifacts, tmp):
        raise ProverError(f"{proof_path.name}: the proof does not verify")
    os.replace(tmp, proof_path)
    return proof_instances(proof_path)


def verify(artifacts: CircuitArtifacts, proof_path: Path) -> bool:
    return verify_with(proof_path, artifacts.settings, artifacts.vk, artifacts.srs)


def verify_with(proof_path: Path, settings: Path, vk: Path, srs: Path) -> bool:
    """Verify against explicit files (those shipped in a bundle's keys/)."""
    try:
        return bool(ezkl.verify(str(proof_path), str(settings), str(vk), str(srs)))
    except RuntimeError:
        return False


def poseidon(felts: list[int]) -> int:
    """ezkl.poseidon_hash over field elements, as the circuit hashes a tensor."""
    return felt_from_hex(ezkl.poseidon_hash([felt_to_hex(f) for f in felts])[0])


def poseidon_many(tensors: list[list[int]]) -> list[int]:
    return [poseidon(felts) for felts in tensors]


def rows_for(config: CircuitConfig) -> int:
    """Rows the circuit of ``config`` needs (EZKL gen_settings; no setup)."""
    with tempfile.TemporaryDirectory() as folder:
        return _write_settings(config, Path(folder))


def largest_chunk(config: CircuitConfig, reserved_rows: int = 1024) -> int:
    """The largest chunk size whose circuit fits 2^logrows rows (less blinding room)."""
    budget = 2**config.logrows - reserved_rows
    low, high = 1, max(2, 2 * budget // max(1, rows_for(replace(config, chunk_size=64)) // 64))
    while low < high:  # rows grow with D: bisect for the last D that fits
        middle = (low + high + 1) // 2
        if rows_for(replace(config, chunk_size=middle)) <= budget:
            low = middle
        else:
            high = middle - 1
    return low
