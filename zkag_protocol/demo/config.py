"""The demo's settings: light enough for the CLI to import at start-up (no torch)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TaskConfig:
    """Everything that determines a training run of the demo task, bit for bit."""

    steps: int = 24
    hidden: int = 16
    batch_size: int = 64
    lr: float = 1e-2
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    seed: int = 0
    chunk_size: int = 16  # parameters per chunk: one statement (and later one proof) each
    epoch_steps: int = 8  # steps per epoch; the last epoch takes what is left
