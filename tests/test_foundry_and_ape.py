"""forge and ape-solidity compile and test through the shim, in throwaway projects."""

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import COUNTER_SOURCE
from zkag_protocol.toolchain import find_tool

ROOT = Path(__file__).resolve().parents[1]

COUNTER_TEST = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {Counter} from "../src/Counter.sol";

contract CounterTest {
    function test_increment() public {
        Counter c = new Counter();
        c.increment(2);
        require(c.count() == 2, "count");
    }
}
"""


@pytest.fixture
def foundry_project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "test").mkdir()
    (tmp_path / "src" / "Counter.sol").write_text(COUNTER_SOURCE)
    (tmp_path / "test" / "Counter.t.sol").write_text(COUNTER_TEST)
    (tmp_path / "foundry.toml").write_text(
        f'[profile.default]\nsrc = "src"\ntest = "test"\nsolc = "{find_tool("solc")}"\n'
        'offline = true\nevm_version = "cancun"\n'
    )
    return tmp_path


def forge_test(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(find_tool("forge")), "test"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_forge_builds_and_tests_with_the_shim(foundry_project: Path) -> None:
    result = forge_test(foundry_project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[PASS] test_increment()" in result.stdout


def test_forge_reports_a_failing_test(foundry_project: Path) -> None:
    test_file = foundry_project / "test" / "Counter.t.sol"
    test_file.write_text(test_file.read_text().replace("c.count() == 2", "c.count() == 3"))
    result = forge_test(foundry_project)
    assert result.returncode != 0
    assert "[FAIL" in result.stdout


def test_ape_solidity_compiles_with_the_shim(tmp_path: Path) -> None:
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "Counter.sol").write_text(COUNTER_SOURCE)
    (tmp_path / "ape-config.yaml").write_text(
        "name: smoke\nplugins:\n  - name: solidity\nsolidity:\n"
        f"  version: {_shim_version()}\n  evm_version: cancun\n"
    )
    ape = ROOT / ".venv" / "bin" / "ape"
    result = subprocess.run(
        [str(ape), "compile"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / ".build" / "__local__.json").read_text())
    counter = manifest["contractTypes"]["Counter"]
    assert any(item.get("name") == "increment" for item in counter["abi"])
    assert len(counter["deploymentBytecode"]["bytecode"]) > 100


def _shim_version() -> str:
    out = subprocess.run(
        [str(find_tool("solc")), "--version"], capture_output=True, text=True, check=True
    )
    return out.stdout.split("Version: ")[1].split("+")[0]
