"""Build, prove and export an EVM verifier for a tiny real EZKL circuit (y = 2x + 1, 4 inputs).

Run as a child process, since EZKL can segfault at interpreter exit:
``python ezkl_tiny_verifier.py DIR``.
It writes Verifier.sol, proof.json and calldata.bin into DIR, using a locally generated
(development) SRS. create_evm_verifier compiles the verifier with the solc found at
~/.svm/0.8.20/solc-0.8.20, which setup links to the shim.
"""

import asyncio
import json
import os
import sys
from pathlib import Path

import ezkl
import torch


class AffineMap(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * 2 + 1


async def build(out: Path) -> None:
    sample = torch.rand(1, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    onnx, settings, compiled = out / "m.onnx", out / "settings.json", out / "m.ezkl"
    torch.onnx.export(
        AffineMap(), sample, onnx, input_names=["x"], output_names=["y"], dynamo=False
    )
    (out / "input.json").write_text(json.dumps({"input_data": [sample.flatten().tolist()]}))
    args = ezkl.PyRunArgs()
    args.input_visibility, args.output_visibility, args.param_visibility = (
        "public",
        "public",
        "fixed",
    )
    assert ezkl.gen_settings(str(onnx), str(settings), py_run_args=args)
    assert ezkl.calibrate_settings(str(out / "input.json"), str(onnx), str(settings), "resources")
    assert ezkl.compile_circuit(str(onnx), str(compiled), str(settings))
    logrows = json.loads(settings.read_text())["run_args"]["logrows"]
    ezkl.gen_srs(str(out / "dev.srs"), logrows)  # development SRS: tests only
    ezkl.gen_witness(str(out / "input.json"), str(compiled), str(out / "witness.json"))
    assert ezkl.setup(str(compiled), str(out / "vk.key"), str(out / "pk.key"), str(out / "dev.srs"))
    assert ezkl.mock(
        str(out / "witness.json"), str(compiled)
    )  # prove() does not check satisfiability
    ezkl.prove(
        str(out / "witness.json"),
        str(compiled),
        str(out / "pk.key"),
        str(out / "proof.json"),
        str(out / "dev.srs"),
    )
    assert ezkl.verify(
        str(out / "proof.json"), str(settings), str(out / "vk.key"), str(out / "dev.srs")
    )
    assert await ezkl.create_evm_verifier(
        str(out / "vk.key"),
        str(settings),
        str(out / "Verifier.sol"),
        str(out / "abi.json"),
        str(out / "dev.srs"),
    )
    ezkl.encode_evm_calldata(str(out / "proof.json"), str(out / "calldata.bin"))


if __name__ == "__main__":
    asyncio.run(build(Path(sys.argv[1])))
    sys.stdout.flush()
    os._exit(0)  # skip EZKL's interpreter-exit path; the written files are the result
