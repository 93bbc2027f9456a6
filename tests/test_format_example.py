"""The worked example in docs/format.md: every value printed there is recomputed here."""

import re
from hashlib import sha256
from pathlib import Path

import pytest

from zkag_protocol.epochs import Epoch, encode_epochs
from zkag_protocol.merkle import leaf_hash, node_hash
from zkag_protocol.records import StepRecord, genesis
from zkag_protocol.tree import MerkleTree

FORMAT = Path(__file__).resolve().parents[1] / "docs" / "format.md"


@pytest.fixture(scope="module")
def example() -> dict[str, str]:
    blocks = re.findall(r"```text example:([a-z0-9-]+)\n(.*?)\n```", FORMAT.read_text(), flags=re.S)
    return dict(blocks)


def test_the_doc_has_every_example_value(example: dict[str, str]) -> None:
    expected = {
        "run-id",
        "genesis",
        "record",
        "record-hash",
        "statement-0",
        "statement-1",
        "leaf-0",
        "leaf-1",
        "root",
        "epochs",
    }
    assert set(example) == expected


def test_worked_example(example: dict[str, str]) -> None:
    run_id = sha256(b"zkag worked example run").digest()
    assert example["run-id"] == run_id.hex()
    assert example["genesis"] == genesis(run_id).hex()
    line = example["record"].encode()
    record = StepRecord.decode(line)
    assert record.encode() == line
    assert record.prev_hash == genesis(run_id)
    assert record.chunks[0].inputs[0] == sha256(b"step0 chunk0 in w").digest()
    assert record.chunks[1].outputs[2] == sha256(b"step0 chunk1 out v").digest()
    assert record.chunks[0].circuit_id == sha256(b"circuit adam-d16").digest()
    assert example["record-hash"] == sha256(line).hexdigest() == record.hash().hex()
    statements = [s.encode() for s in record.statements()]
    assert [len(s) for s in statements] == [305, 305]
    assert example["statement-0"] == statements[0].hex()
    assert example["statement-1"] == statements[1].hex()
    assert example["leaf-0"] == leaf_hash(statements[0]).hex()
    assert example["leaf-1"] == leaf_hash(statements[1]).hex()
    root = node_hash(leaf_hash(statements[0]), leaf_hash(statements[1]))
    tree = MerkleTree()
    tree.extend(statements)
    assert example["root"] == root.hex() == tree.root().hex()
    epoch = Epoch(number=1, records=1, tree_size=2, root=root, consistency_proof=())
    assert example["epochs"].encode() + b"\n" == encode_epochs(run_id, [epoch])
