"""ProvableOptimizer: Adam, AdamW or SGD whose every update is exactly what its circuit proves.

On ``step()`` it flattens the trainable parameters into chunks of D, clips the gradient to the
circuit's bound, snaps every value to the circuit's 2^-32 grid, and runs the step circuit's
witness for each chunk in EZKL workers. It then writes the circuit's outputs back into the
parameters and the Adam moments, bit for bit, so step t+1 starts from what step t's proof
attests. The Poseidon commitments from the witness, and the step's hyperparameters, go into a
durable step record. Witness files (weights and gradients: private) are kept in
``witness_dir`` for proving now or later.

Parameters must be float64: a float32 copy of a 2^-32-grid value is not the attested value.
"""

from collections.abc import Callable, Iterable
from pathlib import Path

import torch

from prover.artifacts import CircuitArtifacts, WitnessResult
from prover.circuits import CircuitConfig, step_hyperparameters
from prover.fixedpoint import dequantize, felt_to_word, snap, snap_float
from prover.workers import ProverPool
from zkag_protocol.bundle import RunBundle
from zkag_protocol.errors import UsageError
from zkag_protocol.records import ChunkCommitments, OptimizerSpec


def default_witness_dir(run_dir: Path) -> Path:
    """Witnesses hold weights and gradients: kept beside the bundle, never inside it."""
    return run_dir.parent / f"{run_dir.name}.witness"


def witness_path(witness_dir: Path, step: int, chunk: int) -> Path:
    return witness_dir / f"step-{step:06d}" / f"chunk-{chunk:04d}.json"


class ProvableOptimizer(torch.optim.Optimizer):
    """The circuit's rule (adam, adamw, sgd, sgd-momentum), in its fixed-point arithmetic.

    Constants (betas, weight decay, momentum, gradient bound) come from the circuit config;
    ``lr`` and ``eps`` are per step and may be changed in ``param_groups[0]`` between steps.
    """

    def __init__(
        self,
        params: Iterable[torch.nn.Parameter],
        *,
        lr: float = 1e-3,
        eps: float = 1e-8,
        config: CircuitConfig,
        artifacts: CircuitArtifacts,
        pool: ProverPool,
        bundle: RunBundle,
        witness_dir: Path,
    ) -> None:
        super().__init__(params, {"lr": lr, "eps": eps})
        if len(self.param_groups) != 1:
            raise UsageError(
                "ProvableOptimizer takes one parameter group: one step record per step"
            )
        for index, param in enumerate(self.params):
            if param.dtype != torch.float64:
                raise UsageError(
                    f"parameter {index} is {param.dtype}; ProvableOptimizer needs float64 "
                    "parameters (model.double()) so the weights used are the weights proven"
                )
        self.config, self.artifacts, self.pool = config, artifacts, pool
        self.bundle, self.witness_dir = bundle, witness_dir
        self.size = sum(p.numel() for p in self.params)
        self.chunks = -(-self.size // config.chunk_size)

    @property
    def params(self) -> list[torch.nn.Parameter]:
        return list(self.param_groups[0]["params"])

    def hyperparameters(self, t: int) -> dict[str, str]:
        """The step's hyperparameters as recorded: decimal strings, exactly as used."""
        group = self.param_groups[0]
        hyper = {"lr": repr(float(group["lr"])), **self.config.constants}
        if self.config.optimizer in ("adam", "adamw"):
            hyper.update(eps=repr(float(group["eps"])), t=str(t))
        return hyper

    def _flat_state(self, key: str) -> torch.Tensor:
        parts = [self.state[p].get(key, torch.zeros_like(p)) for p in self.params]
        return torch.cat([part.reshape(-1) for part in parts])

    def _padded(self, flat: torch.Tensor) -> list[list[float]]:
        d = self.config.chunk_size
        padded = torch.zeros(self.chunks * d, dtype=torch.float64)
        padded[: flat.numel()] = flat
        return padded.reshape(self.chunks, d).tolist()

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:  # type: ignore[override]
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for index, param in enumerate(self.params):
            if param.grad is None:
                raise UsageError(
                    f"parameter {index} has no gradient: every parameter is proven every step"
                )
        step = len(self.bundle.log)
        hyper = self.hyperparameters(step + 1)
        scale, k = self.config.scale_bits, self.config.prescale
        bound = float(self.config.grad_bound)
        w = snap(torch.cat([p.reshape(-1) for p in self.params]), scale)
        # Every parameter has a gradient (checked above); the filter only narrows the type.
        grads = [p.grad.reshape(-1) for p in self.params if p.grad is not None]
        g = torch.cat(grads).to(torch.float64).clamp(-bound, bound)
        tensors = [
            w,
            snap(g * k, scale),
            *(snap(self._flat_state(s.key) * k**s.k_power, scale) for s in self.config.state),
        ]
        h = [snap_float(value, scale) for value in step_hyperparameters(self.config, hyper)]
        chunked = [self._padded(t) for t in tensors]
        jobs = [
            ([*(tensor[c] for tensor in chunked), h], witness_path(self.witness_dir, step, c))
            for c in range(self.chunks)
        ]
        results = self.pool.witnesses(self.artifacts, jobs)
        self._write_back(results, k)
        self.bundle.append(
            self.bundle.log.next_record(
                optimizer=OptimizerSpec(
                    name=self.config.optimizer,
                    hyperparameters=hyper,
                    inputs=self.config.inputs,
                    outputs=self.config.outputs,
                ),
                chunks=[
                    ChunkCommitments(
                        index=c,
                        circuit_id=self.artifacts.circuit_id,
                        inputs=tuple(felt_to_word(x) for x in result.input_hashes),
                        outputs=tuple(felt_to_word(x) for x in result.output_hashes),
                    )
                    for c, result in enumerate(results)
                ],
            )
        )
        return loss

    def _write_back(self, results: list[WitnessResult], k: float) -> None:
        """Set weights and state to the circuit's outputs, exactly (K is a power of two)."""
        scale = self.config.scale_bits

        def output(index: int) -> torch.Tensor:
            values = [dequantize(x, scale) for r in results for x in r.outputs[index]]
            return torch.tensor(values, dtype=torch.float64)[: self.size]

        w1 = output(0)
        state = {s.key: output(i + 1) / k**s.k_power for i, s in enumerate(self.config.state)}
        offset = 0
        for param in self.params:
            n = param.numel()
            param.copy_(w1[offset : offset + n].view_as(param))
            for key, values in state.items():
                self.state[param][key] = values[offset : offset + n].view_as(param).clone()
            offset += n
