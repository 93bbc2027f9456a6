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


def _accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(x).argmax(dim=1) == y).float().mean())


def build_model(config: TaskConfig) -> nn.Module:
    """64 pixel inputs -> hidden ReLU layer -> 10 classes."""
    torch.manual_seed(config.seed)
    return nn.Sequential(nn.Linear(64, config.hidden), nn.ReLU(), nn.Linear(config.hidden, 10))


def train_digits(
    config: TaskConfig, *, on_step: Callable[[int, float], None] | None = None
) -> TaskResult:
    """Train with minibatches of the digits training split; report loss per step.

    The optimizer is plain ``torch.optim.Adam`` until the provable optimizer exists (issue 4).
    """
    digits = load_digits()
    x = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    y = torch.tensor(digits.target, dtype=torch.long)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.25, random_state=config.seed, stratify=y
    )
    model = build_model(config)
    optimizer = torch.optim.Adam(
        model.parameters(), lr=config.lr, betas=config.betas, eps=config.eps
    )
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(config.seed)
    accuracy_before = _accuracy(model, x_test, y_test)
    losses: list[float] = []
    for step in range(config.steps):
        batch = torch.randint(0, len(x_train), (config.batch_size,), generator=generator)
        optimizer.zero_grad()
        loss = loss_fn(model(x_train[batch]), y_train[batch])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if on_step is not None:
            on_step(step, losses[-1])
    return TaskResult(
        model=model,
        parameter_count=sum(p.numel() for p in model.parameters()),
        losses=losses,
        test_accuracy_before=accuracy_before,
        test_accuracy_after=_accuracy(model, x_test, y_test),
    )
