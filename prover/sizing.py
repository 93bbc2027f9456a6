"""Choosing a circuit size from a memory budget: the largest logrows whose proof fits, then the
largest chunk whose circuit fills 2^logrows rows.

Peak resident memory of one Adam proof, measured with benchmarks/prover_bench.py (2026-11-21,
2 cores, 4 legs): logrows 15 (D=91) 1.02 GB, logrows 17 (D=376) 3.28 GB. Logrows 16 is
interpolated and larger sizes are extrapolated by doubling per logrow (memory follows
2^logrows, shared/notes/ezkl.md). Throughput is about the same at 15 and 17 (9.9 and 10.0
parameters/s), so a small budget costs little speed.
"""

from dataclasses import replace

from prover.circuits import CircuitConfig
from prover.workers import ProverPool
from zkag_protocol.errors import UsageError

MEASURED_PEAK_GB = {15: 1.02, 17: 3.28}
MIN_LOGROWS, MAX_LOGROWS = 15, 21  # 15: the 2^14 range-check table must fit


def peak_gb(logrows: int) -> float:
    """Estimated peak memory of one proof at ``logrows``."""
    if logrows in MEASURED_PEAK_GB:
        return MEASURED_PEAK_GB[logrows]
    if logrows == 16:
        return (MEASURED_PEAK_GB[15] * MEASURED_PEAK_GB[17]) ** 0.5
    return MEASURED_PEAK_GB[17] * 2.0 ** (logrows - 17)


def plan(config: CircuitConfig, memory_gb: float, pool: ProverPool) -> CircuitConfig:
    """``config`` resized to the largest circuit one proof of which fits ``memory_gb``."""
    fitting = [k for k in range(MIN_LOGROWS, MAX_LOGROWS + 1) if peak_gb(k) <= memory_gb]
    if not fitting:
        need = peak_gb(MIN_LOGROWS)
        raise UsageError(
            f"a proof needs about {need:.1f} GB at the smallest size; budget is {memory_gb} GB"
        )
    sized = replace(config, logrows=max(fitting))
    return replace(sized, chunk_size=pool.submit("largest_chunk", sized).result())
