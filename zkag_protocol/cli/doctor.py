"""``zkag doctor``: report every tool zkag needs, with its version, and what is missing."""

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from zkag_protocol.toolchain import Check, diagnose


def _render(console: Console, checks: list[Check]) -> None:
    table = Table(title="zkag doctor", title_justify="left")
    for column in ("", "name", "version", "where"):
        table.add_column(column, overflow="fold")
    packages = [check for check in checks if check.kind == "package"]
    for check in checks:
        if check.kind != "package":
            mark = "[green]ok[/green]" if check.ok else "[red]missing[/red]"
            table.add_row(mark, check.name, check.version or "-", check.detail if check.ok else "-")
    matching = sum(check.ok for check in packages)
    mark = "[green]ok[/green]" if not any(c.problem for c in packages) else "[red]mismatch[/red]"
    table.add_row(
        mark, "python packages", f"{matching}/{len(packages)} as pinned", "pyproject.toml"
    )
    console.print(table)
    for check in checks:
        if not check.ok:
            colour = "red" if check.problem else "yellow"
            console.print(f"[{colour}]{check.name}[/{colour}]: {check.detail}", soft_wrap=True)


def doctor(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable report.")
    ] = False,
) -> None:
    """Check python, packages, node, the solc shim, anvil and forge; exit 1 if any is missing."""
    checks = diagnose()
    problems = [check for check in checks if check.problem]
    if as_json:
        report = {"ok": not problems, "checks": [asdict(check) for check in checks]}
        typer.echo(json.dumps(report, indent=2))
    else:
        console = Console(highlight=False)
        _render(console, checks)
        if problems:
            names = ", ".join(check.name for check in problems)
            console.print(f"[red]{len(problems)} missing or wrong: {names}[/red]")
        else:
            console.print("[green]every tool found[/green]")
    if problems:
        raise typer.Exit(code=1)
