"""Small synthetic run bundles for log tests: real records, chained and linked, with epochs."""

from collections.abc import Iterator
from hashlib import sha256
from pathlib import Path

from zkag_protocol.bundle import RunBundle
from zkag_protocol.manifest import CircuitIdentity, SrsIdentity
from zkag_protocol.records import ChunkCommitments, OptimizerSpec, StepRecord, genesis

CIRCUIT = CircuitIdentity(
    sha256(b"test circuit").digest(), "test", "synthetic commitments for tests"
)
RUN_ID = sha256(b"test run").digest()


def word(label: str) -> bytes:
    return sha256(label.encode()).digest()


def adam(step: int) -> OptimizerSpec:
    return OptimizerSpec(
        name="adam",
        hyperparameters={
            "lr": "0.001",
            "beta1": "0.9",
            "beta2": "0.999",
            "eps": "1e-08",
            "t": str(step + 1),
        },
        inputs=("w", "g", "m", "v"),
        outputs=("w", "m", "v"),
    )


def iter_records(steps: int, chunks: int, run_id: bytes = RUN_ID) -> Iterator[StepRecord]:
    """Records whose (w, m, v) inputs at step t+1 are the outputs of step t, as training makes them."""
    state = {(c, name): word(f"init {c} {name}") for c in range(chunks) for name in "wmv"}
    prev = genesis(run_id)
    for step in range(steps):
        entries = []
        for c in range(chunks):
            inputs = (state[c, "w"], word(f"grad {step} {c}"), state[c, "m"], state[c, "v"])
            outputs = tuple(word(f"out {step} {c} {name}") for name in "wmv")
            state.update({(c, name): value for name, value in zip("wmv", outputs, strict=True)})
            entries.append(ChunkCommitments(c, CIRCUIT.circuit_id, inputs, outputs))
        record = StepRecord(run_id, step, adam(step), tuple(entries), prev)
        prev = record.hash()
        yield record


def make_records(steps: int, chunks: int, run_id: bytes = RUN_ID) -> list[StepRecord]:
    return list(iter_records(steps, chunks, run_id))


def make_bundle(root: Path, *, steps: int = 6, chunks: int = 3, epoch_every: int = 2) -> RunBundle:
    bundle = RunBundle.create(root, run_id=RUN_ID)
    for record in make_records(steps, chunks):
        bundle.append(record)
        if (record.step + 1) % epoch_every == 0:
            bundle.close_epoch()
    bundle.write_manifest(circuits=[CIRCUIT], srs=SrsIdentity(kind="none", note="tests"))
    return bundle
