"""A run bundle on disk: the step log, its Merkle tree, epochs, proofs, keys and the manifest.

    RUN_DIR/
      manifest.json   every other file with SHA-256, log summary, circuit and SRS identity
      steps.jsonl     the hash-chained step records, one canonical JSON per line
      epochs.json     closed epochs with roots and consistency proofs
      proofs/         EZKL proofs with their instances (issue 4)
      keys/           verifying keys and settings (issue 4)

The tree is not stored: it is rebuilt from the records' statements when the bundle is opened.
"""

from collections.abc import Sequence
from pathlib import Path

from zkag_protocol.epochs import Epoch, decode_epochs, encode_epochs, epoch_problems
from zkag_protocol.errors import LogError
from zkag_protocol.fsutil import write_atomic
from zkag_protocol.manifest import (
    MANIFEST_FILE,
    CircuitIdentity,
    LogSummary,
    Manifest,
    SrsIdentity,
    bundle_files,
    file_entry,
)
from zkag_protocol.records import StepRecord, genesis
from zkag_protocol.steplog import StepLog
from zkag_protocol.tree import MerkleTree

STEPS_FILE = "steps.jsonl"
EPOCHS_FILE = "epochs.json"
PROOFS_DIR = "proofs"
KEYS_DIR = "keys"


def extend_tree(tree: MerkleTree, record_ends: list[int], record: StepRecord) -> None:
    """Add a record's statements to ``tree`` and note the tree size the record ends at."""
    tree.extend(statement.encode() for statement in record.statements())
    record_ends.append(len(tree))


class RunBundle:
    """A writable run bundle. Create it once, then append records and close epochs."""

    def __init__(self, root: Path, log: StepLog, epochs: list[Epoch]) -> None:
        self.root = root
        self.log = log
        self.epochs = epochs
        self.tree = MerkleTree()
        self.record_ends: list[int] = []  # tree size after each record
        for record in log.records:
            extend_tree(self.tree, self.record_ends, record)
        problems = list(epoch_problems(epochs, tree=self.tree, record_ends=self.record_ends))
        if problems:
            raise LogError(f"{root / EPOCHS_FILE}: {problems[0]}")

    @classmethod
    def create(cls, root: Path, *, run_id: bytes) -> "RunBundle":
        """Start a new bundle in an empty (or missing) directory."""
        if root.exists() and any(root.iterdir()):
            raise LogError(f"{root}: a new bundle needs an empty directory")
        for folder in (root, root / PROOFS_DIR, root / KEYS_DIR):
            folder.mkdir(parents=True, exist_ok=True)
        write_atomic(root / EPOCHS_FILE, encode_epochs(run_id, []))
        return cls(root, StepLog.open(root / STEPS_FILE, run_id=run_id), [])

    @classmethod
    def open(cls, root: Path) -> "RunBundle":
        """Reopen a bundle, after a crash too: recover the log, rebuild the tree, check epochs."""
        epochs_path = root / EPOCHS_FILE
        if not epochs_path.is_file():
            raise LogError(f"{root}: not a run bundle ({EPOCHS_FILE} missing)")
        run_id, epochs = decode_epochs(epochs_path.read_bytes(), str(epochs_path))
        return cls(root, StepLog.open(root / STEPS_FILE, run_id=run_id), epochs)

    @property
    def run_id(self) -> bytes:
        return self.log.run_id

    def append(self, record: StepRecord) -> None:
        self.append_many([record])

    def append_many(self, records: Sequence[StepRecord]) -> None:
        """Durably append records (one fsync) and add their statements to the tree."""
        self.log.append_many(records)
        for record in records:
            extend_tree(self.tree, self.record_ends, record)

    def close_epoch(self) -> Epoch:
        """Close an epoch at the current end of the log and write it durably."""
        previous_size = self.epochs[-1].tree_size if self.epochs else 0
        previous_records = self.epochs[-1].records if self.epochs else 0
        if len(self.log) <= previous_records:
            number = len(self.epochs) + 1
            raise LogError(f"cannot close epoch {number}: no records since epoch {number - 1}")
        epoch = Epoch(
            number=len(self.epochs) + 1,
            records=len(self.log),
            tree_size=len(self.tree),
            root=self.tree.root(),
            consistency_proof=tuple(self.tree.consistency_proof(previous_size)),
        )
        write_atomic(self.root / EPOCHS_FILE, encode_epochs(self.run_id, [*self.epochs, epoch]))
        self.epochs.append(epoch)
        return epoch

    def write_manifest(self, *, circuits: Sequence[CircuitIdentity], srs: SrsIdentity) -> Manifest:
        """Hash every file in the bundle and write ``manifest.json`` atomically."""
        manifest = Manifest(
            run_id=self.run_id,
            genesis=genesis(self.run_id),
            log=LogSummary(
                records=len(self.log),
                tree_size=len(self.tree),
                head=self.log.head,
                root=self.tree.root(),
                epochs=len(self.epochs),
            ),
            circuits=tuple(circuits),
            srs=srs,
            files=tuple(file_entry(self.root, path) for path in bundle_files(self.root)),
        )
        write_atomic(self.root / MANIFEST_FILE, manifest.encode())
        return manifest
