"""Circuit sizing from a memory budget: the chunk fills 2^logrows and one more does not fit."""

from dataclasses import replace

import pytest

from prover.circuits import CircuitConfig
from prover.sizing import peak_gb, plan
from prover.workers import ProverPool
from zkag_protocol.errors import UsageError


@pytest.fixture(scope="module")
def pool() -> ProverPool:
    with ProverPool(1) as workers:
        yield workers


def test_a_budget_of_one_and_a_half_gigabytes_fills_logrows_15(pool: ProverPool) -> None:
    sized = plan(CircuitConfig(), memory_gb=1.5, pool=pool)
    assert sized.logrows == 15
    budget = 2**15 - 1024
    assert pool.submit("rows_for", sized).result() <= budget
    assert (
        pool.submit("rows_for", replace(sized, chunk_size=sized.chunk_size + 1)).result() > budget
    )
    assert sized.chunk_size > 64  # filling rows beats the power of two


def test_memory_grows_with_logrows_and_small_budgets_are_refused(pool: ProverPool) -> None:
    assert peak_gb(15) < peak_gb(16) < peak_gb(17)
    assert peak_gb(18) == pytest.approx(2 * peak_gb(17))
    with pytest.raises(UsageError, match=r"budget is 0\.5 GB"):
        plan(CircuitConfig(), memory_gb=0.5, pool=pool)
