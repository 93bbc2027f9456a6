"""An append-only RFC 9162 Merkle tree that answers roots and proofs for any past size.

It stores the hash of every complete (power-of-two, aligned) subtree, level by level: level 0
holds the leaf hashes, level h the roots of aligned subtrees of 2^h leaves. Appending a leaf
costs one leaf hash plus, amortised, one node hash. A root, an inclusion proof or a consistency
proof at any size m <= n then needs only O(log n) extra node hashes, which epochs need because
they are closed at sizes chosen after the fact.
"""

from collections.abc import Iterable
from hashlib import sha256

from zkag_protocol.errors import MerkleError
from zkag_protocol.merkle import EMPTY_ROOT, node_hash


def _largest_power_of_two_below(n: int) -> int:
    """k with k < n <= 2k (RFC 9162's split point); n must be > 1."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """RFC 9162 tree over leaf bytes, kept incrementally."""

    def __init__(self) -> None:
        self._levels: list[list[bytes]] = [[]]

    def __len__(self) -> int:
        return len(self._levels[0])

    def append(self, leaf: bytes) -> int:
        """Add one leaf; return its index."""
        self.extend_hashes([sha256(b"\x00" + leaf).digest()])
        return len(self) - 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Add many leaves at once (hashing them in one pass is the fast path)."""
        self.extend_hashes([sha256(b"\x00" + leaf).digest() for leaf in leaves])

    def extend_hashes(self, leaf_hashes: list[bytes]) -> None:
        """Add already-hashed leaves and complete every subtree they finish."""
        levels = self._levels
        levels[0].extend(leaf_hashes)
        height = 0
        while len(levels[height]) >= 2:
            below = levels[height]
            if height + 1 == len(levels):
                levels.append([])
            above = levels[height + 1]
            start = 2 * len(above)
            if start + 1 >= len(below):
                break
            above.extend(
                [
                    sha256(b"\x01" + below[i] + below[i + 1]).digest()
                    for i in range(start, len(below) - 1, 2)
                ]
            )
            height += 1

    def leaf_hash(self, index: int) -> bytes:
        self._check_size(index + 1, "leaf index + 1")
        return self._levels[0][index]

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (default: all)."""
        size = len(self) if size is None else size
        self._check_size(size, "size")
        return EMPTY_ROOT if size == 0 else self._subtree(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 2.1.3.1, leaf-side first."""
        size = len(self) if size is None else size
        self._check_size(size, "size")
        if not 0 <= index < size:
            raise MerkleError(f"leaf index {index} is outside a tree of size {size}")
        proof: list[bytes] = []
        start = 0
        while size > 1:  # walk down from the root, collecting the sibling of each step
            k = _largest_power_of_two_below(size)
            if index < k:
                proof.append(self._subtree(start + k, size - k))
                size = k
            else:
                proof.append(self._subtree(start, k))
                start, index, size = start + k, index - k, size - k
        proof.reverse()
        return proof

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[0:new_size]) of RFC 9162 2.1.4.1, leaf-side first."""
        new_size = len(self) if new_size is None else new_size
        self._check_size(new_size, "new size")
        if not 0 <= old_size <= new_size:
            raise MerkleError(f"old size {old_size} must be between 0 and new size {new_size}")
        if old_size in (0, new_size):
            return []
        proof: list[bytes] = []
        start, m, n, complete = 0, old_size, new_size, True
        while m != n:  # SUBPROOF(m, D[start:start+n], complete), iteratively
            k = _largest_power_of_two_below(n)
            if m <= k:
                proof.append(self._subtree(start + k, n - k))
                n = k
            else:
                proof.append(self._subtree(start, k))
                start, m, n, complete = start + k, m - k, n - k, False
        if not complete:
            proof.append(self._subtree(start, m))
        proof.reverse()
        return proof

    def _check_size(self, size: int, what: str) -> None:
        if not 0 <= size <= len(self):
            raise MerkleError(f"{what} {size} is outside the tree of {len(self)} leaves")

    def _subtree(self, start: int, size: int) -> bytes:
        """MTH(D[start:start+size]) for ranges that RFC 9162's recursion produces."""
        if size & (size - 1) == 0:  # complete and, by construction, aligned: stored
            height = size.bit_length() - 1
            return self._levels[height][start >> height]
        k = _largest_power_of_two_below(size)
        return node_hash(self._subtree(start, k), self._subtree(start + k, size - k))
