"""``zkag log ...``: offline checks of a run bundle's step log."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from zkag_protocol.errors import UsageError
from zkag_protocol.log_verify import LogReport, verify_log

log_app = typer.Typer(help="Inspect and check a run bundle's step log.", no_args_is_help=True)


def report_json(report: LogReport) -> dict[str, object]:
    return {
        "bundle": str(report.root),
        "ok": report.ok,
        "records": report.records,
        "tree_size": report.tree_size,
        "root": report.tree_root,
        "epochs": report.epochs,
        "problems": [{"where": p.where, "what": p.what} for p in report.problems],
        "notes": report.notes,
    }


@log_app.command("verify")
def verify(
    run_dir: Annotated[Path, typer.Argument(help="The run bundle folder (holds manifest.json).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable report.")
    ] = False,
) -> None:
    """Check chain, links, tree, epochs and manifest. Exit 0 if sound, 1 if any problem."""
    if not run_dir.is_dir():
        raise UsageError(f"{run_dir}: not a directory")
    report = verify_log(run_dir)
    if as_json:
        typer.echo(json.dumps(report_json(report), indent=2))
    else:
        console = Console(highlight=False, soft_wrap=True)
        for problem in report.problems:
            console.print(f"[red]problem[/red] {escape(str(problem))}")
        for note in report.notes:
            console.print(f"[yellow]note[/yellow] {escape(note)}")
        summary = f"{report.records} records, {report.tree_size} leaves, {report.epochs} epochs"
        if report.ok:
            console.print(f"[green]log verified[/green]: {summary}, root {report.tree_root}")
        else:
            console.print(
                f"[red]log NOT verified[/red]: {len(report.problems)} problem(s); {summary}"
            )
    if not report.ok:
        raise typer.Exit(code=1)
