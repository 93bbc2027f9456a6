"""The prover end to end on tiny circuits: a real training run, every proof, and forgeries.

Logrows 15 with D=64 proves in about as long as D=16 (shared/notes/ezkl.md; ~8 s a proof here),
so the proven run below uses D=64: 2 trainable tensors, 156 parameters, 3 chunks, 2 steps.
"""

import copy as copy_module
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from prover.artifacts import SrsChoice
from prover.circuits import CircuitConfig, step_hyperparameters
from prover.fixedpoint import dequantize, felt_from_hex, felt_to_hex, felt_to_word
from prover.optimizer import ProvableOptimizer, default_witness_dir, witness_path
from prover.proof_check import check_proofs
from prover.proving import all_pairs, proof_path, prove_pairs
from prover.workers import ProverPool
from zkag_protocol.bundle import RunBundle
from zkag_protocol.errors import UsageError
from zkag_protocol.records import StepRecord

ROOT = Path(__file__).resolve().parents[1]
CONFIG = CircuitConfig(chunk_size=64)


@pytest.fixture(scope="module")
def pool() -> ProverPool:
    with ProverPool(2) as workers:
        yield workers


@pytest.fixture(scope="module")
def artifacts(pool: ProverPool):
    return pool.build(CONFIG, SrsChoice("dev"))


def start_run(
    root: Path, params, pool: ProverPool, artifacts, lr: float = 1e-2
) -> tuple[RunBundle, ProvableOptimizer]:
    """A new bundle at ``root`` and a ProvableOptimizer appending to it, witnesses beside it."""
    bundle = RunBundle.create(root, run_id=os.urandom(32))
    optimizer = ProvableOptimizer(
        params,
        lr=lr,
        config=CONFIG,
        artifacts=artifacts,
        pool=pool,
        bundle=bundle,
        witness_dir=default_witness_dir(root),
    )
    return bundle, optimizer


def train(
    root: Path, pool: ProverPool, artifacts, *, steps: int, seed: int = 0
) -> tuple[RunBundle, torch.nn.Module]:
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Linear(12, 12)
    ).double()  # weight and bias: 2 tensors, 156 parameters
    head = torch.randn(12, 3, dtype=torch.float64)
    x = torch.randn(64, 12, dtype=torch.float64)
    y = torch.randint(0, 3, (64,))
    bundle, optimizer = start_run(root, model.parameters(), pool, artifacts)
    for _ in range(steps):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(torch.tanh(model(x)) @ head, y).backward()
        optimizer.step()
    return bundle, model


@pytest.fixture(scope="module")
def proven(tmp_path_factory: pytest.TempPathFactory, pool: ProverPool, artifacts) -> Path:
    root = tmp_path_factory.mktemp("proven") / "run"
    bundle, _ = train(root, pool, artifacts, steps=2)
    outcome = prove_pairs(
        bundle,
        pool=pool,
        artifacts=artifacts,
        witness_dir=default_witness_dir(root),
        pairs=all_pairs(bundle.log.records),
    )
    assert outcome.failed == []
    assert len(outcome.proved) == 6
    return root


@pytest.fixture
def copy(proven: Path, tmp_path: Path) -> Path:
    target = tmp_path / "run"
    shutil.copytree(proven, target)
    shutil.copytree(default_witness_dir(proven), default_witness_dir(target))
    return target


def problems(root: Path, pool: ProverPool) -> str:
    report = check_proofs(root, pool=pool)
    assert not report.ok
    return "\n".join(str(p) for p in report.all_problems)


def test_every_proof_of_a_real_run_verifies_and_matches_the_log(
    proven: Path, pool: ProverPool
) -> None:
    report = check_proofs(proven, pool=pool)
    assert report.ok, [str(p) for p in report.all_problems]
    assert report.verified == 6
    manifest = json.loads((proven / "manifest.json").read_text())
    assert manifest["srs"]["kind"] == "dev"
    assert "DEVELOPMENT SRS" in manifest["srs"]["note"]
    assert {f["path"] for f in manifest["files"]} >= {
        "keys/vk.key",
        "keys/circuit.json",
        "proofs/step-000001/chunk-0002.json",
    }
    assert not any("witness" in f["path"] for f in manifest["files"])  # private inputs stay out


def test_a_sample_is_checked_with_the_auditors_seed(proven: Path, pool: ProverPool) -> None:
    first = check_proofs(proven, pool=pool, k=2, seed=7)
    again = check_proofs(proven, pool=pool, k=2, seed=7)
    assert first.ok
    assert first.checked == again.checked
    assert len(first.checked) == 2


def reference_step(params: list[torch.Tensor], state: dict, t: int, lr: float) -> None:
    """The circuit's update rule in float64: Adam with |g| clipped and the denominator floor."""
    h0, h1 = step_hyperparameters(CONFIG, {"lr": repr(lr), "t": str(t), "eps": "1e-08"})
    k = CONFIG.prescale
    for p in params:
        g = p.grad.clamp(-4, 4) * k
        m = state.setdefault(id(p), [torch.zeros_like(p), torch.zeros_like(p)])
        m[0] = m[0] + 0.1 * (g - m[0])
        m[1] = m[1] + 0.001 * (g * g - m[1])
        p.data -= h0 * m[0] / (torch.sqrt(m[1]) + h1)


def test_updates_are_the_circuits_and_track_torch_adam(
    tmp_path: Path, pool: ProverPool, artifacts
) -> None:
    bundle, model = train(tmp_path / "run", pool, artifacts, steps=3)
    torch.manual_seed(0)
    exact = torch.nn.Sequential(torch.nn.Linear(12, 12)).double()
    plain = copy_module.deepcopy(exact)
    head = torch.randn(12, 3, dtype=torch.float64)
    x, y = torch.randn(64, 12, dtype=torch.float64), torch.randint(0, 3, (64,))
    adam, state = torch.optim.Adam(plain.parameters(), lr=1e-2), {}
    for t in range(1, 4):
        for net in (exact, plain):
            net.zero_grad()
            torch.nn.functional.cross_entropy(torch.tanh(net(x)) @ head, y).backward()
        reference_step(list(exact.parameters()), state, t, 1e-2)
        adam.step()

    def gap(a: torch.nn.Module, b: torch.nn.Module) -> float:
        return max(
            (p - q).abs().max().item() for p, q in zip(a.parameters(), b.parameters(), strict=True)
        )

    assert gap(model, exact) < 1e-8  # fixed point vs the same rule in float64: precision only
    assert gap(model, plain) < 1e-5  # vs torch Adam: the early-step denominator floor shows
    # The weights in the model are exactly the circuit's outputs of the last step.
    witness = json.loads(witness_path(default_witness_dir(tmp_path / "run"), 2, 0).read_text())
    first = [dequantize(felt_from_hex(f), 32) for f in witness["outputs"][0][:3]]
    assert first == model[0].weight.reshape(-1)[:3].tolist()
    assert len(bundle.log) == 3


def test_float32_parameters_are_refused(pool: ProverPool, artifacts, tmp_path: Path) -> None:
    bundle = RunBundle.create(tmp_path / "run", run_id=os.urandom(32))
    with pytest.raises(UsageError, match="needs float64"):
        ProvableOptimizer(
            torch.nn.Linear(2, 2).parameters(),
            config=CONFIG,
            artifacts=artifacts,
            pool=pool,
            bundle=bundle,
            witness_dir=tmp_path / "w",
        )


def forge(copy: Path, mode: str, step: int, chunk: int, *extra: Path) -> None:
    config = copy / "keys" / "circuit.json"
    target = proof_path(copy, step, chunk)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.helpers.forge_proof",
            str(config),
            mode,
            str(witness_path(default_witness_dir(copy), step, chunk)),
            str(target),
            *map(str, extra),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "forged" in result.stdout, result.stderr[-2000:]


def test_an_update_off_by_one_lsb_is_caught(copy: Path, pool: ProverPool) -> None:
    """The last step claims a weight one LSB off: the honest proof no longer matches the record,
    and a proof whose instance is edited to match does not verify."""
    witness = json.loads(witness_path(default_witness_dir(copy), 1, 0).read_text())
    tampered = [felt_from_hex(f) for f in witness["outputs"][0]]
    tampered[0] += 1
    forged = pool.submit("poseidon", tampered).result()
    records = read_log(copy)
    last = records[1]
    chunk = last.chunks[0]
    chunks = (
        chunk.__class__(
            0, chunk.circuit_id, chunk.inputs, (felt_to_word(forged), *chunk.outputs[1:])
        ),
        *last.chunks[1:],
    )
    rewrite_log(
        copy, [records[0], StepRecord(last.run_id, 1, last.optimizer, chunks, last.prev_hash)]
    )
    text = problems(copy, pool)
    assert "step 1 chunk 0: proof instance output 'w' differs from the logged commitment" in text
    proof_file = proof_path(copy, 1, 0)
    proof = json.loads(proof_file.read_text())
    proof["instances"][0][len(CONFIG.inputs)] = felt_to_hex(forged)
    proof_file.write_text(json.dumps(proof))
    text = problems(copy, pool)
    assert "step 1 chunk 0: proof does not verify" in text
    assert "step 1 chunk 0: proof instance" not in text


def test_a_gradient_from_another_step_is_caught(copy: Path, pool: ProverPool) -> None:
    forge(copy, "gradient", 0, 1, witness_path(default_witness_dir(copy), 1, 1))
    text = problems(copy, pool)
    assert "step 0 chunk 1: proof instance input 'g' differs from the logged commitment" in text


def rewrite_log(copy: Path, records: list[StepRecord]) -> None:
    (copy / "steps.jsonl").write_bytes(b"".join(r.encode() + b"\n" for r in records))


def read_log(copy: Path) -> list[StepRecord]:
    return [StepRecord.decode(line) for line in (copy / "steps.jsonl").read_bytes().splitlines()]


def test_a_skipped_step_is_caught(copy: Path, pool: ProverPool) -> None:
    records = read_log(copy)
    rewrite_log(copy, records[1:])
    text = problems(copy, pool)
    assert "steps.jsonl line 1 (record 0): step is 1, expected 0" in text


def test_reordered_steps_are_caught(copy: Path, pool: ProverPool) -> None:
    records = read_log(copy)
    rewrite_log(copy, [records[1], records[0]])
    text = problems(copy, pool)
    assert "(record 0): step is 1, expected 0" in text
    assert "(record 1): step is 0, expected 1" in text


def test_a_wrong_learning_rate_is_caught_even_when_rechained(copy: Path, pool: ProverPool) -> None:
    records = read_log(copy)
    hyper = dict(records[0].optimizer.hyperparameters, lr="0.02")
    spec = records[0].optimizer.__class__(
        records[0].optimizer.name, hyper, records[0].optimizer.inputs, records[0].optimizer.outputs
    )
    first = StepRecord(records[0].run_id, 0, spec, records[0].chunks, records[0].prev_hash)
    second = StepRecord(records[1].run_id, 1, records[1].optimizer, records[1].chunks, first.hash())
    rewrite_log(copy, [first, second])
    text = problems(copy, pool)
    assert "step 0 chunk 0: commitment to h does not match lr=0.02 t=1" in text
    assert "step 0 chunk 2: commitment to h does not match lr=0.02 t=1" in text


def test_final_loss_is_within_one_percent_of_torch_adam_on_digits(
    tmp_path: Path, pool: ProverPool, artifacts
) -> None:
    """A real task: the digits head fine-tuned for 30 steps both ways, on identical batches."""
    from zkag_protocol.demo import task
    from zkag_protocol.demo.config import TaskConfig

    config = TaskConfig(steps=30)
    data = task.load(config)
    finals = []
    for provable in (True, False):
        model = task.pretrain(config, data)
        head = list(model[2].parameters())
        if provable:
            _, optimizer = start_run(tmp_path / "run", head, pool, artifacts, lr=config.lr)
        else:
            optimizer = torch.optim.Adam(head, lr=config.lr)
        task.fine_tune(config, model, data, optimizer)
        with torch.no_grad():
            finals.append(
                torch.nn.functional.cross_entropy(model(data.x_train), data.y_train).item()
            )
    provable_loss, adam_loss = finals
    assert abs(provable_loss - adam_loss) / adam_loss < 0.01, finals


def test_proving_during_training_with_the_background_prover(
    tmp_path: Path, pool: ProverPool, artifacts
) -> None:
    from prover.proving import BackgroundProver

    root = tmp_path / "run"
    torch.manual_seed(1)
    model = torch.nn.Linear(3, 3).double()  # 12 parameters: one chunk a step
    x, y = torch.randn(16, 3, dtype=torch.float64), torch.randint(0, 3, (16,))
    bundle, optimizer = start_run(root, model.parameters(), pool, artifacts)
    background = BackgroundProver(
        bundle, artifacts=artifacts, witness_dir=default_witness_dir(root)
    )
    for step in range(2):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
        background.submit_step(step)  # proving starts while the next step trains
    outcome = background.finish()
    assert outcome.proved == [(0, 0), (1, 0)]
    assert outcome.failed == []
    report = check_proofs(root, pool=pool)
    assert report.ok, [str(p) for p in report.all_problems]
