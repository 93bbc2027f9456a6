"""``zkag prove`` and ``zkag verify-proofs``: EZKL proofs of a bundle's steps, and their check."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from zkag_protocol.errors import UsageError

WORKERS = typer.Option(min=1, help="EZKL worker processes.")


def parse_pairs(text: str) -> list[tuple[int, int]]:
    """'0:1,3:2' -> [(0, 1), (3, 2)]: (step, chunk) pairs."""
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        step, sep, chunk = item.partition(":")
        if not sep or not step.isdigit() or not chunk.isdigit():
            raise UsageError(f"--pairs: {item!r} is not STEP:CHUNK")
        pairs.append((int(step), int(chunk)))
    if not pairs:
        raise UsageError("--pairs: no pairs given")
    return pairs


def prove(
    run_dir: Annotated[Path, typer.Argument(help="The run bundle.")],
    mode: Annotated[
        str, typer.Option(help="all: every (step, chunk); sample: the --pairs given.")
    ] = "all",
    pairs: Annotated[str | None, typer.Option(help="STEP:CHUNK,... for --mode sample.")] = None,
    witness_dir: Annotated[
        Path | None, typer.Option(help="Private witnesses (default RUN_DIR.witness).")
    ] = None,
    workers: Annotated[int, WORKERS] = 1,
    srs: Annotated[
        Path | None, typer.Option(help="A ceremony SRS file (default: the cached dev SRS).")
    ] = None,
    srs_sha256: Annotated[str | None, typer.Option(help="Expected SHA-256 of --srs, hex.")] = None,
) -> None:
    """Prove steps of a bundle with EZKL (mock, prove, verify each) and list the proofs in it."""
    # Imported here: they pull in torch and the EZKL worker machinery.
    from prover.artifacts import SrsChoice
    from prover.optimizer import default_witness_dir
    from prover.proving import all_pairs, load_config, prove_pairs
    from prover.workers import ProverPool
    from zkag_protocol.bundle import RunBundle

    if mode not in ("all", "sample"):
        raise UsageError(f"--mode must be all or sample, got {mode!r}")
    if (mode == "sample") != (pairs is not None):
        raise UsageError("--pairs goes with --mode sample, and only with it")
    sample = parse_pairs(pairs or "") if mode == "sample" else None
    if (srs is None) != (srs_sha256 is None):
        raise UsageError("--srs and --srs-sha256 go together")
    try:
        expected = bytes.fromhex(srs_sha256) if srs_sha256 else None
    except ValueError as exc:
        raise UsageError(f"--srs-sha256: not hex: {srs_sha256!r}") from exc
    choice = SrsChoice("ceremony", srs, expected) if srs else SrsChoice("dev")
    if not run_dir.is_dir():
        raise UsageError(f"{run_dir}: not a directory")
    bundle = RunBundle.open(run_dir)
    wanted = sample if sample is not None else all_pairs(bundle.log.records)
    console = Console(highlight=False)
    with (
        ProverPool(workers) as pool,
        Progress(
            TextColumn("[bold]prove"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress,
    ):
        artifacts = pool.build(load_config(run_dir), choice)
        task = progress.add_task("prove", total=len(wanted))
        outcome = prove_pairs(
            bundle,
            pool=pool,
            artifacts=artifacts,
            witness_dir=witness_dir or default_witness_dir(run_dir),
            pairs=wanted,
            on_done=lambda _pair: progress.advance(task),
        )
    for failure in outcome.failed:
        console.print(f"[red]failed[/red] {escape(failure)}")
    console.print(f"{len(outcome.proved)} proof(s) written, {len(outcome.failed)} failed")
    if outcome.failed:
        raise typer.Exit(code=1)


def verify_proofs(
    run_dir: Annotated[Path, typer.Argument(help="The run bundle.")],
    k: Annotated[
        int | None,
        typer.Option("--k", min=1, help="Check k (step, chunk) proofs sampled with --seed."),
    ] = None,
    check_all: Annotated[
        bool, typer.Option("--all", help="Check every proof (the default).")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the sample: the auditor's choice.")] = 0,
    workers: Annotated[int, WORKERS] = 1,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable report.")
    ] = False,
) -> None:
    """Check proofs against the log: instances, hyperparameters, links, and EZKL verify."""
    from prover.proof_check import check_proofs
    from prover.workers import ProverPool

    if k is not None and check_all:
        raise UsageError("--k and --all exclude each other")
    if not run_dir.is_dir():
        raise UsageError(f"{run_dir}: not a directory")
    with ProverPool(workers) as pool:
        report = check_proofs(run_dir, pool=pool, k=k, seed=seed)
    problems = report.all_problems
    if as_json:
        payload = {
            "bundle": str(run_dir),
            "ok": report.ok,
            "checked": [list(pair) for pair in report.checked],
            "verified": report.verified,
            "problems": [{"where": p.where, "what": p.what} for p in problems],
            "notes": report.log.notes,
        }
        typer.echo(json.dumps(payload, indent=2))
    else:
        console = Console(highlight=False, soft_wrap=True)
        for problem in problems:
            console.print(f"[red]problem[/red] {escape(str(problem))}")
        for note in report.log.notes:
            console.print(f"[yellow]note[/yellow] {escape(note)}")
        summary = f"{report.verified} of {len(report.checked)} proofs verified"
        if report.ok:
            console.print(f"[green]proofs verified[/green]: {summary}")
        else:
            console.print(f"[red]proofs NOT verified[/red]: {len(problems)} problem(s); {summary}")
    if not report.ok:
        raise typer.Exit(code=1)
