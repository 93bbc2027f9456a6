"""Checking a bundle's proofs against its log: what ``zkag verify-proofs`` reports.

1. the log itself (zkag log verify: chain, links, tree, epochs, manifest);
2. keys/: the circuit id recomputed from keys/circuit.json and keys/circuit.onnx is the one every
   record names, and the SRS file's hash is the one the manifest declares;
3. every record's constants (betas, gradient bound) equal the circuit's;
4. every record's commitment to ``h`` is the Poseidon hash of the hyperparameters it states,
   recomputed here (so a record cannot claim one learning rate and prove another);
5. for each selected (step, chunk): a proof exists, its public instances equal the statement's
   (the record's commitments, in order), and EZKL verifies it with the bundle's keys.
Every problem names its step and chunk.
"""

import random
from dataclasses import dataclass, field
from pathlib import Path

from prover.artifacts import circuit_id_of, file_sha256, proof_instances
from prover.circuits import CircuitConfig, step_hyperparameters
from prover.fixedpoint import felt_to_word, grid_felts
from prover.proving import CIRCUIT_FILE, all_pairs, load_config, proof_path
from prover.workers import ProverPool
from zkag_protocol.bundle import KEYS_DIR, STEPS_FILE
from zkag_protocol.errors import FormatError
from zkag_protocol.log_verify import LogReport, Problem, verify_log
from zkag_protocol.manifest import MANIFEST_FILE, Manifest
from zkag_protocol.records import StepRecord
from zkag_protocol.steplog import split_lines


@dataclass
class ProofReport:
    log: LogReport
    problems: list[Problem] = field(default_factory=list)
    checked: list[tuple[int, int]] = field(default_factory=list)
    verified: int = 0

    @property
    def ok(self) -> bool:
        return self.log.ok and not self.problems

    @property
    def all_problems(self) -> list[Problem]:
        return [*self.log.problems, *self.problems]

    def add(self, where: str, what: str) -> None:
        self.problems.append(Problem(where, what))


def _records(root: Path) -> list[StepRecord]:
    """Every record that parses, whatever the chain says (the log check reports the chain)."""
    records = []
    for line in split_lines((root / STEPS_FILE).read_bytes()).lines:
        try:
            records.append(StepRecord.decode(line))
        except FormatError:
            continue
    return records


def _check_constants(config: CircuitConfig, record: StepRecord, report: ProofReport) -> None:
    hyper = record.optimizer.hyperparameters
    if record.optimizer.name != config.optimizer:
        report.add(
            f"step {record.step}",
            f"optimizer is {record.optimizer.name!r}, the circuit is {config.optimizer!r}",
        )
    for name, value in config.constants.items():
        if hyper.get(name) != value:
            report.add(
                f"step {record.step}", f"{name} is {hyper.get(name)!r}, the circuit has {value!r}"
            )


def select_pairs(records: list[StepRecord], *, k: int | None, seed: int) -> list[tuple[int, int]]:
    pairs = all_pairs(records)
    if k is None or k >= len(pairs):
        return pairs
    return sorted(random.Random(seed).sample(pairs, k))


def check_proofs(
    root: Path,
    *,
    pool: ProverPool,
    k: int | None = None,
    seed: int = 0,
    pairs: list[tuple[int, int]] | None = None,
) -> ProofReport:
    """Check ``root``: the given ``pairs``, else ``k`` sampled with ``seed``, else all pairs."""
    report = ProofReport(log=verify_log(root))
    # 2. The circuit and the SRS in keys/.
    keys = root / KEYS_DIR
    try:
        config = load_config(root)
    except (TypeError, ValueError, OSError) as exc:
        report.add(f"{KEYS_DIR}/{CIRCUIT_FILE}", f"unreadable circuit config: {exc}")
        return report
    circuit_id = circuit_id_of(config, keys / "circuit.onnx")
    manifest = Manifest.decode((root / MANIFEST_FILE).read_bytes())
    srs = keys / f"srs-{manifest.srs.kind}-k{config.logrows}.srs"
    if not srs.is_file():
        report.add(f"{KEYS_DIR}/{srs.name}", "missing")
        return report
    if file_sha256(srs) != manifest.srs.sha256:
        report.add(f"{KEYS_DIR}/{srs.name}", "sha256 differs from the manifest's srs.sha256")
    records = _records(root)
    # 3-4. Constants and hyperparameter commitments, for every record.
    h_index = config.inputs.index("h")
    expected_h = pool.submit(
        "poseidon_many",
        [
            grid_felts(step_hyperparameters(config, r.optimizer.hyperparameters), config.scale_bits)
            for r in records
        ],
    ).result()
    for record, h_commitment in zip(records, expected_h, strict=True):
        _check_constants(config, record, report)
        for chunk in record.chunks:
            where = f"step {record.step} chunk {chunk.index}"
            if chunk.circuit_id != circuit_id:
                report.add(
                    where,
                    f"circuit id {chunk.circuit_id.hex()[:16]}... is not the circuit in keys/",
                )
            if chunk.inputs[h_index] != felt_to_word(h_commitment):
                hyper = record.optimizer.hyperparameters
                stated = " ".join(f"{n}={hyper[n]}" for n in ("lr", "t") if n in hyper)
                report.add(where, f"commitment to h does not match {stated}")
    # 5. The selected proofs.
    by_step = {record.step: record for record in records}
    report.checked = sorted(pairs) if pairs is not None else select_pairs(records, k=k, seed=seed)
    names = [f"input '{n}'" for n in config.inputs] + [f"output '{n}'" for n in config.outputs]
    pending = {}
    for step, chunk_index in report.checked:
        where, path = f"step {step} chunk {chunk_index}", proof_path(root, step, chunk_index)
        if step not in by_step or chunk_index >= len(by_step[step].chunks):
            report.add(where, "not in the log")
            continue
        if not path.is_file():
            report.add(where, f"no proof ({path.relative_to(root)})")
            continue
        statement = by_step[step].statements()[chunk_index]
        instances = [felt_to_word(x) for x in proof_instances(path)]
        if len(instances) != len(statement.instances):
            report.add(
                where,
                f"proof has {len(instances)} instances, the statement {len(statement.instances)}",
            )
        else:
            for name, got, want in zip(names, instances, statement.instances, strict=True):
                if got != want:
                    report.add(where, f"proof instance {name} differs from the logged commitment")
        pending[where] = pool.submit(
            "verify_with", path, keys / "settings.json", keys / "vk.key", srs
        )
    for where, future in pending.items():
        if future.result():
            report.verified += 1
        else:
            report.add(where, "proof does not verify")
    return report
