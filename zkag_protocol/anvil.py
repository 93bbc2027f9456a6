"""A local anvil node on a free loopback port, always stopped when the block ends.

Used by the demo (when no ``--rpc`` is given) and by the test fixtures. It binds 127.0.0.1 only.
"""

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from zkag_protocol.errors import ChainError
from zkag_protocol.toolchain import find_tool

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class LocalChain:
    """A running local node."""

    rpc_url: str
    chain_id: int
    pid: int


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _wait_until_ready(
    rpc_url: str, process: subprocess.Popen[bytes], log: Path, timeout: float
) -> int:
    """Poll until the node answers eth_chainId; return the chain id it reports."""
    deadline = time.monotonic() + timeout
    request = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text(errors="replace").strip().splitlines()
            raise ChainError(
                f"anvil exited with code {process.returncode} before answering: "
                f"{said[-1] if said else 'no output'}"
            )
        try:
            response = httpx.post(rpc_url, json=request, timeout=1.0)
            if response.status_code == 200:
                return int(response.json()["result"], 16)
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise ChainError(f"anvil did not answer on {rpc_url} within {timeout:.0f} s (log: {log})")


@contextmanager
def local_anvil(
    *, log_dir: Path, extra_args: tuple[str, ...] = (), startup_timeout: float = 30.0
) -> Iterator[LocalChain]:
    """Start anvil on a free loopback port, yield its RPC URL, and stop it on exit.

    The port is picked just before start; if another process takes it first, anvil fails to
    bind and the error names the port.
    """
    anvil = find_tool("anvil")
    port = free_loopback_port()
    rpc_url = f"http://{LOOPBACK}:{port}"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"anvil-{port}.log"
    command = [str(anvil), "--host", LOOPBACK, "--port", str(port), "--silent", *extra_args]
    with log.open("wb") as log_handle:
        process = subprocess.Popen(command, stdout=log_handle, stderr=subprocess.STDOUT)
    try:
        chain_id = _wait_until_ready(rpc_url, process, log, startup_timeout)
        yield LocalChain(rpc_url=rpc_url, chain_id=chain_id, pid=process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
