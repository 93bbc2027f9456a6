"""The demo's task: a small MLP on scikit-learn's digits (shipped with the package, offline).

A base model is pretrained with plain torch Adam (not proven: it stands for the published base
model a fine-tuner starts from). Then its head is fine-tuned with any optimizer, normally the
ProvableOptimizer. Everything is float64, which the provable optimizer requires.
"""

from collections.abc import Callable
from dataclasses import dataclass

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

from zkag_protocol.demo.config import TaskConfig


@dataclass(frozen=True)
class Digits:
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


def load(config: TaskConfig) -> Digits:
    digits = load_digits()
    x = torch.tensor(digits.data / 16.0, dtype=torch.float64)
    y = torch.tensor(digits.target, dtype=torch.long)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.25, random_state=config.seed, stratify=y
    )
    return Digits(x_train, y_train, x_test, y_test)


def build_model(config: TaskConfig) -> nn.Sequential:
    """64 pixel inputs -> hidden ReLU layer -> 10 classes, in float64."""
    torch.manual_seed(config.seed)
    return nn.Sequential(
        nn.Linear(64, config.hidden), nn.ReLU(), nn.Linear(config.hidden, 10)
    ).double()


def accuracy(model: nn.Module, data: Digits) -> float:
    with torch.no_grad():
        return float((model(data.x_test).argmax(dim=1) == data.y_test).double().mean())


def batches(config: TaskConfig, data: Digits, steps: int, seed_offset: int) -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(config.seed + seed_offset)
    return [
        torch.randint(0, len(data.x_train), (config.batch_size,), generator=generator)
        for _ in range(steps)
    ]


def pretrain(config: TaskConfig, data: Digits) -> nn.Sequential:
    """The base model: a short plain torch Adam run, leaving room to improve."""
    model = build_model(config)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.pretrain_lr)
    for batch in batches(config, data, config.pretrain_steps, seed_offset=1):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(data.x_train[batch]), data.y_train[batch]).backward()
        optimizer.step()
    return model


def fine_tune(
    config: TaskConfig,
    model: nn.Sequential,
    data: Digits,
    optimizer: torch.optim.Optimizer,
    *,
    on_step: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Fine-tune for ``config.steps`` steps; return the loss per step."""
    losses = []
    for step, batch in enumerate(batches(config, data, config.steps, seed_offset=2)):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(data.x_train[batch]), data.y_train[batch])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if on_step is not None:
            on_step(step, losses[-1])
    return losses
