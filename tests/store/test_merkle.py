"""The Merkle tree (store/merkle.py) against RFC 6962/9162's published test vectors and, over
random logs, against the RFC's recursive definitions written out naively here."""

from __future__ import annotations

import hashlib
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from openmrv.store.merkle import (
    EMPTY,
    MemoryTree,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

# Test vectors published with the RFC 6962 reference code (transparency-dev/merkle,
# testonly/constants.go): eight leaves and the root of each tree size 1..8, and two audit paths.
LEAVES = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f")
]  # fmt: skip
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
PATHS = {
    0: ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    5: ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}  # fmt: skip


def test_published_roots_and_paths():
    tree = MemoryTree(LEAVES)
    assert tree.root(0) == EMPTY == hashlib.sha256(b"").digest()
    assert [tree.root(n).hex() for n in range(1, 9)] == ROOTS
    for index, path in PATHS.items():
        assert [h.hex() for h in tree.inclusion(index, 8)] == path
        assert verify_inclusion(
            leaf_hash(LEAVES[index]), index, 8, tree.inclusion(index), tree.root()
        )


# The RFC's definitions, recursively and naively (RFC 9162 §2.1.1, 2.1.3.1, 2.1.4.1).
def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return leaf_hash(d[0])
    k = _k(len(d))
    return node_hash(mth(d[:k]), mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    return [*path(m, d[:k]), mth(d[k:])] if m < k else [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


logs = st.lists(st.binary(max_size=8), min_size=1, max_size=70)


@settings(max_examples=150, deadline=None)
@given(logs, st.data())
def test_roots_and_proofs_follow_the_rfc(d, data):
    tree = MemoryTree(d)
    n = data.draw(st.integers(1, len(d)), label="tree size")
    m = data.draw(st.integers(0, n - 1), label="leaf")
    old = data.draw(st.integers(1, n), label="older size")
    assert tree.root(n) == mth(d[:n])
    proof = tree.inclusion(m, n)
    assert proof == path(m, d[:n])
    assert len(proof) <= math.ceil(math.log2(n)) if n > 1 else not proof  # O(log n)
    assert verify_inclusion(leaf_hash(d[m]), m, n, proof, tree.root(n))
    cons = tree.consistency(old, n)
    assert cons == (subproof(old, d[:n], True) if old < n else [])
    assert len(cons) <= 2 * math.ceil(math.log2(n)) + 1
    assert verify_consistency(old, n, tree.root(old), tree.root(n), cons)


@settings(max_examples=150, deadline=None)
@given(logs, st.data())
def test_proofs_of_anything_else_fail(d, data):
    tree = MemoryTree(d)
    n = len(d)
    m = data.draw(st.integers(0, n - 1))
    root, proof = tree.root(), tree.inclusion(m)
    assert not verify_inclusion(leaf_hash(d[m] + b"x"), m, n, proof, root)  # another record
    if n > 1:
        other = data.draw(st.integers(0, n - 1).filter(lambda i: d[i] != d[m]), label="other")
        assert not verify_inclusion(leaf_hash(d[m]), other, n, proof, root)  # another place
    if proof:
        i = data.draw(st.integers(0, len(proof) - 1))
        bad = [*proof[:i], hashlib.sha256(proof[i]).digest(), *proof[i + 1 :]]
        assert not verify_inclusion(leaf_hash(d[m]), m, n, bad, root)
    old = data.draw(st.integers(1, n))
    cons = tree.consistency(old, n)
    rewritten = MemoryTree([*d[: old - 1], d[old - 1] + b"!", *d[old:]])  # history changed
    assert not verify_consistency(old, n, rewritten.root(old), root, cons)
    assert not verify_consistency(old, n, tree.root(old), rewritten.root(n), cons)
    if cons:
        assert not verify_consistency(old, n, tree.root(old), root, cons[:-1])  # truncated
