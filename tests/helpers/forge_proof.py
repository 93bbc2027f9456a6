"""Forge a proof the way a cheating prover would, in a child process (EZKL can crash at exit).

``python -m tests.helpers.forge_proof CONFIG_JSON gradient WITNESS OUT_PROOF OTHER_WITNESS``
reruns the step with the gradient taken from OTHER_WITNESS's inputs: a valid proof, but of
another statement than the one logged.
"""

import json
import os
import sys
from pathlib import Path

from prover import engine
from prover.artifacts import SrsChoice
from prover.circuits import CircuitConfig


def main() -> None:
    config = CircuitConfig(**json.loads(Path(sys.argv[1]).read_text()))
    mode, witness, out = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    artifacts = engine.build_circuit(config, SrsChoice("dev"))
    if mode == "gradient":
        inputs = json.loads(witness.with_suffix(".input.json").read_text())["input_data"]
        other = json.loads(Path(sys.argv[5]).with_suffix(".input.json").read_text())["input_data"]
        inputs[1] = other[1]
        forged = witness.parent / "forged.witness.json"  # private side, not the bundle
        engine.compute_witness(artifacts, inputs, forged)
        engine.prove(artifacts, forged, out)
    print("forged", flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
