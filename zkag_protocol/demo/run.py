"""Running the demo's built stages into a bundle folder and writing its summary."""

import io
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import torch

from zkag_protocol import __version__
from zkag_protocol.bundle import RunBundle
from zkag_protocol.demo.config import TaskConfig
from zkag_protocol.demo.recording import NO_CIRCUIT, adam_spec, chunk_commitments
from zkag_protocol.demo.stages import STAGES
from zkag_protocol.demo.task import StepTensors, train_digits
from zkag_protocol.errors import UsageError
from zkag_protocol.fsutil import write_atomic
from zkag_protocol.log_verify import LogReport, verify_log
from zkag_protocol.manifest import SrsIdentity

SUMMARY_FILE = "demo.json"


@dataclass
class DemoResult:
    out: Path
    stages: list[dict[str, object]]
    final_loss: float
    test_accuracy_before: float
    test_accuracy_after: float
    parameter_count: int
    steps: int
    records: int
    leaves: int
    epochs: int
    log_root: str
    log_report: LogReport


def default_out_dir(root: Path = Path("artifacts")) -> Path:
    """A new folder per run under ``artifacts/``, so a second demo never overwrites the first."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return root / f"demo-{stamp}"


def prepare_out_dir(out: Path) -> None:
    """Create ``out``; refuse a non-empty one so nothing already there is lost."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"--out {out}: exists and is not an empty directory; choose another")
    out.mkdir(parents=True, exist_ok=True)


def _write_json(path: Path, value: object) -> None:
    write_atomic(path, (json.dumps(value, indent=2, sort_keys=True) + "\n").encode())


def run_demo(
    out: Path, *, config: TaskConfig, on_step: Callable[[int, float], None] | None = None
) -> DemoResult:
    """Run every built stage into ``out`` and write the summary; see STAGES for what is built."""
    prepare_out_dir(out)
    started = datetime.now(UTC).isoformat()
    bundle = RunBundle.create(out, run_id=os.urandom(32))

    def record(update: StepTensors) -> None:
        # log: one durable, hash-chained record per step; an epoch every epoch_steps steps
        bundle.append(
            bundle.log.next_record(
                optimizer=adam_spec(config, update.step),
                chunks=chunk_commitments(update, config.chunk_size),
            )
        )
        if (update.step + 1) % config.epoch_steps == 0:
            bundle.close_epoch()
        if on_step is not None:
            on_step(update.step, update.loss)

    trained = train_digits(config, on_step=record)
    closed = bundle.epochs[-1].records if bundle.epochs else 0
    if len(bundle.log) > closed:  # the last, shorter epoch
        bundle.close_epoch()

    weights = io.BytesIO()
    torch.save(trained.model.state_dict(), weights)
    write_atomic(out / "model.pt", weights.getvalue())
    _write_json(
        out / "training.json",
        {
            "task": "sklearn digits, 75/25 stratified split, MLP 64-hidden-10, cross-entropy",
            "optimizer": "torch.optim.Adam (not provable yet: issue 4)",
            "config": asdict(config),
            "parameter_count": trained.parameter_count,
            "loss_per_step": trained.losses,
            "test_accuracy_before": trained.test_accuracy_before,
            "test_accuracy_after": trained.test_accuracy_after,
        },
    )
    stages = [
        {
            "stage": stage.name,
            "what": stage.what,
            "status": "done" if stage.built else "not built",
            "issue": stage.issue,
        }
        for stage in STAGES
    ]
    _write_json(
        out / SUMMARY_FILE,
        {
            "zkag_version": __version__,
            "started": started,
            "finished": datetime.now(UTC).isoformat(),
            "run_id": bundle.run_id.hex(),
            "stages": stages,
        },
    )
    # The manifest comes last: it lists and hashes every file written above.
    bundle.write_manifest(
        circuits=[NO_CIRCUIT], srs=SrsIdentity(kind="none", note="no proofs yet (issue 4)")
    )
    report = verify_log(out)
    return DemoResult(
        out=out,
        stages=stages,
        final_loss=trained.losses[-1] if trained.losses else float("nan"),
        test_accuracy_before=trained.test_accuracy_before,
        test_accuracy_after=trained.test_accuracy_after,
        parameter_count=trained.parameter_count,
        steps=config.steps,
        records=len(bundle.log),
        leaves=len(bundle.tree),
        epochs=len(bundle.epochs),
        log_root=bundle.tree.root().hex(),
        log_report=report,
    )
