"""``zkag demo``: the main job on embedded defaults, with progress and a final table."""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from zkag_protocol.cli.log import report_json
from zkag_protocol.demo.config import TaskConfig

if TYPE_CHECKING:
    from zkag_protocol.demo.run import DemoResult


def _print_summary(console: Console, result: "DemoResult") -> None:
    stages = Table(title="stages", title_justify="left")
    for column in ("stage", "what", "status"):
        stages.add_column(column)
    for stage in result.stages:
        status = (
            "[green]done[/green]"
            if stage["status"] == "done"
            else f"[yellow]not built yet (issue {stage['issue']})[/yellow]"
        )
        stages.add_row(str(stage["stage"]), str(stage["what"]), status)
    console.print(stages)
    facts = Table(title="run", title_justify="left", show_header=False)
    facts.add_column()
    facts.add_column()
    facts.add_row("bundle", str(result.out))
    facts.add_row("parameters", str(result.parameter_count))
    facts.add_row("steps", str(result.steps))
    facts.add_row("final training loss", f"{result.final_loss:.4f}")
    facts.add_row(
        "test accuracy before / after",
        f"{result.test_accuracy_before:.3f} / {result.test_accuracy_after:.3f}",
    )
    log_size = f"{result.records} records, {result.leaves} statements, {result.epochs} epochs"
    facts.add_row("log", log_size)
    facts.add_row("log root", result.log_root)
    problems = len(result.log_report.problems)
    verdict = "[green]verified[/green]" if not problems else f"[red]{problems} problem(s)[/red]"
    facts.add_row("zkag log verify", verdict)
    console.print(facts)


def demo(
    out: Annotated[
        Path | None,
        typer.Option(help="Write the run bundle here (default: a new folder under artifacts/)."),
    ] = None,
    steps: Annotated[
        int, typer.Option(min=1, help="Optimizer steps to train for.")
    ] = TaskConfig.steps,
    seed: Annotated[
        int, typer.Option(help="Seed for the model, the split and the batches.")
    ] = TaskConfig.seed,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable summary.")
    ] = False,
) -> None:
    """Train, prove, anchor, publish and verify a small run; stages not built yet are named."""
    # Imported here, not at the top: it pulls in torch, which would slow every other command.
    from zkag_protocol.demo.run import SUMMARY_FILE, default_out_dir, run_demo

    config = TaskConfig(steps=steps, seed=seed)
    out_dir = out if out is not None else default_out_dir()
    console = Console(stderr=as_json, highlight=False)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]}"),
        TimeElapsedColumn(),
        console=console,
        disable=as_json,
    ) as progress:
        task = progress.add_task("train", total=steps, loss="-")
        result = run_demo(
            out_dir,
            config=config,
            on_step=lambda _step, loss: progress.update(task, advance=1, loss=f"{loss:.4f}"),
        )
    if as_json:
        summary = json.loads((out_dir / SUMMARY_FILE).read_text())
        summary["log"] = report_json(result.log_report)
        typer.echo(json.dumps(summary, indent=2))
    else:
        _print_summary(console, result)
    if not result.log_report.ok:
        raise typer.Exit(code=1)
