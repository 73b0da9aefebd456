"""The ledger as an append-only Merkle tree, hashed as RFC 9162 §2.1 specifies (Certificate
Transparency v2, the same tree as RFC 6962, Go's checksum database and Sigstore's Rekor).

Why a tree and not only the hash chain: a chain proves integrity relative to a head someone
kept, but a head from yesterday cannot be checked against today's log without replaying all of
it, and a record's presence cannot be shown without the whole log. A tree head (size and root
hash, signed in a checkpoint: store/note.py) lets anyone check, with O(log n) hashes, that an
event is in the log (inclusion proof) and that today's log extends the one a checkpoint named
(consistency proof).

Hashing (RFC 9162 §2.1.1): a leaf is SHA-256(0x00 || data), an interior node
SHA-256(0x01 || left || right), the empty tree SHA-256(""); a tree of n > 1 leaves splits at k,
the largest power of two smaller than n. Every range the definitions visit starts at a
multiple of its largest power-of-two part, so any root or proof is built from O(log n)
*perfect* subtrees (2^level leaves from index·2^level), which `perfect_nodes` yields as leaves
are appended: a store that keeps them answers roots and proofs without reading the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence

from openmrv.store.offline import verify_inclusion  # noqa: F401  RFC 9162 §2.1.3.2, stand-alone

EMPTY = hashlib.sha256(b"").digest()

# (level, index) -> the hash of leaves [index·2^level, (index+1)·2^level)
Perfect = Callable[[int, int], bytes]


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_nodes(index: int, leaf: bytes, perfect: Perfect) -> Iterator[tuple[int, int, bytes]]:
    """The perfect subtrees completed by appending `leaf` (a leaf hash) at `index`, as
    (level, index, hash), bottom up: the leaf itself, then each parent it completes."""
    level, h = 0, leaf
    yield level, index, h
    while index % 2:
        h = node_hash(perfect(level, index - 1), h)
        level, index = level + 1, index // 2
        yield level, index, h


class Tree:
    """Roots and proofs of a log of `size` leaves whose perfect subtrees `perfect` returns."""

    def __init__(self, size: int, perfect: Perfect) -> None:
        self.size, self.perfect = size, perfect

    def _hash(self, start: int, end: int) -> bytes:
        n = end - start
        if n == 0:
            return EMPTY
        if n & (n - 1) == 0:  # a power of two, aligned: stored
            level = n.bit_length() - 1
            return self.perfect(level, start >> level)
        k = _split(n)
        return node_hash(self._hash(start, start + k), self._hash(start + k, end))

    def _check(self, n: int | None) -> int:
        n = self.size if n is None else n
        if not 0 <= n <= self.size:
            raise ValueError(f"tree size {n} is not within the log's {self.size} leaves")
        return n

    def root(self, n: int | None = None) -> bytes:
        """The root hash of the first n leaves (all by default)."""
        return self._hash(0, self._check(n))

    def inclusion(self, index: int, n: int | None = None) -> list[bytes]:
        """The audit path of leaf `index` in the tree of the first n leaves (RFC 9162 §2.1.3.1)."""
        n = self._check(n)
        if not 0 <= index < n:
            raise ValueError(f"leaf {index} is not in a tree of {n} leaves")
        path: list[bytes] = []
        start, end = 0, n
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                path.append(self._hash(start + k, end))
                end = start + k
            else:
                path.append(self._hash(start, start + k))
                start += k
        return path[::-1]

    def consistency(self, m: int, n: int | None = None) -> list[bytes]:
        """The proof that the tree of m leaves is a prefix of the tree of n (RFC 9162
        §2.1.4.1); empty when m is 0 or m equals n."""
        n = self._check(n)
        if not 0 <= m <= n:
            raise ValueError(f"tree size {m} is not within {n}")
        if m in (0, n):
            return []
        proof: list[bytes] = []
        start, end, whole = 0, n, True
        while m != end:
            k = _split(end - start)
            if m - start <= k:
                proof.append(self._hash(start + k, end))
                end = start + k
            else:
                proof.append(self._hash(start, start + k))
                start, whole = start + k, False
        if not whole:
            proof.append(self._hash(start, end))
        return proof[::-1]


def verify_consistency(
    m: int, n: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: whether `proof` shows the tree of m leaves with `old_root` is a
    prefix of the tree of n leaves with `new_root`."""
    if not 0 <= m <= n:
        return False
    if m == n:
        return not proof and old_root == new_root
    if m == 0:
        return not proof  # the empty tree is a prefix of every tree
    if not proof:
        return False
    path = list(proof)
    if m & (m - 1) == 0:
        path.insert(0, old_root)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0


class MemoryTree(Tree):
    """A whole log held in memory (tests, and checking an exported bundle offline)."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        super().__init__(0, lambda level, index: self.levels[level][index])
        for data in leaves:
            self.append(data)

    def append(self, data: bytes) -> int:
        """Append a leaf (its data, hashed here); return its index."""
        index = self.size
        for level, i, h in perfect_nodes(index, leaf_hash(data), self.perfect):
            if level == len(self.levels):
                self.levels.append([])
            assert len(self.levels[level]) == i
            self.levels[level].append(h)
        self.size += 1
        return index
