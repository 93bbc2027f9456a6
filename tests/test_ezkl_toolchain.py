"""EZKL accepts the shim: a real proof, its generated verifier compiled by us, checked on anvil."""

import subprocess
import sys
from pathlib import Path

import pytest
from eth_abi import decode, encode
from web3 import HTTPProvider, Web3

from tests.conftest import deploy
from zkag_protocol.solidity import compile_sources

HELPER = Path(__file__).parent / "helpers" / "ezkl_tiny_verifier.py"


@pytest.fixture(scope="module")
def tiny_verifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ezkl")
    result = subprocess.run(
        [sys.executable, str(HELPER), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    for name in ("Verifier.sol", "proof.json", "calldata.bin"):
        assert (out / name).is_file(), (
            f"{name} not written:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )
    return out


def test_generated_verifier_accepts_the_proof_and_rejects_a_tampered_one(
    tiny_verifier: Path, anvil
) -> None:
    verifier = compile_sources({"Verifier.sol": (tiny_verifier / "Verifier.sol").read_text()})[
        "Halo2Verifier"
    ]
    w3 = Web3(HTTPProvider(anvil.rpc_url))
    contract = deploy(w3, verifier)
    calldata = (tiny_verifier / "calldata.bin").read_bytes()

    def verify(data: bytes) -> bool:
        try:
            answer = w3.eth.call(
                {"to": contract.address, "data": "0x" + data.hex(), "gas": 5_000_000}
            )
        except Exception:  # a verifier that reverts on a bad proof also rejects it
            return False
        return int.from_bytes(answer, "big") == 1

    assert verify(calldata)
    # verifyProof(bytes proof, uint256[] instances): change the last instance (an output of
    # y = 2x + 1) by one and re-encode.
    selector, (proof, instances) = calldata[:4], decode(["bytes", "uint256[]"], calldata[4:])
    tampered = [*instances[:-1], instances[-1] + 1]
    assert not verify(selector + encode(["bytes", "uint256[]"], [proof, tampered]))
    assert verify(selector + encode(["bytes", "uint256[]"], [proof, list(instances)]))
