"""RFC 9162 Merkle tree hashing and proof verification: pure functions, no storage, no I/O.

leaf hash = SHA-256(0x00 || leaf bytes); node hash = SHA-256(0x01 || left || right); the root of
an empty tree is SHA-256(""). Verification follows RFC 9162 sections 2.1.3.2 (inclusion) and
2.1.4.2 (consistency) step by step. Each failure is a distinct error saying what was expected.
"""

from collections.abc import Sequence
from hashlib import sha256

from zkag_protocol.errors import MerkleError

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()


class InclusionProofError(MerkleError):
    """An inclusion proof does not show the leaf in the tree with the given root."""


class ConsistencyProofError(MerkleError):
    """A consistency proof does not show the second tree extends the first."""


def leaf_hash(leaf: bytes) -> bytes:
    return sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def _check_hash(value: bytes, what: str, error: type[MerkleError]) -> None:
    if len(value) != HASH_SIZE:
        raise error(f"{what} has {len(value)} bytes, expected {HASH_SIZE}")


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH over already-hashed leaves (RFC 9162 2.1.1), computed level by level."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])  # an unpaired last node moves up unchanged
        level = paired
    return level[0]


def verify_inclusion(
    *, leaf_index: int, tree_size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf`` (a leaf hash) is at ``leaf_index`` of the tree with ``root``."""
    _check_hash(leaf, "leaf hash", InclusionProofError)
    _check_hash(root, "root", InclusionProofError)
    for index, node in enumerate(proof):
        _check_hash(node, f"proof[{index}]", InclusionProofError)
    # 1. Compare leaf_index against tree_size.
    if not 0 <= leaf_index < tree_size:
        raise InclusionProofError(f"leaf index {leaf_index} is outside a tree of size {tree_size}")
    # 2. Set fn to leaf_index and sn to tree_size - 1; 3. set r to the leaf hash.
    fn, sn, r = leaf_index, tree_size - 1, leaf
    # 4. For each value p in the proof:
    for p in proof:
        if sn == 0:
            raise InclusionProofError(f"inclusion proof is too long: {len(proof)} hashes")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    # 5. Compare sn to 0 and r against the root.
    if sn != 0:
        raise InclusionProofError(f"inclusion proof is too short: {len(proof)} hashes")
    if r != root:
        raise InclusionProofError(
            f"calculated root {r.hex()} does not match expected root {root.hex()}"
        )


def verify_consistency(
    *, old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``new_size`` with ``new_root`` extends the one of ``old_size``."""
    _check_hash(old_root, "old root", ConsistencyProofError)
    _check_hash(new_root, "new root", ConsistencyProofError)
    for index, node in enumerate(proof):
        _check_hash(node, f"proof[{index}]", ConsistencyProofError)
    if old_size > new_size:
        raise ConsistencyProofError(f"sizes in the wrong order: old {old_size} > new {new_size}")
    if old_size == new_size:
        if proof:
            raise ConsistencyProofError(
                f"proof for equal sizes must be empty, got {len(proof)} hashes"
            )
        if old_root != new_root:
            raise ConsistencyProofError("equal sizes but different roots")
        return
    if old_size == 0:
        if proof:
            raise ConsistencyProofError(
                f"proof from an empty tree must be empty, got {len(proof)} hashes"
            )
        return
    # 1. If the proof is empty, fail.
    if not proof:
        raise ConsistencyProofError("consistency proof is empty")
    path = list(proof)
    # 2. If old_size is an exact power of 2, prepend old_root to the path.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # 3-4. Set fn = old_size - 1, sn = new_size - 1; shift both right while lsb(fn) is set.
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. Set fr and sr to the first value in the path.
    fr = sr = path[0]
    # 6. For each subsequent value c in the path:
    for c in path[1:]:
        if sn == 0:
            raise ConsistencyProofError(f"consistency proof is too long: {len(proof)} hashes")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # 7. Check fr against old_root, sr against new_root, and sn against 0.
    if sn != 0:
        raise ConsistencyProofError(f"consistency proof is too short: {len(proof)} hashes")
    if fr != old_root:
        raise ConsistencyProofError(f"proof gives old root {fr.hex()}, expected {old_root.hex()}")
    if sr != new_root:
        raise ConsistencyProofError(f"proof gives new root {sr.hex()}, expected {new_root.hex()}")
