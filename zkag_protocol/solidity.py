"""Compiling Solidity through py-solc-x and the solc shim (the npm WebAssembly compiler)."""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import solcx
from solcx.exceptions import SolcError

from zkag_protocol.errors import CompileError
from zkag_protocol.toolchain import find_tool

# Pinned explicitly: solc 0.8.37 defaults to osaka, which not every node supports.
DEFAULT_EVM_VERSION = "cancun"


@dataclass(frozen=True)
class CompiledContract:
    """What deploying and calling a contract needs."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str  # creation code, hex without 0x
    deployed_bytecode: str


def _first_error(exc: SolcError) -> str:
    """The compiler's first error as 'file:line:col: Type: message'."""
    for error in exc.error_dict or []:
        if error.get("severity") != "error":
            continue
        # formattedMessage carries the position as "--> File.sol:line:col:"
        position = re.search(r"--> (\S+?):?\n", error.get("formattedMessage", ""))
        where = (
            position.group(1) if position else (error.get("sourceLocation") or {}).get("file", "?")
        )
        return f"{where}: {error.get('type', 'Error')}: {error.get('message', '').rstrip('.')}"
    return exc.message.strip().splitlines()[0] if exc.message else "unknown compiler error"


def compile_sources(
    sources: dict[str, str],
    *,
    base_path: Path | None = None,
    evm_version: str = DEFAULT_EVM_VERSION,
    optimizer_runs: int = 200,
) -> dict[str, CompiledContract]:
    """Compile in-memory sources (unit name -> text); imports resolve under ``base_path``.

    The optimizer is always on and the legacy pipeline used: EZKL's generated verifiers fail
    with stack-too-deep otherwise (shared/notes/toolchain.md).
    """
    standard_input = {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": {
            "optimizer": {"enabled": True, "runs": optimizer_runs},
            "evmVersion": evm_version,
            "outputSelection": {
                "*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}
            },
        },
    }
    try:
        output = solcx.compile_standard(
            standard_input,
            base_path=str(base_path) if base_path else None,
            allow_paths=[str(base_path)] if base_path else None,
            solc_binary=find_tool("solc"),
        )
    except SolcError as exc:
        raise CompileError(f"solidity compilation failed: {_first_error(exc)}") from exc
    contracts: dict[str, CompiledContract] = {}
    for unit in output.get("contracts", {}).values():
        for name, artefact in unit.items():
            contracts[name] = CompiledContract(
                name=name,
                abi=artefact["abi"],
                bytecode=artefact["evm"]["bytecode"]["object"],
                deployed_bytecode=artefact["evm"]["deployedBytecode"]["object"],
            )
    if not contracts:
        raise CompileError(f"solidity compilation produced no contracts from {sorted(sources)}")
    return contracts
