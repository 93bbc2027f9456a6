"""The installed ``zkag`` console script: help, version, doctor and the demo."""

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from zkag_protocol import __version__
from zkag_protocol.demo import task
from zkag_protocol.demo.config import TaskConfig
from zkag_protocol.toolchain import TOOLS

ZKAG = Path(sys.executable).parent / "zkag"


def zkag(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ZKAG), *args], capture_output=True, text=True, env=env, timeout=600, check=False
    )


def test_console_script_is_installed_in_the_venv() -> None:
    assert ZKAG.is_file()


def test_help_lists_the_commands() -> None:
    result = zkag("--help")
    assert result.returncode == 0
    for command in ("version", "doctor", "demo"):
        assert command in result.stdout


def test_version() -> None:
    result = zkag("version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"zkag {__version__}"


def test_doctor_finds_every_tool() -> None:
    result = zkag("doctor", "--json")
    report = json.loads(result.stdout)
    problems = [check for check in report["checks"] if not check["ok"]]
    assert result.returncode == 0, problems
    assert report["ok"] is True
    names = {check["name"] for check in report["checks"]}
    assert {tool.name for tool in TOOLS} | {"python", "torch", "ezkl", "eth-ape", "web3"} <= names
    versions = {check["name"]: check["version"] for check in report["checks"]}
    assert versions["anvil"]
    assert versions["forge"]
    assert versions["solc"].endswith("Emscripten.clang")


def test_doctor_names_a_tool_missing_from_path(tmp_path: Path) -> None:
    """Every tool but anvil on PATH: doctor names anvil, says how to get it, and fails."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool.name)
        assert found, f"{tool.name} must be on PATH for this test"
        if tool.name != "anvil":
            (bin_dir / tool.name).symlink_to(found)
    env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    assert shutil.which("anvil", path=env["PATH"]) is None
    result = zkag("doctor", env=env)
    assert result.returncode == 1
    flat = " ".join(result.stdout.split())
    assert "anvil: anvil not found on PATH" in flat
    assert "@foundry-rs/anvil-linux-amd64" in flat
    assert "make setup" in flat
    assert "1 missing or wrong: anvil" in flat


def test_demo_writes_a_bundle_and_names_unbuilt_stages(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = zkag("demo", "--out", str(out), "--steps", "3", "--prove", "none", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    log_check = summary.pop("log")
    assert summary == json.loads((out / "demo.json").read_text())
    assert log_check["ok"] is True
    assert log_check["records"] == 3
    assert log_check["epochs"] == 2  # epochs of 2 steps: 2 + 1
    status = {stage["stage"]: stage["status"] for stage in summary["stages"]}
    assert status["train"] == status["log"] == status["prove"] == "done"
    assert {name for name, value in status.items() if value == "not built"} == {
        "anchor",
        "attest",
        "publish",
        "verify",
        "index",
    }
    training = json.loads((out / "training.json").read_text())
    assert len(training["loss_per_step"]) == 3
    assert all(math.isfinite(loss) for loss in training["loss_per_step"])
    for name in (
        "model.pt",
        "steps.jsonl",
        "epochs.json",
        "manifest.json",
        "keys/vk.key",
        "keys/circuit.json",
    ):
        assert (out / name).is_file(), name
    assert (tmp_path / "run.witness").is_dir()  # private witnesses beside the bundle, not in it


def test_demo_proves_a_sample_and_the_cli_checks_it(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = zkag("demo", "--out", str(out), "--steps", "2", "--prove", "sample")
    assert result.returncode == 0, result.stderr
    assert "not built yet (issue 5)" in result.stdout
    assert "1 verified" in result.stdout
    assert "development SRS" in result.stdout
    check = zkag("verify-proofs", str(out), "--json")
    report = json.loads(check.stdout)
    assert check.returncode == 1  # only one of the two steps' chunks is proven
    assert report["verified"] == 1
    assert any(
        p["where"] == "step 0 chunk 0" and p["what"].startswith("no proof")
        for p in report["problems"]
    )
    proved = zkag("prove", str(out), "--mode", "sample", "--pairs", "0:0,0:1,1:1")
    assert proved.returncode == 0, proved.stdout + proved.stderr
    assert zkag("verify-proofs", str(out)).returncode == 0
    assert zkag("log", "verify", str(out)).returncode == 0


def test_demo_refuses_a_non_empty_out_dir_and_keeps_its_files(tmp_path: Path) -> None:
    keep = tmp_path / "precious.txt"
    keep.write_text("mine")
    result = zkag("demo", "--out", str(tmp_path), "--steps", "1", "--prove", "none")
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"error: --out {tmp_path}: exists and is not an empty directory; choose another"
    )
    assert keep.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious.txt"]


@pytest.mark.parametrize(
    "args",
    [
        ["demo", "--steps", "0"],
        ["demo", "--no-such-option"],
        ["demo", "--prove", "most"],
        ["prove", "/nonexistent", "--mode", "sample"],
        ["prove", "/nonexistent", "--mode", "sample", "--pairs", "0-1"],
        ["verify-proofs", "/nonexistent"],
        ["nonsense"],
    ],
)
def test_bad_arguments_are_usage_errors(args: list[str]) -> None:
    result = zkag(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_fine_tuning_is_deterministic_and_learns() -> None:
    config = TaskConfig(steps=6)
    data = task.load(config)
    runs = []
    for _ in range(2):
        model = task.pretrain(config, data)
        optimizer = torch.optim.Adam(model[2].parameters(), lr=config.lr)
        runs.append((task.fine_tune(config, model, data, optimizer), task.accuracy(model, data)))
    assert runs[0] == runs[1]
    assert runs[0][0][-1] < runs[0][0][0]


def test_prove_checks_a_ceremony_srs_hash(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert zkag("demo", "--out", str(out), "--steps", "1", "--prove", "none").returncode == 0
    srs = next((out / "keys").glob("srs-dev-*.srs"))
    alone = zkag("prove", str(out), "--srs", str(srs))
    assert alone.returncode == 2
    assert "--srs and --srs-sha256 go together" in alone.stderr
    wrong = zkag("prove", str(out), "--srs", str(srs), "--srs-sha256", "00" * 32)
    assert wrong.returncode == 1
    assert f"{srs}: sha256 is " in wrong.stderr
    assert f"expected {'00' * 32}" in wrong.stderr
