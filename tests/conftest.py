"""Shared fixtures: real chains (anvil on a free loopback port, py-evm in process), contracts."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web3 import EthereumTesterProvider, HTTPProvider, Web3
from web3.contract import Contract

from zkag_protocol.anvil import LocalChain, local_anvil
from zkag_protocol.solidity import CompiledContract, compile_sources

COUNTER_SOURCE = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice The smallest contract with state, an event and a custom error: a toolchain smoke test.
contract Counter {
    error CounterTooLarge(uint256 value);
    event Incremented(address indexed by, uint256 value);

    uint256 public count;

    function increment(uint256 by) external {
        if (count + by > 1000) revert CounterTooLarge(count + by);
        count += by;
        emit Incremented(msg.sender, count);
    }
}
"""

# py-evm's gas estimation is slow on large contracts; an explicit limit keeps tests quick.
DEPLOY_GAS = 10_000_000


@pytest.fixture(scope="session")
def counter() -> CompiledContract:
    return compile_sources({"Counter.sol": COUNTER_SOURCE})["Counter"]


@pytest.fixture
def anvil(tmp_path: Path) -> Iterator[LocalChain]:
    """A fresh anvil per test, on a free 127.0.0.1 port, stopped afterwards whatever happens."""
    with local_anvil(log_dir=tmp_path) as chain:
        yield chain


def deploy(w3: Web3, compiled: CompiledContract, *args: Any) -> Contract:
    """Deploy from the first funded account and return the bound contract."""
    factory = w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
    tx = factory.constructor(*args).transact({"from": w3.eth.accounts[0], "gas": DEPLOY_GAS})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1, f"deploying {compiled.name} failed"
    return w3.eth.contract(address=receipt["contractAddress"], abi=compiled.abi)


@pytest.fixture(params=["anvil", "py-evm"])
def w3(request: pytest.FixtureRequest) -> Web3:
    """The same tests against both real EVMs zkag supports."""
    if request.param == "anvil":
        chain: LocalChain = request.getfixturevalue("anvil")
        return Web3(HTTPProvider(chain.rpc_url))
    return Web3(EthereumTesterProvider())
