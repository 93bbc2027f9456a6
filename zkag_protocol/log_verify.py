"""Checking a run bundle's log offline: files, chain, links, tree, epochs and manifest.

Nothing in the bundle is trusted. Each check runs over what the previous ones could still
establish, and every disagreement becomes a problem naming its place (file, line, record,
chunk, epoch). The checks run in this order:

1. manifest.json parses and is version 1;
2. every listed file exists with its size and SHA-256, and no unlisted file is present;
3. steps.jsonl: each line is a canonical, valid record of this run, consecutive from step 0,
   carrying the hash of the record before (genesis for the first), with no torn last line;
4. consecutive steps link: each output commitment of step t equals the same-named input of t+1;
5. epochs.json: numbering, growth, record boundaries, roots and consistency proofs;
6. the manifest's log summary and circuit list agree with what the log recomputes to.
"""

from dataclasses import dataclass, field
from hashlib import sha256
from itertools import pairwise
from pathlib import Path

from zkag_protocol.bundle import EPOCHS_FILE, STEPS_FILE, extend_tree
from zkag_protocol.epochs import Epoch, decode_epochs, epoch_problems
from zkag_protocol.errors import FormatError, LogError
from zkag_protocol.manifest import MANIFEST_FILE, Manifest, bundle_files, file_entry
from zkag_protocol.records import StepRecord, genesis
from zkag_protocol.steplog import check_link, split_lines
from zkag_protocol.tree import MerkleTree


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class LogReport:
    """The outcome of checking one bundle."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # facts worth knowing that are not failures
    records: int = 0
    tree_size: int = 0
    epochs: int = 0
    tree_root: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, where: str, what: str) -> None:
        self.problems.append(Problem(where, what))


def _check_files(root: Path, manifest: Manifest, report: LogReport) -> None:
    listed = {entry.path: entry for entry in manifest.files}
    for path, entry in listed.items():
        if not (root / path).is_file():
            report.add(path, "listed in the manifest but missing")
            continue
        found = file_entry(root, path)
        if found.size != entry.size:
            report.add(path, f"size is {found.size} bytes, manifest says {entry.size}")
        if found.sha256 != entry.sha256:
            report.add(path, f"sha256 is {found.sha256.hex()}, manifest says {entry.sha256.hex()}")
    for path in bundle_files(root):
        if path not in listed:
            report.add(path, "present in the bundle but not listed in the manifest")


def _read_records(root: Path, run_id: bytes, report: LogReport) -> list[StepRecord] | None:
    """Records in order if the whole chain checks out; None if any line is broken."""
    path = root / STEPS_FILE
    if not path.is_file():
        report.add(STEPS_FILE, "missing")
        return None
    parsed = split_lines(path.read_bytes())
    report.records = len(parsed.lines)
    records: list[StepRecord] = []
    intact = True
    head: bytes | None = genesis(run_id)
    for index, line in enumerate(parsed.lines):
        where = f"{STEPS_FILE} line {index + 1} (record {index})"
        try:
            record = StepRecord.decode(line, where)
        except FormatError as exc:
            report.add(where, str(exc).removeprefix(f"{where}: "))
            intact, head = False, None
            continue
        if head is not None:
            try:
                check_link(record, run_id=run_id, index=index, prev_hash=head, where=where)
            except LogError as exc:
                report.add(where, str(exc).removeprefix(f"{where}: "))
                intact = False
        head = sha256(line).digest()
        records.append(record)
    if parsed.torn_tail:
        report.add(
            f"{STEPS_FILE} line {len(parsed.lines) + 1}",
            f"torn last line ({len(parsed.torn_tail)} bytes, no newline)",
        )
        intact = False
    return records if intact else None


def _check_links(records: list[StepRecord], report: LogReport) -> None:
    for before, after in pairwise(records):
        where = f"record {after.step} (step {after.step})"
        if len(after.chunks) != len(before.chunks):
            report.add(
                where,
                f"has {len(after.chunks)} chunks, step {before.step} has {len(before.chunks)}",
            )
            continue
        carried = [name for name in before.optimizer.outputs if name in after.optimizer.inputs]
        for chunk_before, chunk_after in zip(before.chunks, after.chunks, strict=True):
            for name in carried:
                out = chunk_before.outputs[before.optimizer.outputs.index(name)]
                inp = chunk_after.inputs[after.optimizer.inputs.index(name)]
                if out != inp:
                    report.add(
                        f"{where} chunk {chunk_after.index}",
                        f"input commitment '{name}' {inp.hex()[:16]}... differs from "
                        f"step {before.step}'s output {out.hex()[:16]}...",
                    )


def verify_log(root: Path) -> LogReport:
    """Check the bundle at ``root``; see the module docstring for what is checked."""
    report = LogReport(root=root)
    # 1. The manifest.
    manifest_path = root / MANIFEST_FILE
    if not manifest_path.is_file():
        report.add(MANIFEST_FILE, "missing")
        return report
    try:
        manifest = Manifest.decode(manifest_path.read_bytes())
    except FormatError as exc:
        report.add(MANIFEST_FILE, str(exc).removeprefix(f"{MANIFEST_FILE}: "))
        return report
    if manifest.genesis != genesis(manifest.run_id):
        report.add(f"{MANIFEST_FILE} genesis", "is not SHA-256('zkag/genesis/v1' || run id)")
    if manifest.srs.kind == "dev":
        report.notes.append(f"proofs use a development SRS: {manifest.srs.note}")
    # 2. Files against the manifest.
    _check_files(root, manifest, report)
    # 3. The hash chain.
    records = _read_records(root, manifest.run_id, report)
    if records is None:
        report.notes.append("tree, epochs and summary not checked: the chain is broken")
        return report
    # 4. Step-to-step commitment links.
    _check_links(records, report)
    # 5. Tree and epochs.
    tree = MerkleTree()
    record_ends: list[int] = []
    for record in records:
        extend_tree(tree, record_ends, record)
    report.tree_size, report.tree_root = len(tree), tree.root().hex()
    epochs = _read_epochs(root, manifest.run_id, report)
    if epochs is not None:
        report.epochs = len(epochs)
        for problem in epoch_problems(epochs, tree=tree, record_ends=record_ends):
            where, _, what = problem.partition(": ")
            report.add(f"{EPOCHS_FILE} {where}", what)
    # 6. The manifest's summary.
    head = sha256(records[-1].encode()).digest() if records else genesis(manifest.run_id)
    expected = {
        "records": (manifest.log.records, len(records)),
        "tree_size": (manifest.log.tree_size, len(tree)),
        "head": (manifest.log.head.hex(), head.hex()),
        "root": (manifest.log.root.hex(), tree.root().hex()),
        "epochs": (manifest.log.epochs, len(epochs) if epochs is not None else manifest.log.epochs),
    }
    for name, (claimed, found) in expected.items():
        if claimed != found:
            about = (
                f" (hash of record {len(records) - 1}, the last)"
                if name == "head" and records
                else ""
            )
            report.add(
                f"{MANIFEST_FILE} log.{name}", f"says {claimed}, the log gives {found}{about}"
            )
    known = {circuit.circuit_id for circuit in manifest.circuits}
    for record in records:
        for chunk in record.chunks:
            if chunk.circuit_id not in known:
                report.add(
                    f"record {record.step} chunk {chunk.index}",
                    f"circuit {chunk.circuit_id.hex()[:16]}... is not listed in the manifest",
                )
                return report
    return report


def _read_epochs(root: Path, run_id: bytes, report: LogReport) -> list[Epoch] | None:
    path = root / EPOCHS_FILE
    if not path.is_file():
        report.add(EPOCHS_FILE, "missing")
        return None
    try:
        epochs_run_id, epochs = decode_epochs(path.read_bytes())
    except FormatError as exc:
        report.add(EPOCHS_FILE, str(exc).removeprefix(f"{EPOCHS_FILE}: "))
        return None
    if epochs_run_id != run_id:
        report.add(
            f"{EPOCHS_FILE} run_id", f"is {epochs_run_id.hex()}, manifest says {run_id.hex()}"
        )
    return epochs
