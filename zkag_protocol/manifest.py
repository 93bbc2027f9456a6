"""The bundle manifest: what a run bundle contains, with a SHA-256 for every file.

``manifest.json`` is canonical JSON. It names the run, summarises the log (records, tree size,
head hash, root, epochs), identifies the circuits and the SRS (a development SRS is flagged as
such), and lists every other file in the bundle with its size and SHA-256.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path, PurePosixPath
from typing import Any

from zkag_protocol.canonical import canonical_json, parse_canonical
from zkag_protocol.errors import FormatError
from zkag_protocol.jsonfields import array, exact_object, hex32, integer

MANIFEST_FORMAT = "zkag-run-bundle"
MANIFEST_VERSION = 1
MANIFEST_FILE = "manifest.json"
SRS_KINDS = ("none", "dev", "ceremony")
DEV_SRS_NOTE = (
    "DEVELOPMENT SRS: generated locally by ezkl.gen_srs, not from a ceremony; not for production"
)
_SAFE_PATH = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")


@dataclass(frozen=True)
class SrsIdentity:
    """Which KZG setup the proofs use. ``none`` until proofs exist (issue 4)."""

    kind: str  # "none", "dev" or "ceremony"
    logrows: int | None = None
    sha256: bytes | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in SRS_KINDS:
            raise FormatError(f"srs.kind must be one of {list(SRS_KINDS)}, got {self.kind!r}")
        if self.kind != "none" and (self.logrows is None or self.sha256 is None):
            raise FormatError(f"srs of kind {self.kind!r} needs logrows and sha256")
        if self.kind == "dev" and self.note != DEV_SRS_NOTE:
            raise FormatError("a dev srs must carry the development-SRS note")

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "logrows": self.logrows,
            "sha256": self.sha256.hex() if self.sha256 else None,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, value: Any, where: str) -> "SrsIdentity":
        fields = exact_object(value, where, {"kind", "logrows", "sha256", "note"})
        if not isinstance(fields["note"], str):
            raise FormatError(f"{where}.note: expected a string")
        return cls(
            kind=fields["kind"],
            logrows=None
            if fields["logrows"] is None
            else integer(fields["logrows"], f"{where}.logrows", minimum=1),
            sha256=None if fields["sha256"] is None else hex32(fields["sha256"], f"{where}.sha256"),
            note=fields["note"],
        )


@dataclass(frozen=True)
class CircuitIdentity:
    circuit_id: bytes
    name: str
    description: str

    def to_json(self) -> dict[str, Any]:
        return {
            "circuit_id": self.circuit_id.hex(),
            "name": self.name,
            "description": self.description,
        }

    @classmethod
    def from_json(cls, value: Any, where: str) -> "CircuitIdentity":
        fields = exact_object(value, where, {"circuit_id", "name", "description"})
        if not isinstance(fields["name"], str) or not isinstance(fields["description"], str):
            raise FormatError(f"{where}: name and description must be strings")
        return cls(
            hex32(fields["circuit_id"], f"{where}.circuit_id"),
            fields["name"],
            fields["description"],
        )


@dataclass(frozen=True)
class FileEntry:
    path: str  # POSIX, relative to the bundle root
    size: int
    sha256: bytes

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256.hex()}

    @classmethod
    def from_json(cls, value: Any, where: str) -> "FileEntry":
        fields = exact_object(value, where, {"path", "size", "sha256"})
        path = fields["path"]
        if (
            not isinstance(path, str)
            or not _SAFE_PATH.fullmatch(path)
            or ".." in PurePosixPath(path).parts
        ):
            raise FormatError(f"{where}.path: not a safe relative path: {path!r}")
        return cls(
            path,
            integer(fields["size"], f"{where}.size"),
            hex32(fields["sha256"], f"{where}.sha256"),
        )


@dataclass(frozen=True)
class LogSummary:
    records: int
    tree_size: int
    head: bytes  # hash of the last record (genesis if none)
    root: bytes  # root at tree_size
    epochs: int

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "tree_size": self.tree_size,
            "head": self.head.hex(),
            "root": self.root.hex(),
            "epochs": self.epochs,
        }

    @classmethod
    def from_json(cls, value: Any, where: str) -> "LogSummary":
        fields = exact_object(value, where, {"records", "tree_size", "head", "root", "epochs"})
        return cls(
            records=integer(fields["records"], f"{where}.records"),
            tree_size=integer(fields["tree_size"], f"{where}.tree_size"),
            head=hex32(fields["head"], f"{where}.head"),
            root=hex32(fields["root"], f"{where}.root"),
            epochs=integer(fields["epochs"], f"{where}.epochs"),
        )


@dataclass(frozen=True)
class Manifest:
    run_id: bytes
    genesis: bytes
    log: LogSummary
    circuits: tuple[CircuitIdentity, ...]
    srs: SrsIdentity
    files: tuple[FileEntry, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "format": MANIFEST_FORMAT,
            "version": MANIFEST_VERSION,
            "run_id": self.run_id.hex(),
            "genesis": self.genesis.hex(),
            "log": self.log.to_json(),
            "circuits": [c.to_json() for c in self.circuits],
            "srs": self.srs.to_json(),
            "files": [f.to_json() for f in self.files],
        }

    def encode(self) -> bytes:
        return canonical_json(self.to_json()) + b"\n"

    @classmethod
    def decode(cls, data: bytes, where: str = MANIFEST_FILE) -> "Manifest":
        try:
            value = parse_canonical(data.removesuffix(b"\n"))
        except FormatError as exc:
            raise FormatError(f"{where}: {exc}") from exc
        keys = {"format", "version", "run_id", "genesis", "log", "circuits", "srs", "files"}
        fields = exact_object(value, where, keys)
        if fields["format"] != MANIFEST_FORMAT or fields["version"] != MANIFEST_VERSION:
            raise FormatError(
                f"{where}: format {fields['format']!r} version {fields['version']!r}, "
                f"expected {MANIFEST_FORMAT!r} version {MANIFEST_VERSION}"
            )
        files = tuple(
            FileEntry.from_json(f, f"{where}.files[{i}]")
            for i, f in enumerate(array(fields["files"], f"{where}.files"))
        )
        paths = [f.path for f in files]
        if paths != sorted(paths, key=lambda p: p.encode()) or len(set(paths)) != len(paths):
            raise FormatError(f"{where}.files: paths must be unique and sorted by their bytes")
        return cls(
            run_id=hex32(fields["run_id"], f"{where}.run_id"),
            genesis=hex32(fields["genesis"], f"{where}.genesis"),
            log=LogSummary.from_json(fields["log"], f"{where}.log"),
            circuits=tuple(
                CircuitIdentity.from_json(c, f"{where}.circuits[{i}]")
                for i, c in enumerate(array(fields["circuits"], f"{where}.circuits"))
            ),
            srs=SrsIdentity.from_json(fields["srs"], f"{where}.srs"),
            files=files,
        )


def bundle_files(root: Path) -> Iterator[str]:
    """Every regular file under ``root`` except the manifest, as sorted POSIX relative paths."""
    paths = [
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.relative_to(root).as_posix() != MANIFEST_FILE
    ]
    yield from sorted(paths, key=lambda p: p.encode())


def file_entry(root: Path, relative: str) -> FileEntry:
    digest = sha256()
    size = 0
    with (root / relative).open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return FileEntry(relative, size, digest.digest())
