"""Benchmark of the run log: tree appends, roots, proofs and durable record appends.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/log_bench.py --leaves 1000000``).

Every cost is compared, in the same run, with the work no implementation can avoid: hashing
each leaf once with hashlib. The goal (issue 3) is for appending 10^6 statements to the
incrementally kept tree, so that a root is available at every size, to cost at most 2.5x that.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from hashlib import sha256
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers.bundles import iter_records  # noqa: E402  (synthetic, realistic records)
from zkag_protocol.merkle import root_from_leaf_hashes, verify_consistency, verify_inclusion  # noqa: E402
from zkag_protocol.steplog import StepLog  # noqa: E402
from zkag_protocol.tree import MerkleTree  # noqa: E402

STATEMENT_SIZE = 81 + 7 * 32  # an Adam chunk: 4 input and 3 output commitments
GOAL = 2.5


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1_000, help="statements per tree append")
    parser.add_argument("--records", type=int, default=20_000, help="durable record appends")
    parser.add_argument("--fsync-batch", type=int, default=100, help="records per fsync")
    parser.add_argument(
        "--probes", type=int, default=2_000, help="random proofs generated and verified"
    )
    args = parser.parse_args()
    rng = random.Random(0)
    blob = os.urandom(args.leaves * STATEMENT_SIZE)
    leaves = [blob[i : i + STATEMENT_SIZE] for i in range(0, len(blob), STATEMENT_SIZE)]
    n = len(leaves)

    baseline = timed(lambda: [sha256(leaf).digest() for leaf in leaves])
    per_leaf = baseline / n

    tree = MerkleTree()
    batched = timed(
        lambda: [tree.extend(leaves[i : i + args.batch]) for i in range(0, n, args.batch)]
    )
    single_tree = MerkleTree()
    one_by_one = timed(lambda: [single_tree.append(leaf) for leaf in leaves])
    assert tree.root() == single_tree.root()

    final_root = timed(tree.root)
    sizes = [rng.randrange(1, n + 1) for _ in range(args.probes)]
    any_root = timed(lambda: [tree.root(size) for size in sizes]) / args.probes
    leaf_hashes = [tree.leaf_hash(index) for index in range(n)]
    naive_root = timed(lambda: root_from_leaf_hashes(leaf_hashes))

    probes = [(rng.randrange(size), size) for size in sizes]

    def inclusion() -> None:
        for index, size in probes:
            proof = tree.inclusion_proof(index, size)
            verify_inclusion(
                leaf_index=index,
                tree_size=size,
                leaf=tree.leaf_hash(index),
                proof=proof,
                root=tree.root(size),
            )

    pairs = [(rng.randrange(0, size + 1), size) for size in sizes]

    def consistency() -> None:
        for old, new in pairs:
            proof = tree.consistency_proof(old, new)
            verify_consistency(
                old_size=old,
                new_size=new,
                old_root=tree.root(old),
                new_root=tree.root(new),
                proof=proof,
            )

    inclusion_each = timed(inclusion) / args.probes
    consistency_each = timed(consistency) / args.probes

    records = list(iter_records(args.records, 1))
    record_leaves = [s.encode() for r in records for s in r.statements()]
    record_baseline = timed(lambda: [sha256(leaf).digest() for leaf in record_leaves])
    with tempfile.TemporaryDirectory() as folder:
        log = StepLog.open(Path(folder) / "steps.jsonl", run_id=records[0].run_id)
        batch = args.fsync_batch
        durable = timed(
            lambda: [log.append_many(records[i : i + batch]) for i in range(0, len(records), batch)]
        )

    table = Table(
        title=f"run log benchmark: {n:,} statements of {STATEMENT_SIZE} bytes", title_justify="left"
    )
    for column in ("operation", "total s", "per item", "vs hashing each leaf once"):
        table.add_column(column, justify="right" if column != "operation" else "left")

    def row(name: str, total: float | None, each: float, ratio: float, note: str = "") -> None:
        table.add_row(
            name,
            f"{total:.3f}" if total is not None else "-",
            f"{each * 1e6:.2f} µs",
            f"{ratio:.2f}x{note}",
        )

    row("hashlib: hash each leaf once (naive floor)", baseline, per_leaf, 1.0)
    verdict = " (goal <= 2.5x: met)" if batched / baseline <= GOAL else " (goal <= 2.5x: MISSED)"
    row(
        f"tree append, batches of {args.batch:,}", batched, batched / n, batched / baseline, verdict
    )
    row("tree append, one leaf at a time", one_by_one, one_by_one / n, one_by_one / baseline)
    row(
        "root at full size (kept tree)",
        final_root,
        final_root,
        final_root / per_leaf,
        " of one leaf",
    )
    row("root at a random size (kept tree)", None, any_root, any_root / per_leaf, " of one leaf")
    row(
        "root recomputed from all leaf hashes (naive)",
        naive_root,
        naive_root,
        naive_root / baseline,
    )
    row(
        "inclusion proof: make + verify",
        None,
        inclusion_each,
        inclusion_each / per_leaf,
        " of one leaf",
    )
    row(
        "consistency proof: make + verify",
        None,
        consistency_each,
        consistency_each / per_leaf,
        " of one leaf",
    )
    row(
        f"durable record append ({args.records:,}, fsync per {batch})",
        durable,
        durable / len(records),
        durable / record_baseline,
    )
    console = Console(width=130)
    console.print(table)
    console.print(
        f"durable appends: {len(records) / durable:,.0f} records/s "
        f"(canonical JSON + chain check + write, one fsync per {batch}; 1 chunk per record)"
    )


if __name__ == "__main__":
    main()
