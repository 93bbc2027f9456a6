"""Epochs: closed prefixes of the log, each (epoch, records, tree size, root) plus a consistency
proof from the previous epoch's tree, as RunAnchor.sol will check them on-chain.

Epoch numbers run 1, 2, 3, ... without gaps. Record counts and tree sizes grow strictly, and an
epoch always ends at a record boundary. ``epochs.json`` is rewritten atomically whenever an
epoch closes.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from zkag_protocol.canonical import canonical_json, parse_canonical
from zkag_protocol.errors import FormatError, MerkleError
from zkag_protocol.jsonfields import array, exact_object, hex32, integer
from zkag_protocol.merkle import verify_consistency
from zkag_protocol.tree import MerkleTree

EPOCHS_VERSION = 1


@dataclass(frozen=True)
class Epoch:
    number: int
    records: int  # steps covered: records 0 .. records-1
    tree_size: int  # leaves (statements) covered
    root: bytes
    consistency_proof: tuple[bytes, ...]  # from the previous epoch's tree (empty for the first)

    def to_json(self) -> dict[str, Any]:
        return {
            "epoch": self.number,
            "records": self.records,
            "tree_size": self.tree_size,
            "root": self.root.hex(),
            "consistency_proof": [node.hex() for node in self.consistency_proof],
        }

    @classmethod
    def from_json(cls, value: Any, where: str) -> "Epoch":
        fields = exact_object(
            value, where, {"epoch", "records", "tree_size", "root", "consistency_proof"}
        )
        proof = array(fields["consistency_proof"], f"{where}.consistency_proof")
        return cls(
            number=integer(fields["epoch"], f"{where}.epoch", minimum=1),
            records=integer(fields["records"], f"{where}.records", minimum=1),
            tree_size=integer(fields["tree_size"], f"{where}.tree_size", minimum=1),
            root=hex32(fields["root"], f"{where}.root"),
            consistency_proof=tuple(
                hex32(n, f"{where}.consistency_proof[{i}]") for i, n in enumerate(proof)
            ),
        )


def encode_epochs(run_id: bytes, epochs: Sequence[Epoch]) -> bytes:
    value = {
        "version": EPOCHS_VERSION,
        "run_id": run_id.hex(),
        "epochs": [e.to_json() for e in epochs],
    }
    return canonical_json(value) + b"\n"


def decode_epochs(data: bytes, where: str = "epochs.json") -> tuple[bytes, list[Epoch]]:
    """Parse ``epochs.json`` into (run id, epochs); errors name the place."""
    try:
        value = parse_canonical(data.removesuffix(b"\n"))
    except FormatError as exc:
        raise FormatError(f"{where}: {exc}") from exc
    fields = exact_object(value, where, {"version", "run_id", "epochs"})
    if fields["version"] != EPOCHS_VERSION:
        raise FormatError(f"{where}.version: expected {EPOCHS_VERSION}, got {fields['version']!r}")
    run_id = hex32(fields["run_id"], f"{where}.run_id")
    entries = array(fields["epochs"], f"{where}.epochs")
    return run_id, [Epoch.from_json(e, f"{where}.epochs[{i}]") for i, e in enumerate(entries)]


def epoch_problems(
    epochs: Sequence[Epoch], *, tree: MerkleTree, record_ends: Sequence[int]
) -> Iterator[str]:
    """Every way ``epochs`` disagrees with the log: numbering, growth, boundaries, roots, proofs.

    ``record_ends[i]`` is the tree size after record i. Each problem names its epoch.
    """
    previous: Epoch | None = None
    for position, epoch in enumerate(epochs):
        where = f"epoch {epoch.number} (epochs[{position}])"
        expected_number = position + 1
        if epoch.number != expected_number:
            yield f"{where}: numbered {epoch.number}, expected {expected_number} (no gaps)"
        if previous is not None and epoch.records <= previous.records:
            yield (
                f"{where}: covers {epoch.records} records, "
                f"not more than epoch {previous.number}'s {previous.records}"
            )
        if previous is not None and epoch.tree_size <= previous.tree_size:
            yield f"{where}: tree size {epoch.tree_size} does not grow past {previous.tree_size}"
        if epoch.records > len(record_ends):
            yield f"{where}: covers {epoch.records} records but the log has {len(record_ends)}"
        elif record_ends[epoch.records - 1] != epoch.tree_size:
            yield (
                f"{where}: tree size {epoch.tree_size} does not match its {epoch.records} records, "
                f"which make {record_ends[epoch.records - 1]} leaves"
            )
        elif (log_root := tree.root(epoch.tree_size)) != epoch.root:
            yield f"{where}: root {epoch.root.hex()} differs from the log's root {log_root.hex()}"
        old_size, old_root = (previous.tree_size, previous.root) if previous else (0, tree.root(0))
        if epoch.tree_size >= old_size:
            try:
                verify_consistency(
                    old_size=old_size,
                    new_size=epoch.tree_size,
                    old_root=old_root,
                    new_root=epoch.root,
                    proof=epoch.consistency_proof,
                )
            except MerkleError as exc:
                yield f"{where}: consistency proof from tree size {old_size} fails: {exc}"
        previous = epoch
