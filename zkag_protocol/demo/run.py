"""Running the demo's built stages into a bundle folder and writing its summary."""

import io
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import torch

from prover.artifacts import SrsChoice
from prover.circuits import CircuitConfig
from prover.optimizer import ProvableOptimizer, default_witness_dir
from prover.proof_check import ProofReport, check_proofs
from prover.proving import all_pairs, circuit_identity, install_keys, prove_pairs, srs_identity
from prover.sizing import plan
from prover.workers import ProverPool
from zkag_protocol import __version__
from zkag_protocol.bundle import RunBundle
from zkag_protocol.demo import task
from zkag_protocol.demo.config import TaskConfig
from zkag_protocol.demo.stages import STAGES
from zkag_protocol.errors import UsageError
from zkag_protocol.fsutil import write_atomic
from zkag_protocol.log_verify import LogReport, verify_log

SUMMARY_FILE = "demo.json"

# Progress callback: (stage, done, total, detail)
Progress = Callable[[str, int, int, str], None]


@dataclass
class DemoResult:
    out: Path
    stages: list[dict[str, object]]
    config: TaskConfig
    fine_tuned_parameters: int
    chunk_size: int
    losses: list[float]
    accuracy_base: float
    accuracy_after: float
    records: int
    leaves: int
    epochs: int
    log_root: str
    proofs: int
    prove_seconds: float
    log_report: LogReport
    proof_report: ProofReport | None


def default_out_dir(root: Path = Path("artifacts")) -> Path:
    """A new folder per run under ``artifacts/``, so a second demo never overwrites the first."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return root / f"demo-{stamp}"


def prepare_out_dir(out: Path) -> None:
    """Refuse a non-empty ``out`` so nothing already there is lost."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"--out {out}: exists and is not an empty directory; choose another")


def _write_json(path: Path, value: object) -> None:
    write_atomic(path, (json.dumps(value, indent=2, sort_keys=True) + "\n").encode())


def _pairs_to_prove(config: TaskConfig, bundle: RunBundle) -> list[tuple[int, int]]:
    if config.prove == "all":
        return all_pairs(bundle.log.records)
    if config.prove == "sample":  # the first chunk of each epoch's last step
        return [(epoch.records - 1, 0) for epoch in bundle.epochs]
    return []


def run_demo(out: Path, *, config: TaskConfig, progress: Progress | None = None) -> DemoResult:
    """Run every built stage into ``out``; see STAGES for what is built."""
    prepare_out_dir(out)
    report = progress or (lambda *_: None)
    started = datetime.now(UTC).isoformat()
    # train (1/2): the base model, plain torch, not proven
    data = task.load(config)
    model = task.pretrain(config, data)
    accuracy_base = task.accuracy(model, data)
    bundle = RunBundle.create(out, run_id=os.urandom(32))
    head = list(model[2].parameters())
    witness_dir = default_witness_dir(out)
    with ProverPool(config.workers) as pool:
        report("setup", 0, 1, "circuit, keys, dev SRS (cached after the first run)")
        circuit = CircuitConfig(chunk_size=config.chunk_size)
        if config.memory_gb is not None:
            circuit = plan(circuit, config.memory_gb, pool)
        artifacts = pool.build(circuit, SrsChoice("dev"))
        install_keys(out, artifacts)
        report("setup", 1, 1, artifacts.circuit_id.hex()[:16])
        # train (2/2) + log: the head, fine-tuned with the provable optimizer, one record a step
        optimizer = ProvableOptimizer(
            head,
            lr=config.lr,
            config=circuit,
            artifacts=artifacts,
            pool=pool,
            bundle=bundle,
            witness_dir=witness_dir,
        )

        def after_step(step: int, loss: float) -> None:
            if (step + 1) % config.epoch_steps == 0:
                bundle.close_epoch()
            report("fine-tune", step + 1, config.steps, f"loss {loss:.4f}")

        losses = task.fine_tune(config, model, data, optimizer, on_step=after_step)
        closed = bundle.epochs[-1].records if bundle.epochs else 0
        if len(bundle.log) > closed:  # the last, shorter epoch
            bundle.close_epoch()
        # prove
        pairs = _pairs_to_prove(config, bundle)
        started_proving = time.monotonic()
        done = [0]

        def proved(_pair: tuple[int, int]) -> None:
            done[0] += 1
            report("prove", done[0], len(pairs), "")

        outcome = prove_pairs(
            bundle,
            pool=pool,
            artifacts=artifacts,
            witness_dir=witness_dir,
            pairs=pairs,
            on_done=proved,
        )
        prove_seconds = time.monotonic() - started_proving
        if outcome.failed:
            raise UsageError(f"proving failed: {outcome.failed[0]}")

        weights = io.BytesIO()
        torch.save(model.state_dict(), weights)
        write_atomic(out / "model.pt", weights.getvalue())
        _write_json(
            out / "training.json",
            {
                "task": "sklearn digits; base MLP 64-hidden-10 pretrained briefly with plain torch "
                "Adam (not proven); its head fine-tuned with ProvableOptimizer(Adam)",
                "config": asdict(config),
                "fine_tuned_parameters": sum(p.numel() for p in head),
                "loss_per_step": losses,
                "test_accuracy_base": accuracy_base,
                "test_accuracy_after": task.accuracy(model, data),
            },
        )
        stages = [
            {
                "stage": s.name,
                "what": s.what,
                "status": "done" if s.built else "not built",
                "issue": s.issue,
            }
            for s in STAGES
        ]
        _write_json(
            out / SUMMARY_FILE,
            {
                "zkag_version": __version__,
                "started": started,
                "finished": datetime.now(UTC).isoformat(),
                "run_id": bundle.run_id.hex(),
                "proved": f"{len(outcome.proved)} of {len(bundle.tree)} ({config.prove})",
                "stages": stages,
            },
        )
        # The manifest comes last: it lists and hashes every file written above.
        bundle.write_manifest(circuits=[circuit_identity(artifacts)], srs=srs_identity(artifacts))
        report("verify", 0, 1, "")
        log_report = verify_log(out)
        proof_report = check_proofs(out, pool=pool, pairs=pairs) if pairs else None
        report("verify", 1, 1, "")
    return DemoResult(
        out=out,
        stages=stages,
        config=config,
        fine_tuned_parameters=sum(p.numel() for p in head),
        chunk_size=circuit.chunk_size,
        losses=losses,
        accuracy_base=accuracy_base,
        accuracy_after=task.accuracy(model, data),
        records=len(bundle.log),
        leaves=len(bundle.tree),
        epochs=len(bundle.epochs),
        log_root=bundle.tree.root().hex(),
        proofs=len(outcome.proved),
        prove_seconds=prove_seconds,
        log_report=log_report,
        proof_report=proof_report,
    )
