"""The demo's training task: a small MLP fine-tuned on scikit-learn's digits (ships offline)."""

from collections.abc import Callable
from dataclasses import dataclass

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

from zkag_protocol.demo.config import TaskConfig


@dataclass(frozen=True)
class TaskResult:
    model: nn.Module
    parameter_count: int
    losses: list[float]
    test_accuracy_before: float
    test_accuracy_after: float


@dataclass(frozen=True)
class StepTensors:
    """One optimizer update, every tensor flattened over all parameters in model order."""

    step: int
    loss: float
    w_in: torch.Tensor
    g: torch.Tensor
    m_in: torch.Tensor
    v_in: torch.Tensor
    w_out: torch.Tensor
    m_out: torch.Tensor
    v_out: torch.Tensor


def _accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(x).argmax(dim=1) == y).float().mean())


def _flat(tensors: list[torch.Tensor]) -> torch.Tensor:
    return torch.cat([t.detach().reshape(-1) for t in tensors]).clone()


def _adam_state(optimizer: torch.optim.Adam, params: list[nn.Parameter], key: str) -> torch.Tensor:
    """Adam's moment ``key`` for every parameter (zeros before the first step creates it)."""
    return _flat([optimizer.state[p].get(key, torch.zeros_like(p)) for p in params])


def build_model(config: TaskConfig) -> nn.Module:
    """64 pixel inputs -> hidden ReLU layer -> 10 classes."""
    torch.manual_seed(config.seed)
    return nn.Sequential(nn.Linear(64, config.hidden), nn.ReLU(), nn.Linear(config.hidden, 10))


def train_digits(
    config: TaskConfig, *, on_step: Callable[[StepTensors], None] | None = None
) -> TaskResult:
    """Train with minibatches of the digits training split, reporting every update.

    The optimizer is plain ``torch.optim.Adam`` until the provable optimizer exists (issue 4).
    """
    digits = load_digits()
    x = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    y = torch.tensor(digits.target, dtype=torch.long)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.25, random_state=config.seed, stratify=y
    )
    model = build_model(config)
    params = list(model.parameters())
    optimizer = torch.optim.Adam(params, lr=config.lr, betas=config.betas, eps=config.eps)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(config.seed)
    accuracy_before = _accuracy(model, x_test, y_test)
    losses: list[float] = []
    for step in range(config.steps):
        batch = torch.randint(0, len(x_train), (config.batch_size,), generator=generator)
        optimizer.zero_grad()
        loss = loss_fn(model(x_train[batch]), y_train[batch])
        loss.backward()
        before = (_flat(params), _flat([p.grad for p in params]))  # type: ignore[misc]
        moments = (
            _adam_state(optimizer, params, "exp_avg"),
            _adam_state(optimizer, params, "exp_avg_sq"),
        )
        optimizer.step()
        losses.append(loss.item())
        if on_step is not None:
            on_step(
                StepTensors(
                    step=step,
                    loss=losses[-1],
                    w_in=before[0],
                    g=before[1],
                    m_in=moments[0],
                    v_in=moments[1],
                    w_out=_flat(params),
                    m_out=_adam_state(optimizer, params, "exp_avg"),
                    v_out=_adam_state(optimizer, params, "exp_avg_sq"),
                )
            )
    return TaskResult(
        model=model,
        parameter_count=sum(p.numel() for p in params),
        losses=losses,
        test_accuracy_before=accuracy_before,
        test_accuracy_after=_accuracy(model, x_test, y_test),
    )
