"""The demo's settings: light enough for the CLI to import at start-up (no torch)."""

from dataclasses import dataclass

PROVE_MODES = ("all", "sample", "none")


@dataclass(frozen=True)
class TaskConfig:
    """Everything that determines a demo run, bit for bit."""

    steps: int = 6  # provable fine-tuning steps
    pretrain_steps: int = 20  # plain torch Adam steps for the base model (not proven)
    pretrain_lr: float = 1e-2
    hidden: int = 16
    batch_size: int = 64
    lr: float = 2e-2  # fine-tuning learning rate
    seed: int = 0
    chunk_size: int = 91  # parameters per proof: the most that fit logrows 15 (prover/sizing.py)
    epoch_steps: int = 2  # steps per epoch; the last epoch takes what is left
    prove: str = "all"  # all: every (step, chunk); sample: one per epoch; none
    workers: int = 1  # EZKL worker processes
    memory_gb: float | None = None  # size the circuit to this proving-memory budget instead
