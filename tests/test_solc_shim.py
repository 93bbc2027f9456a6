"""The solc shim (tools/solc) behaves like the native CLI for the two modes zkag's tools use."""

import json
import re
import subprocess
import time
from pathlib import Path

import pytest
import solcx

from zkag_protocol.errors import CompileError
from zkag_protocol.solidity import compile_sources
from zkag_protocol.toolchain import find_tool, solcx_link

ROOT = Path(__file__).resolve().parents[1]
SHIM = ROOT / "tools" / "solc"


def standard_json(sources: dict[str, str], outputs: list[str]) -> str:
    return json.dumps(
        {
            "language": "Solidity",
            "sources": {name: {"content": text} for name, text in sources.items()},
            "settings": {"outputSelection": {"*": {"*": outputs}}},
        }
    )


def run_shim(
    *args: str, stdin: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SHIM), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_version_is_in_native_format() -> None:
    result = run_shim("--version")
    assert result.returncode == 0
    assert re.fullmatch(
        r"solc, the solidity compiler commandline interface\n"
        r"Version: \d+\.\d+\.\d+\+commit\.[0-9a-f]{8}\.Emscripten\.clang\n",
        result.stdout,
    )


def test_path_lookup_finds_the_shim() -> None:
    assert find_tool("solc").resolve() == SHIM.resolve()


def test_py_solc_x_compiles_through_the_shim(counter) -> None:
    assert any(entry["name"] == "increment" for entry in counter.abi)
    assert len(counter.bytecode) > 100
    assert counter.deployed_bytecode in counter.bytecode


def test_py_solc_x_sees_the_shim_as_an_installed_compiler() -> None:
    """ape-solidity picks compilers from py-solc-x's install folder; setup links the shim there."""
    version = solcx.wrapper.get_solc_version(SHIM)
    assert version in solcx.get_installed_solc_versions()
    assert solcx_link(str(version)).resolve() == SHIM.resolve()


def test_compile_error_is_reported_with_the_compiler_message() -> None:
    with pytest.raises(
        CompileError, match=r"Bad.sol:1:\d+: DeclarationError: Undeclared identifier"
    ):
        compile_sources(
            {"Bad.sol": "pragma solidity ^0.8.0; contract Bad { function f() external { x = 1; } }"}
        )


def test_output_larger_than_a_pipe_buffer_survives_a_slow_reader() -> None:
    """solcjs cuts piped output at 64 KiB when it exits early; the shim must not."""
    functions = "\n".join(
        f"function f{i}(uint a) external pure returns (uint) {{ return a * {i}; }}"
        for i in range(300)
    )
    source = (
        f"// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0; contract Big {{ {functions} }}"
    )
    process = subprocess.Popen(
        [str(SHIM), "--standard-json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(standard_json({"Big.sol": source}, ["abi", "evm.bytecode.object"]).encode())
    process.stdin.close()
    time.sleep(2)  # let the shim fill the pipe and block before anything is read
    raw = process.stdout.read()
    assert process.wait(timeout=60) == 0
    assert len(raw) > 65536
    assert len(json.loads(raw)["contracts"]["Big.sol"]["Big"]["abi"]) == 300


def test_imports_resolve_from_base_and_include_paths(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "lib").mkdir()
    (tmp_path / "base" / "B.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0; contract B {}\n"
    )
    (tmp_path / "lib" / "C.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0; contract C {}\n"
    )
    main = 'pragma solidity ^0.8.0; import "B.sol"; import "C.sol"; contract A is B, C {}'
    result = run_shim(
        "--base-path",
        str(tmp_path / "base"),
        "--include-path",
        str(tmp_path / "lib"),
        "--standard-json",
        stdin=standard_json({"A.sol": main}, ["abi"]),
    )
    output = json.loads(result.stdout)
    assert result.returncode == 0
    assert [e for e in output.get("errors", []) if e["severity"] == "error"] == []
    assert set(output["contracts"]) == {"A.sol", "B.sol", "C.sol"}


def test_imports_outside_allowed_directories_are_refused(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    secret = tmp_path / "outside.sol"
    secret.write_text("pragma solidity ^0.8.0; contract Outside {}\n")
    main = f'pragma solidity ^0.8.0; import "{secret}"; contract A {{}}'
    result = run_shim(
        "--base-path",
        str(tmp_path / "base"),
        "--standard-json",
        stdin=standard_json({"A.sol": main}, ["abi"]),
    )
    errors = [e["message"] for e in json.loads(result.stdout).get("errors", [])]
    assert any("outside the allowed directories" in message for message in errors), errors


def test_unsupported_arguments_fail_with_a_clear_message() -> None:
    result = run_shim("--bin", "A.sol")
    assert result.returncode == 2
    assert "unsupported argument '--bin'" in result.stderr
