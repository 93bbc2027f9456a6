"""The ``zkag`` command line: the outermost layer, importing everything and imported by nothing."""

import sys

import typer

from zkag_protocol import __version__
from zkag_protocol.cli.demo import demo
from zkag_protocol.cli.doctor import doctor
from zkag_protocol.cli.log import log_app
from zkag_protocol.cli.prove import prove, verify_proofs
from zkag_protocol.errors import ZkagError

app = typer.Typer(
    name="zkag",
    help="Verifiable fine-tuning: prove every optimizer step, anchor the log, publish the run.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.command()
def version() -> None:
    """Print zkag's version."""
    typer.echo(f"zkag {__version__}")


app.command()(doctor)
app.command()(demo)
app.add_typer(log_app, name="log")
app.command()(prove)
app.command("verify-proofs")(verify_proofs)


def main() -> None:
    """Console-script entry point: a ZkagError becomes one line on stderr and its exit code."""
    try:
        app()
    except ZkagError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(exc.exit_code)
