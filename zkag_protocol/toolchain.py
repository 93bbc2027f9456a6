"""Finding the external tools zkag drives, and checking them (what ``zkag doctor`` reports).

Tools are looked up on PATH, like any command-line program: ``make setup`` links the solc shim,
anvil and forge into ``.venv/bin``, which ``make`` and an activated venv put on PATH. Python
packages are checked against the exact pins this distribution was installed with.
"""

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path

import solcx
from packaging.requirements import Requirement

from zkag_protocol.errors import ToolchainError

SETUP_HINT = (
    "run 'make setup' in the zkag checkout, then '. .venv/bin/activate' (or add .venv/bin to PATH)"
)

# The solc version EZKL's create_evm_verifier asks svm for; setup links the shim there.
EZKL_SVM_SOLC_VERSION = "0.8.20"
MIN_NODE_MAJOR = 20


@dataclass(frozen=True)
class Tool:
    """An executable zkag needs, how to ask its version, and how a user gets it."""

    name: str
    version_args: tuple[str, ...]
    version_pattern: str
    how_to_get: str


TOOLS: tuple[Tool, ...] = (
    Tool(
        "node",
        ("--version",),
        r"v(\d+\.\d+\.\d+)",
        "install Node.js >= 20 (Debian: apt-get install nodejs)",
    ),
    Tool("npm", ("--version",), r"(\d+\.\d+\.\d+)", "install npm (Debian: apt-get install npm)"),
    Tool(
        "solc",
        ("--version",),
        r"Version: (\S+)",
        f"the shim tools/solc over the npm 'solc' package: {SETUP_HINT}",
    ),
    Tool(
        "anvil",
        ("--version",),
        r"anvil Version: (\S+)",
        f"npm package @foundry-rs/anvil-linux-amd64 (pinned in package.json): {SETUP_HINT}",
    ),
    Tool(
        "forge",
        ("--version",),
        r"forge Version: (\S+)",
        f"npm package @foundry-rs/forge-linux-amd64 (pinned in package.json): {SETUP_HINT}",
    ),
)
TOOLS_BY_NAME = {tool.name: tool for tool in TOOLS}


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    kind: str  # "tool", "python", "package" or "wiring"
    name: str
    ok: bool
    version: str | None
    detail: str  # where it was found, or what is wrong and how to fix it
    required: bool = True  # a missing optional item (a dev-only package) is reported, not failed

    @property
    def problem(self) -> bool:
        return self.required and not self.ok


def find_tool(name: str) -> Path:
    """The path of tool ``name`` on PATH, or a ToolchainError that says how to get it."""
    tool = TOOLS_BY_NAME[name]
    found = shutil.which(tool.name)
    if found is None:
        raise ToolchainError(f"{tool.name} not found on PATH: {tool.how_to_get}")
    return Path(found)


def tool_version(tool: Tool, path: Path) -> str:
    """Run the tool's version command and extract its version, or raise ToolchainError."""
    try:
        result = subprocess.run(
            [str(path), *tool.version_args], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolchainError(f"{tool.name} at {path} could not run: {exc}") from exc
    match = re.search(tool.version_pattern, result.stdout)
    if result.returncode != 0 or match is None:
        said = (result.stderr or result.stdout).strip().splitlines()
        raise ToolchainError(
            f"{tool.name} at {path} gave no version (exit {result.returncode}): "
            f"{said[-1] if said else 'no output'}"
        )
    return match.group(1)


def check_tool(tool: Tool) -> Check:
    try:
        path = find_tool(tool.name)
        found_version = tool_version(tool, path)
    except ToolchainError as exc:
        return Check("tool", tool.name, False, None, str(exc))
    if tool.name == "node" and int(found_version.split(".")[0]) < MIN_NODE_MAJOR:
        return Check("tool", "node", False, found_version, f"node >= {MIN_NODE_MAJOR} needed")
    return Check("tool", tool.name, True, found_version, str(path))


def check_python() -> Check:
    found = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info[:2] == (3, 11)
    return Check("python", "python", ok, found, sys.executable if ok else "python 3.11 needed")


def check_packages() -> list[Check]:
    """Compare every pinned dependency of this distribution with what is installed."""
    checks = []
    for line in requires("zkag") or []:
        req = Requirement(line)
        # Packages of the "dev" extra are only needed to run the tests.
        dev_only = req.marker is not None and not req.marker.evaluate({"extra": ""})
        try:
            found = version(req.name)
        except PackageNotFoundError:
            what = "not installed (needed for 'make test')" if dev_only else "not installed"
            checks.append(
                Check(
                    "package",
                    req.name,
                    False,
                    None,
                    f"{what}, want {req.specifier}: {SETUP_HINT}",
                    not dev_only,
                )
            )
            continue
        ok = req.specifier.contains(found.split("+")[0], prereleases=True)
        detail = (
            f"pinned {req.specifier}"
            if ok
            else f"pinned {req.specifier}, found {found}: {SETUP_HINT}"
        )
        checks.append(Check("package", req.name, ok, found, detail, not dev_only))
    return checks


def solcx_link(solc_version: str) -> Path:
    """Where py-solc-x (and so ape-solidity) looks for an installed compiler of this version."""
    return solcx.get_solcx_install_folder() / f"solc-v{solc_version}"


def ezkl_svm_link() -> Path:
    """Where EZKL's create_evm_verifier looks for solc (svm's layout)."""
    return Path.home() / ".svm" / EZKL_SVM_SOLC_VERSION / f"solc-{EZKL_SVM_SOLC_VERSION}"


def check_wiring(solc_version: str | None) -> list[Check]:
    """Check the places other tools look for solc: py-solc-x/ape-solidity and EZKL."""
    checks = []
    wanted = [
        ("py-solc-x", solcx_link(solc_version) if solc_version else None),
        ("ezkl", ezkl_svm_link()),
    ]
    for consumer, link in wanted:
        name = f"solc for {consumer}"
        if link is None:
            checks.append(Check("wiring", name, False, None, f"no solc shim to link: {SETUP_HINT}"))
        elif link.exists() and link.is_file():
            checks.append(Check("wiring", name, True, None, f"{link} -> {link.resolve()}"))
        else:
            checks.append(Check("wiring", name, False, None, f"{link} is missing: {SETUP_HINT}"))
    return checks


def diagnose() -> list[Check]:
    """Everything ``zkag doctor`` reports, in display order."""
    tool_checks = [check_tool(tool) for tool in TOOLS]
    solc = next(check for check in tool_checks if check.name == "solc")
    solc_version = solc.version.split("+")[0] if solc.ok and solc.version else None
    return [check_python(), *tool_checks, *check_wiring(solc_version), *check_packages()]
