"""RFC 9162 Merkle tree: published test vectors, corrupted proofs, and properties over random sizes.

The vectors are the standard RFC 6962 test leaves with their roots and proofs, as published with
the Certificate Transparency reference implementations (transparency-dev/merkle,
proof/verify_test.go); leaf indices there are 1-based, here 0-based.
"""

from hashlib import sha256

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkag_protocol.errors import MerkleError
from zkag_protocol.merkle import (
    EMPTY_ROOT,
    ConsistencyProofError,
    InclusionProofError,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)
from zkag_protocol.tree import MerkleTree

h = bytes.fromhex
LEAVES = [
    h(x)
    for x in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]
INCLUSION = [  # (leaf index, tree size, proof)
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (0, 1, []),
]
CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip


@pytest.fixture(scope="module")
def tree() -> MerkleTree:
    built = MerkleTree()
    built.extend(LEAVES)
    return built


def test_empty_tree_root() -> None:
    assert MerkleTree().root() == EMPTY_ROOT == sha256(b"").digest()
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_of_the_standard_test_leaves(tree: MerkleTree, size: int) -> None:
    assert tree.root(size) == ROOTS[size - 1]
    assert root_from_leaf_hashes([leaf_hash(leaf) for leaf in LEAVES[:size]]) == ROOTS[size - 1]
    one_by_one = MerkleTree()
    for leaf in LEAVES[:size]:
        one_by_one.append(leaf)
    assert one_by_one.root() == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_the_vectors(
    tree: MerkleTree, index: int, size: int, proof: list[str]
) -> None:
    expected = [h(node) for node in proof]
    assert tree.inclusion_proof(index, size) == expected
    verify_inclusion(
        leaf_index=index,
        tree_size=size,
        leaf=leaf_hash(LEAVES[index]),
        proof=expected,
        root=ROOTS[size - 1],
    )


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_match_the_vectors(
    tree: MerkleTree, old: int, new: int, proof: list[str]
) -> None:
    expected = [h(node) for node in proof]
    assert tree.consistency_proof(old, new) == expected
    verify_consistency(
        old_size=old, new_size=new, old_root=ROOTS[old - 1], new_root=ROOTS[new - 1], proof=expected
    )


def _flip(node: bytes, bit: int) -> bytes:
    return bytes([node[0] ^ bit]) + node[1:]


@pytest.mark.parametrize(("index", "size", "proof"), [v for v in INCLUSION if v[2]])
def test_corrupted_inclusion_proofs_fail(index: int, size: int, proof: list[str]) -> None:
    """The corruption probes of the reference tests: each must be rejected."""
    path, root, leaf = [h(n) for n in proof], ROOTS[size - 1], leaf_hash(LEAVES[index])
    some = h("abacaba000000000000000000000000000000000000000000060061e00123456")
    probes = [
        (index - 1, size, leaf, path, root),
        (index + 1, size, leaf, path, root),
        (index ^ 2, size, leaf, path, root),
        (index, size * 2, leaf, path, root),
        (index, size // 2, leaf, path, root),
        (index, size, sha256(b"WrongLeaf").digest(), path, root),
        (index, size, leaf, path, EMPTY_ROOT),
        (index, size, leaf, path, some),
        (index, size, leaf, [*path, root], root),
        (index, size, leaf, [root, *path], root),
        (index, size, leaf, path[:-1], root),
        (index, size, leaf, [path[0], some, *path[1:]], root),
        *[
            (index, size, leaf, [*path[:i], _flip(path[i], 8), *path[i + 1 :]], root)
            for i in range(len(path))
        ],
    ]
    for probe_index, probe_size, probe_leaf, probe_path, probe_root in probes:
        with pytest.raises(InclusionProofError):
            verify_inclusion(
                leaf_index=probe_index,
                tree_size=probe_size,
                leaf=probe_leaf,
                proof=probe_path,
                root=probe_root,
            )


@pytest.mark.parametrize(("old", "new", "proof"), [v for v in CONSISTENCY if v[2]])
def test_corrupted_consistency_proofs_fail(old: int, new: int, proof: list[str]) -> None:
    path, r1, r2 = [h(n) for n in proof], ROOTS[old - 1], ROOTS[new - 1]
    wrong = sha256(b"WrongRoot").digest()
    probes = [
        (old - 1, new, r1, r2, path),
        (old + 1, new, r1, r2, path),
        (old ^ 2, new, r1, r2, path),
        (old, new * 2, r1, r2, path),
        (old, new // 2, r1, r2, path),
        (old, new, wrong, r2, path),
        (old, new, r1, wrong, path),
        (old, new, r2, r1, path),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*path, r1]),
        (old, new, r1, r2, [*path, r2]),
        (old, new, r1, r2, [r1, *path]),
        (old, new, r1, r2, [r2, *path]),
        (old, new, r1, r2, [path[0], *path]),
        (old, new, r1, r2, path[:-1]),
        *[
            (old, new, r1, r2, [*path[:i], _flip(path[i], 16), *path[i + 1 :]])
            for i in range(len(path))
        ],
    ]
    for o, n, a, b, p in probes:
        if (o, n) in {(0, new), (old, old)} and not p:
            continue  # trivially consistent sizes: not a corruption
        with pytest.raises(ConsistencyProofError):
            verify_consistency(old_size=o, new_size=n, old_root=a, new_root=b, proof=p)


def test_wrong_hash_lengths_and_bad_indices_are_errors(tree: MerkleTree) -> None:
    with pytest.raises(InclusionProofError, match="leaf hash has 9 bytes"):
        verify_inclusion(leaf_index=0, tree_size=1, leaf=b"WrongLeaf", proof=[], root=ROOTS[0])
    with pytest.raises(ConsistencyProofError, match="wrong order"):
        verify_consistency(old_size=3, new_size=2, old_root=ROOTS[2], new_root=ROOTS[1], proof=[])
    with pytest.raises(MerkleError):
        tree.inclusion_proof(8, 8)
    with pytest.raises(MerkleError):
        tree.root(9)


def naive_root(leaves: list[bytes]) -> bytes:
    """RFC 9162's recursive definition, written directly."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(naive_root(leaves[:k]), naive_root(leaves[k:]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=140), st.data())
def test_proofs_at_random_sizes_verify_and_match_the_definition(
    leaves: list[bytes], data: st.DataObject
) -> None:
    tree = MerkleTree()
    split = data.draw(st.integers(0, len(leaves)))
    tree.extend(leaves[:split])  # a batch, then one by one: both paths must agree
    for leaf in leaves[split:]:
        tree.append(leaf)
    size = data.draw(st.integers(1, len(leaves)))
    old = data.draw(st.integers(0, size))
    index = data.draw(st.integers(0, size - 1))
    root = tree.root(size)
    assert root == naive_root(leaves[:size])
    verify_inclusion(
        leaf_index=index,
        tree_size=size,
        leaf=leaf_hash(leaves[index]),
        proof=tree.inclusion_proof(index, size),
        root=root,
    )
    proof = tree.consistency_proof(old, size)
    verify_consistency(
        old_size=old, new_size=size, old_root=tree.root(old), new_root=root, proof=proof
    )
    if proof:
        with pytest.raises(ConsistencyProofError):
            verify_consistency(
                old_size=old,
                new_size=size,
                old_root=tree.root(old),
                new_root=root,
                proof=[_flip(proof[0], 1), *proof[1:]],
            )
