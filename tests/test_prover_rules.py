"""AdamW, SGD and SGD with momentum: the same guarantees as Adam, against torch's optimizers."""

import copy
import os
from pathlib import Path

import pytest
import torch

from prover.artifacts import SrsChoice
from prover.circuits import CircuitConfig
from prover.optimizer import ProvableOptimizer, default_witness_dir
from prover.proof_check import check_proofs
from prover.proving import prove_pairs
from prover.workers import ProverPool
from zkag_protocol.bundle import RunBundle
from zkag_protocol.log_verify import verify_log


@pytest.fixture(scope="module")
def pool() -> ProverPool:
    with ProverPool(1) as workers:
        yield workers


TORCH = {
    "adamw": lambda params: torch.optim.AdamW(params, lr=1e-2, weight_decay=0.01),
    "sgd": lambda params: torch.optim.SGD(params, lr=0.1),
    "sgd-momentum": lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9),
}
LR = {"adamw": 1e-2, "sgd": 0.1, "sgd-momentum": 0.1}
# SGD is exact up to the 2^-32 grid; AdamW also differs by the early-step denominator floor.
TOLERANCE = {"adamw": 1e-5, "sgd": 1e-8, "sgd-momentum": 1e-8}


@pytest.mark.parametrize("rule", ["adamw", "sgd", "sgd-momentum"])
def test_rule_tracks_torch_links_and_proves(rule: str, tmp_path: Path, pool: ProverPool) -> None:
    config = CircuitConfig(optimizer=rule, chunk_size=16)
    artifacts = pool.build(config, SrsChoice("dev"))
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(5, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)
    ).double()
    reference = copy.deepcopy(model)
    x, y = torch.randn(32, 5, dtype=torch.float64), torch.randint(0, 2, (32,))
    root = tmp_path / "run"
    bundle = RunBundle.create(root, run_id=os.urandom(32))
    provable = ProvableOptimizer(
        model.parameters(),
        lr=LR[rule],
        config=config,
        artifacts=artifacts,
        pool=pool,
        bundle=bundle,
        witness_dir=default_witness_dir(root),
    )
    plain = TORCH[rule](reference.parameters())
    for _ in range(2):
        for net, optimizer in ((model, provable), (reference, plain)):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
    gap = max(
        (a - b).abs().max().item()
        for a, b in zip(model.parameters(), reference.parameters(), strict=True)
    )
    assert gap < TOLERANCE[rule]
    record = bundle.log.records[1]
    assert record.optimizer.name == rule
    assert record.optimizer.inputs == config.inputs
    outcome = prove_pairs(
        bundle,
        pool=pool,
        artifacts=artifacts,
        witness_dir=default_witness_dir(root),
        pairs=[(1, 0)],
    )
    assert outcome.failed == []
    assert verify_log(root).ok  # the chain and the state links between the two steps hold
    report = check_proofs(root, pool=pool, pairs=[(1, 0)])
    assert report.ok, [str(p) for p in report.all_problems]
    assert report.verified == 1
