"""Optimizer step circuits: small torch modules exported to ONNX for EZKL, and their settings.

One circuit proves one optimizer step on one chunk of D parameters. Everything runs at one
fixed-point scale (2^-32 by default) so that the outputs of step t, quantized, are bit for bit
the inputs of step t+1, and their Poseidon commitments link.

Adam and AdamW work on pre-scaled tensors (K = 2^10, a power of two, so scaling is exact):
g*K, m*K and v*K^2. Adam is invariant to that scaling apart from eps, which enters as eps*K.
Without it, v ~ 1e-11 and 1/denominator ~ 1e8 do not fit one scale (shared/notes/ezkl.md).
Hyperparameters that change from step to step (the learning rate, the bias corrections from
t) are a small public input tensor ``h``. Constants of the run (betas, momentum, weight decay)
are folded into the circuit and so into its id. See docs/prover.md.
"""

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import torch
from torch import nn

OPTIMIZERS = ("adam", "adamw", "sgd", "sgd-momentum")


@dataclass(frozen=True)
class StateTensor:
    """An optimizer state tensor carried between steps: its circuit name, torch key, K power."""

    name: str
    key: str
    k_power: int


STATE = {
    "adam": (StateTensor("m", "exp_avg", 1), StateTensor("v", "exp_avg_sq", 2)),
    "adamw": (StateTensor("m", "exp_avg", 1), StateTensor("v", "exp_avg_sq", 2)),
    "sgd": (),
    "sgd-momentum": (StateTensor("b", "momentum_buffer", 0),),
}
# Constants of each rule, folded into the circuit and recorded in every step's hyperparameters.
CONSTANTS = {
    "adam": ("beta1", "beta2", "grad_bound"),
    "adamw": ("beta1", "beta2", "weight_decay", "grad_bound"),
    "sgd": ("grad_bound",),
    "sgd-momentum": ("momentum", "grad_bound"),
}


@dataclass(frozen=True)
class CircuitConfig:
    """Everything that determines a step circuit; hashed (canonically) into the circuit id."""

    optimizer: str = "adam"
    chunk_size: int = 16
    logrows: int = 15
    scale_bits: int = 32  # input, parameter and output scale alike
    decomp_base_bits: int = 14  # range checks in legs of 2^14: a 2^14-row table fits logrows 15
    decomp_legs: int = 4  # 4 legs pass every measured regime at K = 2^10 (5 cost 15% more rows)
    # Adam's K = 2^10 with |g| clipped to 4: |g * K| <= 2^12. Measured (docs/prover.md): with
    # K = 2^14, mock fails once |g| > ~0.1 whatever the legs; K = 2^12 fails at |g| ~ 1-4.
    prescale_bits: int = 10
    grad_bound: str = "4"
    # h[1] (eps in K-units) is at least 2^-20: with a smaller additive term the reciprocal of a
    # denominator where v = 0 (padding, dead units) fails in EZKL (measured). Binding only for
    # t < ~10 at eps = 1e-8; the effective eps then is 2^-20 / (K * sqrt(1 - b2^t)).
    denominator_floor_bits: int = 20
    beta1: str = "0.9"
    beta2: str = "0.999"
    weight_decay: str = "0.01"  # adamw
    momentum: str = "0.9"  # sgd-momentum

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.chunk_size < 1:
            raise ValueError(f"chunk_size must be >= 1, got {self.chunk_size}")

    @property
    def prescale(self) -> float:
        """K for Adam-family rules; SGD needs no pre-scaling."""
        return float(2**self.prescale_bits) if self.optimizer in ("adam", "adamw") else 1.0

    @property
    def state(self) -> tuple[StateTensor, ...]:
        return STATE[self.optimizer]

    @property
    def constants(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in CONSTANTS[self.optimizer]}

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @property
    def inputs(self) -> tuple[str, ...]:
        """Committed inputs in circuit order; ``h`` holds the step's public hyperparameters."""
        return ("w", "g", *(s.name for s in self.state), "h")

    @property
    def outputs(self) -> tuple[str, ...]:
        return ("w", *(s.name for s in self.state))


class AdamStep(nn.Module):
    """One Adam(W) step on K-scaled moments; h = [lr_t * c, eps * K * c (floored), (1 - lr wd)].

    m1 = m + (1 - b1)(g - m);  v1 = v + (1 - b2)(g^2 - v);
    w1 = w * h2 - h0 * m1 / (sqrt(v1) + h1)     (AdamW; Adam has no h2)
    which equals w - lr/(1-b1^t) * m1 / (sqrt(v1/(1-b2^t)) + eps) with c = sqrt(1-b2^t).
    """

    def __init__(self, beta1: float, beta2: float, decoupled: bool = False) -> None:
        super().__init__()
        self.one_minus_b1 = 1.0 - beta1
        self.one_minus_b2 = 1.0 - beta2
        self.decoupled = decoupled

    def forward(
        self, w: torch.Tensor, g: torch.Tensor, m: torch.Tensor, v: torch.Tensor, h: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        m1 = m + self.one_minus_b1 * (g - m)
        v1 = v + self.one_minus_b2 * (g * g - v)
        step = m1 * torch.reciprocal(torch.sqrt(v1) + h[:, 1:2]) * h[:, 0:1]
        w1 = (w * h[:, 2:3] if self.decoupled else w) - step
        return w1, m1, v1


class SgdStep(nn.Module):
    """One plain SGD step: w1 = w - lr * g, with h = [lr]."""

    def forward(self, w: torch.Tensor, g: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        return w - g * h[:, 0:1]


class SgdMomentumStep(nn.Module):
    """torch SGD with momentum (no dampening, not Nesterov): b1 = mu b + g; w1 = w - lr b1."""

    def __init__(self, momentum: float) -> None:
        super().__init__()
        self.momentum = momentum

    def forward(
        self, w: torch.Tensor, g: torch.Tensor, b: torch.Tensor, h: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        b1 = self.momentum * b + g
        return w - b1 * h[:, 0:1], b1


def build_module(config: CircuitConfig) -> nn.Module:
    if config.optimizer in ("adam", "adamw"):
        return AdamStep(
            float(config.beta1), float(config.beta2), decoupled=config.optimizer == "adamw"
        )
    if config.optimizer == "sgd-momentum":
        return SgdMomentumStep(float(config.momentum))
    return SgdStep()


def step_hyperparameters(config: CircuitConfig, hyperparameters: Mapping[str, str]) -> list[float]:
    """The public input ``h`` of a step, computed in float64 from the record's decimal strings.

    Adam: [lr / (1 - b1^t) * sqrt(1 - b2^t), max(eps * K * sqrt(1 - b2^t), 2^-floor)];
    AdamW: the same and 1 - lr * weight_decay; SGD (with or without momentum): [lr].
    The verifier recomputes it the same way, so the order of operations here is part of the format.
    """
    lr = float(hyperparameters["lr"])
    if config.optimizer in ("sgd", "sgd-momentum"):
        return [lr]
    t = int(hyperparameters["t"])
    beta1, beta2, eps = float(config.beta1), float(config.beta2), float(hyperparameters["eps"])
    root_c2 = math.sqrt(1.0 - beta2**t)
    floor = 2.0**-config.denominator_floor_bits
    h = [lr / (1.0 - beta1**t) * root_c2, max(eps * config.prescale * root_c2, floor)]
    if config.optimizer == "adamw":
        h.append(1.0 - lr * float(config.weight_decay))
    return h


def example_inputs(config: CircuitConfig) -> tuple[torch.Tensor, ...]:
    """Representative float64 inputs for export (shape [1, D]; h [1, n])."""
    generator = torch.Generator().manual_seed(0)
    d = config.chunk_size

    def sample(scale: float) -> torch.Tensor:
        return torch.randn(1, d, generator=generator, dtype=torch.float64) * scale

    hyper = {"lr": "0.001", "t": "1", "eps": "1e-08"}
    h = torch.tensor([step_hyperparameters(config, hyper)], dtype=torch.float64)
    k = config.prescale
    state = [
        sample(1e-3) * k if s.k_power == 1 else sample(1e-3).abs() * k**s.k_power
        for s in config.state
    ]
    return (sample(0.1), sample(1e-2) * k, *state, h)


def export_onnx(config: CircuitConfig, path: str) -> None:
    """Write the step circuit's ONNX graph (float64 inputs: EZKL parses float32 lossily)."""
    torch.onnx.export(
        build_module(config),
        example_inputs(config),
        path,
        input_names=list(config.inputs),
        output_names=[f"{name}_out" for name in config.outputs],
        dynamo=False,
        opset_version=17,
    )
