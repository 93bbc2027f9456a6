"""Real EVMs: anvil started on a free loopback port and stopped, and in-process py-evm."""

import ast
import os
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest
from eth_tester.exceptions import TransactionFailed
from web3 import HTTPProvider, Web3
from web3.exceptions import ContractCustomError

from tests.conftest import deploy
from zkag_protocol.anvil import local_anvil
from zkag_protocol.errors import ChainError


def revert_data(exc: BaseException) -> bytes:
    """Revert data from either node: anvil gives hex in ``.data``, eth-tester a bytes literal."""
    if isinstance(exc, ContractCustomError):
        return bytes.fromhex(str(exc.data).removeprefix("0x"))
    message = str(exc.args[0])
    return ast.literal_eval(message.removeprefix("execution reverted: "))


def test_deploy_call_and_revert(w3: Web3, counter) -> None:
    contract = deploy(w3, counter)
    sender = w3.eth.accounts[0]
    receipt = w3.eth.wait_for_transaction_receipt(
        contract.functions.increment(5).transact({"from": sender})
    )
    assert contract.functions.count().call() == 5
    (event,) = contract.events.Incremented().process_receipt(receipt)
    assert event["args"]["by"] == sender
    assert event["args"]["value"] == 5
    # A call surfaces the custom error with its argument ...
    with pytest.raises((ContractCustomError, TransactionFailed)) as raised:
        contract.functions.increment(996).call({"from": sender})
    expected = Web3.keccak(text="CounterTooLarge(uint256)")[:4] + (1001).to_bytes(32, "big")
    assert revert_data(raised.value) == expected
    # ... and a sent transaction is mined as failed and changes nothing.
    tx = contract.functions.increment(996).transact({"from": sender, "gas": 200_000})
    assert w3.eth.wait_for_transaction_receipt(tx)["status"] == 0
    assert contract.functions.count().call() == 5


def test_anvil_binds_loopback_and_is_stopped(tmp_path: Path) -> None:
    with local_anvil(log_dir=tmp_path) as chain:
        url = urlparse(chain.rpc_url)
        assert url.hostname == "127.0.0.1"
        assert Web3(HTTPProvider(chain.rpc_url)).eth.chain_id == chain.chain_id == 31337
        pid, port = chain.pid, url.port
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, (
            "anvil still listens after the fixture ended"
        )


def test_anvil_is_stopped_when_the_block_raises(tmp_path: Path) -> None:
    started: list[int] = []

    def crash_inside() -> None:
        with local_anvil(log_dir=tmp_path) as chain:
            started.append(chain.pid)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        crash_inside()
    (pid,) = started
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_anvil_failing_to_start_is_a_clear_error(tmp_path: Path) -> None:
    with (
        pytest.raises(ChainError, match="anvil exited with code"),
        local_anvil(log_dir=tmp_path, extra_args=("--no-such-flag",)),
    ):
        pass
