"""The one error tree of zkag.

Every failure zkag reports on purpose is a ``ZkagError``: the CLI catches the root, prints its
message on one line and exits non-zero. Messages are lowercase and say what was expected, what
was found, and where.
"""


class ZkagError(Exception):
    """Root of every error zkag raises deliberately."""

    exit_code = 1


class ToolchainError(ZkagError):
    """A tool zkag needs (node, the solc shim, anvil, forge, a package) is missing or broken."""


class CompileError(ZkagError):
    """The Solidity compiler rejected a source or produced unusable output."""


class ChainError(ZkagError):
    """A local chain could not be started, reached or stopped."""


class UsageError(ZkagError):
    """A command was called with arguments that cannot work (bad path, bad value)."""

    exit_code = 2


class FormatError(ZkagError):
    """Bytes that do not follow docs/format.md: non-canonical JSON, a bad field, a bad layout."""


class MerkleError(ZkagError):
    """A Merkle proof or tree operation failed (RFC 9162)."""


class LogError(ZkagError):
    """The step log, its epochs or the bundle are inconsistent or cannot be written."""
