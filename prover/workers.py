"""A pool of spawned worker processes that run EZKL, so the training process never imports it.

EZKL can crash the interpreter at exit and holds large keys in memory. Isolating it keeps a
crash from taking the training run down, and lets several proofs run at once.
"""

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

from prover.artifacts import CircuitArtifacts, SrsChoice, WitnessResult
from prover.circuits import CircuitConfig


def _call(function: str, *args: Any) -> Any:
    # Imported in the worker only: the calling process must not load EZKL.
    from prover import engine

    return getattr(engine, function)(*args)


class ProverPool:
    """EZKL work in ``workers`` spawned processes; use as a context manager."""

    def __init__(self, workers: int = 1) -> None:
        self._executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )
        self.workers = workers

    def __enter__(self) -> "ProverPool":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def submit(self, function: str, *args: Any) -> Future[Any]:
        return self._executor.submit(_call, function, *args)

    def build(self, config: CircuitConfig, srs: SrsChoice) -> CircuitArtifacts:
        return self.submit("build_circuit", config, srs).result()

    def witnesses(
        self, artifacts: CircuitArtifacts, jobs: Sequence[tuple[list[list[float]], Path]]
    ) -> list[WitnessResult]:
        futures = [self.submit("compute_witness", artifacts, inputs, path) for inputs, path in jobs]
        return [future.result() for future in futures]
