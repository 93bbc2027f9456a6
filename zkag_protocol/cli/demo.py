"""``zkag demo``: the main job on embedded defaults, with progress bars and a final table."""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from zkag_protocol.cli.log import report_json
from zkag_protocol.demo.config import PROVE_MODES, TaskConfig
from zkag_protocol.errors import UsageError

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
    facts.add_row(
        "fine-tuned parameters",
        f"{result.fine_tuned_parameters} (chunks of {result.chunk_size})",
    )
    facts.add_row("steps", str(result.config.steps))
    facts.add_row("loss first / last step", f"{result.losses[0]:.4f} / {result.losses[-1]:.4f}")
    facts.add_row(
        "test accuracy base / after", f"{result.accuracy_base:.3f} / {result.accuracy_after:.3f}"
    )
    facts.add_row(
        "log", f"{result.records} records, {result.leaves} statements, {result.epochs} epochs"
    )
    facts.add_row("log root", result.log_root)
    facts.add_row(
        "proofs", f"{result.proofs} ({result.config.prove}) in {result.prove_seconds:.1f} s"
    )
    problems = len(result.log_report.problems)
    facts.add_row(
        "zkag log verify",
        "[green]verified[/green]" if not problems else f"[red]{problems} problem(s)[/red]",
    )
    if result.proof_report is not None:
        checked = result.proof_report
        verdict = (
            f"[green]{checked.verified} verified[/green]"
            if checked.ok
            else f"[red]{len(checked.all_problems)} problem(s)[/red]"
        )
        facts.add_row("zkag verify-proofs", verdict)
    facts.add_row("SRS", "development SRS (generated locally; not for production)")
    console.print(facts)


def demo(
    out: Annotated[
        Path | None,
        typer.Option(help="Write the run bundle here (default: a new folder under artifacts/)."),
    ] = None,
    steps: Annotated[
        int, typer.Option(min=1, help="Provable fine-tuning steps.")
    ] = TaskConfig.steps,
    prove: Annotated[
        str, typer.Option(help="Proofs: all (every step and chunk), sample (one per epoch), none.")
    ] = TaskConfig.prove,
    workers: Annotated[
        int, typer.Option(min=1, help="EZKL worker processes.")
    ] = TaskConfig.workers,
    memory_gb: Annotated[
        float | None,
        typer.Option(min=0.1, help="Size each proof to this memory budget in GB (default: D=64)."),
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Seed for the model, the split and the batches.")
    ] = TaskConfig.seed,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable summary.")
    ] = False,
) -> None:
    """Pretrain, fine-tune provably, log, prove and verify a small run; unbuilt stages are named."""
    # Imported here, not at the top: it pulls in torch, which would slow every other command.
    from zkag_protocol.demo.run import SUMMARY_FILE, default_out_dir, run_demo

    if prove not in PROVE_MODES:
        raise UsageError(f"--prove must be one of {', '.join(PROVE_MODES)}, got {prove!r}")
    config = TaskConfig(steps=steps, seed=seed, prove=prove, workers=workers, memory_gb=memory_gb)
    out_dir = out if out is not None else default_out_dir()
    console = Console(stderr=as_json, highlight=False)
    with Progress(
        TextColumn("[bold]{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
        disable=as_json,
    ) as bars:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int, detail: str) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stage, total=total, detail=detail)
            bars.update(tasks[stage], completed=done, total=total, detail=detail)

        result = run_demo(out_dir, config=config, progress=progress)
    if as_json:
        summary = json.loads((out_dir / SUMMARY_FILE).read_text())
        summary["log"] = report_json(result.log_report)
        if result.proof_report is not None:
            summary["proofs"] = {
                "ok": result.proof_report.ok,
                "verified": result.proof_report.verified,
                "problems": [str(p) for p in result.proof_report.all_problems],
            }
        typer.echo(json.dumps(summary, indent=2))
    else:
        _print_summary(console, result)
    failed = not result.log_report.ok or (
        result.proof_report is not None and not result.proof_report.ok
    )
    if failed:
        raise typer.Exit(code=1)
