"""Turning the demo's optimizer updates into step records, before the prover exists.

Until issue 4 brings the EZKL circuits and their Poseidon commitments, the demo commits to each
chunk with SHA-256 over the chunk's float32 values (little-endian, zero-padded to the chunk
size). It records them under the all-zero circuit id, which the manifest describes as "no
circuit". These commitments are real and binding, but nothing proves the update between them yet.
"""

from hashlib import sha256

import torch

from zkag_protocol.demo.config import TaskConfig
from zkag_protocol.demo.task import StepTensors
from zkag_protocol.manifest import CircuitIdentity
from zkag_protocol.records import ChunkCommitments, OptimizerSpec

NO_CIRCUIT = CircuitIdentity(
    circuit_id=bytes(32),
    name="none",
    description=(
        "no circuit yet (proving arrives with issue 4); commitments are SHA-256 of each chunk's "
        "float32 values, little-endian, zero-padded to the chunk size"
    ),
)


def adam_spec(config: TaskConfig, step: int) -> OptimizerSpec:
    """Adam's rule for ``step`` (0-based): t = step + 1 fixes the bias corrections."""
    beta1, beta2 = config.betas
    return OptimizerSpec(
        name="adam",
        hyperparameters={
            "lr": repr(config.lr),
            "beta1": repr(beta1),
            "beta2": repr(beta2),
            "eps": repr(config.eps),
            "t": str(step + 1),
        },
        inputs=("w", "g", "m", "v"),
        outputs=("w", "m", "v"),
    )


def _commit(flat: torch.Tensor, start: int, size: int) -> bytes:
    chunk = torch.zeros(size, dtype=torch.float32)
    piece = flat[start : start + size].to(torch.float32)
    chunk[: len(piece)] = piece
    return sha256(chunk.numpy().astype("<f4").tobytes()).digest()


def chunk_commitments(update: StepTensors, chunk_size: int) -> list[ChunkCommitments]:
    """Commitments to (w, g, m, v) in and (w, m, v) out for every chunk of the update."""
    count = -(-len(update.w_in) // chunk_size)
    return [
        ChunkCommitments(
            index=index,
            circuit_id=NO_CIRCUIT.circuit_id,
            inputs=tuple(
                _commit(t, index * chunk_size, chunk_size)
                for t in (update.w_in, update.g, update.m_in, update.v_in)
            ),
            outputs=tuple(
                _commit(t, index * chunk_size, chunk_size)
                for t in (update.w_out, update.m_out, update.v_out)
            ),
        )
        for index in range(count)
    ]
