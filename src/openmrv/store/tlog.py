"""The ledger's events as a transparency log: the Merkle tree over them (store/merkle.py),
signed checkpoints (store/note.py), the keys that sign them, and the checks against them.

Leaf i is event i+1: its leaf hash is RFC 9162's over the event's canonical bytes (the same
JSON array of its fields and the previous hash that its chain hash covers). Each append stores
the perfect subtrees it completes (`ledger_tree`), so a root or a proof at a million events
reads about forty hashes. What the store keeps is never trusted by a check: `check_since`
rebuilds the tree from the events and uses the stored nodes only where a signed root
authenticates them (to name the first event a rewrite changed).

Private keys never enter the database: `keygen` writes one to a file (mode 0600) in Go's note
format (PRIVATE+KEY+name+id+base64(0x01 || seed)) and stores the public half in `ledger_keys`
(an event records it), where the API lists it.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from openmrv.store import ledger, merkle, note, state
from openmrv.store.canonical import json_text
from openmrv.store.coverage import Event
from openmrv.store.db import Database, StoreError

OWNER_KINDS = ("organisation", "verifier", "regulator")
_PRIVATE = "PRIVATE+KEY+"


def leaf_data(e: Event) -> bytes:
    """The bytes a leaf hashes: what the event's chain hash covers."""
    body = [e.seq, e.at, e.actor, e.action, e.subject, e.reason, e.payload, e.prev_hash]
    return json_text(body).encode("utf-8")


class StoredTree(merkle.Tree):
    """The tree of the stored perfect subtrees (read as needed, cached)."""

    def __init__(self, db: Database, size: int | None = None) -> None:
        self.db = db
        self._cache: dict[tuple[int, int], bytes] = {}
        n = size if size is not None else stored_leaves(db)
        super().__init__(n, self._node)

    def _node(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self._cache:
            h = self.db.scalar(
                "SELECT hash FROM ledger_tree WHERE level = ? AND idx = ?", [level, index]
            )
            if h is None:
                raise KeyError(f"the store has no tree node {key}")
            self._cache[key] = bytes.fromhex(h)
        return self._cache[key]


def stored_leaves(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM ledger_tree WHERE level = 0"))


def extend(db: Database) -> int:
    """Inside a write transaction: store the tree nodes of events not yet in the tree (the new
    event, or all events of a store from before the tree); the tree's size (0 while a store
    is migrated from before the tree: its first append after migration 11 builds it)."""
    if not db.tree_ready:
        if "level" not in db.columns("ledger_tree"):
            return 0
        db.tree_ready = True
    n = stored_leaves(db)
    tree = StoredTree(db, n)
    new = db.execute(
        "SELECT seq, recorded_at, actor, action, subject, reason, payload, prev_hash, hash "
        "FROM ledger_events WHERE seq > ? ORDER BY seq",
        [n],
    )
    rows = []
    for r in new:
        e = Event(*r)
        for level, index, h in merkle.perfect_nodes(
            n, merkle.leaf_hash(leaf_data(e)), tree.perfect
        ):
            tree._cache[(level, index)] = h
            rows.append((level, index, h.hex()))
        n += 1
    db.executemany("INSERT INTO ledger_tree VALUES (?, ?, ?)", rows)
    return n


def memory_tree(events: Iterable[Event]) -> merkle.MemoryTree:
    """The tree rebuilt from the events themselves."""
    return merkle.MemoryTree(leaf_data(e) for e in events)


def origin(db: Database) -> str:
    """The log's name in its checkpoints: its first event's hash identifies the store."""
    first = db.scalar("SELECT hash FROM ledger_events WHERE seq = 1")
    return f"openmrv/ledger/{(first or ledger.GENESIS)[:16]}"


# -- keys


def write_private(path: Path, signer: note.Signer) -> None:
    seed = signer.key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    text = f"{_PRIVATE}{signer.name}+{signer.verifier.id.hex()}+"
    text += base64.b64encode(note.ED25519 + seed).decode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text + "\n")


def read_private(path: Path) -> note.Signer:
    """A signer from its key file; refused when others may read the file."""
    if path.stat().st_mode & 0o077:
        raise StoreError(f"key file {path} is readable by others: chmod 600 {path}")
    text = path.read_text().strip()
    try:
        name, hex_id, blob = text.removeprefix(_PRIVATE).split("+", 2)
        raw = base64.b64decode(blob, validate=True)
    except ValueError:
        raise StoreError(f"{path} is not an OpenMRV ledger key file") from None
    if not text.startswith(_PRIVATE) or raw[:1] != note.ED25519 or len(raw) != 33:
        raise StoreError(f"{path} is not an Ed25519 ledger key file")
    signer = note.Signer(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
    if signer.verifier.id.hex() != hex_id:
        raise StoreError(f"{path}: its key id does not match its key")
    return signer


def keygen(db: Database, name: str, kind: str, owner: str, path: Path, by: str) -> note.Verifier:
    """A new signing key: private half to `path` (0600), public half in the store, an event."""
    if kind not in OWNER_KINDS:
        raise StoreError(f"unknown key owner kind {kind!r}; one of {', '.join(OWNER_KINDS)}")
    signer = note.Signer(name, Ed25519PrivateKey.generate())
    public = signer.verifier  # checks the name
    with db.write():
        if db.scalar("SELECT count(*) FROM ledger_keys WHERE name = ?", [name]):
            raise StoreError(f"a ledger key named {name!r} exists already")
        _check_owner(db, kind, owner)
        if path.exists():
            raise StoreError(f"{path} exists; choose another key file")
        db.execute(
            "INSERT INTO ledger_keys VALUES (?, ?, ?, ?, ?, ?)",
            [name, kind, owner, public.encode(), by, ledger.now()],
        )
        ledger.append(
            db, by, "key", name, None,
            {"owner_kind": kind, "owner": owner, "key": public.encode(),
             "state": state.state(db, [("ledger_keys", (name,))])},
        )  # fmt: skip
        write_private(path, signer)
    return public


def _check_owner(db: Database, kind: str, owner: str) -> None:
    if kind == "organisation":
        if not db.scalar("SELECT count(*) FROM organisations WHERE organization_id = ?", [owner]):
            raise StoreError(f"no organisation {owner!r}")
    elif not db.scalar("SELECT count(*) FROM users WHERE user_id = ?", [owner]):
        raise StoreError(f"no user {owner!r}")


def public_keys(db: Database) -> list[dict[str, Any]]:
    cols = ("name", "owner_kind", "owner", "verifier_key", "created_at")
    rows = db.execute(f"SELECT {', '.join(cols)} FROM ledger_keys ORDER BY name")
    return [dict(zip(cols, r, strict=True)) for r in rows]


def verifiers(keys: Iterable[str]) -> list[note.Verifier]:
    return [note.Verifier.decode(k) for k in keys]


# -- checkpoints


def checkpoint(db: Database, signer: note.Signer, size: int | None = None) -> str:
    """Sign the tree at `size` (default: every event) and store the note; the note."""
    with db.write():
        n = extend(db)
        size = n if size is None else size
        if not 0 < size <= n:
            raise StoreError(f"the ledger has {n} events; cannot checkpoint {size}")
        held = db.scalar("SELECT note FROM ledger_checkpoints WHERE tree_size = ?", [size])
        if held is not None:  # one text per size: sign the one there is
            text = note.split(held)[0]
        else:
            root = StoredTree(db, n).root(size)
            text = note.Checkpoint(origin(db), size, root, (f"time {ledger.now()}",)).text()
        signed = note.sign(text, signer)
        db.execute(
            "DELETE FROM ledger_checkpoints WHERE tree_size = ? AND signer = ?", [size, signer.name]
        )
        db.execute(
            "INSERT INTO ledger_checkpoints VALUES (?, ?, ?, ?)",
            [size, signer.name, signed, ledger.now()],
        )
    return signed


def cosign(db: Database, signed: str, signer: note.Signer) -> str:
    """Add `signer`'s signature to a checkpoint (after checking it against the store's log) and
    store it; the note with every signature the store holds for that tree."""
    text, _ = note.split(signed)
    cp = note.Checkpoint.parse(text)
    with db.write():
        n = extend(db)
        if cp.size > n or StoredTree(db, n).root(cp.size) != cp.root:
            raise StoreError("the checkpoint is not of this store's log; not co-signed")
        db.execute(
            "DELETE FROM ledger_checkpoints WHERE tree_size = ? AND signer = ?",
            [cp.size, signer.name],
        )
        db.execute(
            "INSERT INTO ledger_checkpoints VALUES (?, ?, ?, ?)",
            [cp.size, signer.name, note.sign(text, signer), ledger.now()],
        )
    return merged(db, cp.size)


def merged(db: Database, size: int) -> str:
    """One note carrying every stored signature over the checkpoint of `size`."""
    notes = [r[0] for r in db.execute(
        "SELECT note FROM ledger_checkpoints WHERE tree_size = ? ORDER BY created_at", [size]
    )]  # fmt: skip
    if not notes:
        raise StoreError(f"no checkpoint of size {size}")
    text, _ = note.split(notes[0])
    lines = dict.fromkeys(
        line
        for n in notes
        if n.startswith(text + "\n")
        for line in n[len(text) + 1 :].splitlines(True)
    )
    return text + "\n" + "".join(lines)


def checkpoints(db: Database) -> list[dict[str, Any]]:
    """Every stored checkpoint (latest first) with its signers."""
    sizes = [r[0] for r in db.execute(
        "SELECT DISTINCT tree_size FROM ledger_checkpoints ORDER BY tree_size DESC"
    )]  # fmt: skip
    out = []
    for size in sizes:
        n = merged(db, size)
        text, sigs = note.split(n)
        cp = note.Checkpoint.parse(text)
        out.append({"size": size, "root": cp.root.hex(), "extra": list(cp.extra),
                    "signers": [s[0] for s in sigs], "note": n})  # fmt: skip
    return out


# -- proofs and checks


@dataclass
class Inclusion:
    seq: int
    size: int
    leaf: bytes
    root: bytes
    path: list[bytes]

    def as_dict(self) -> dict[str, Any]:
        return {
            "event": self.seq,
            "leaf_index": self.seq - 1,
            "tree_size": self.size,
            "leaf_hash": self.leaf.hex(),
            "root": self.root.hex(),
            "path": [p.hex() for p in self.path],
        }


def prove(db: Database, seq: int, size: int | None = None) -> Inclusion:
    """The inclusion proof of event `seq` in the stored tree (of `size` events; default all)."""
    tree = StoredTree(db)
    size = tree.size if size is None else size
    row = db.one(
        "SELECT seq, recorded_at, actor, action, subject, reason, payload, prev_hash, hash "
        "FROM ledger_events WHERE seq = ?",
        [seq],
    )
    if row is None or not 0 < seq <= size:
        raise StoreError(f"event {seq} is not in the tree of {size} events")
    leaf = merkle.leaf_hash(leaf_data(Event(*row)))
    return Inclusion(seq, size, leaf, tree.root(size), tree.inclusion(seq - 1, size))


def record_event(db: Database, record_id: str, version: int | None, org: str | None) -> int:
    """The event that wrote a record version (its batch's event)."""
    where, params = "record_id = ?", list[Any]([record_id])
    if org:
        where, params = where + " AND organization_id = ?", [*params, org]
    if version is not None:
        where, params = where + " AND version = ?", [*params, version]
    rows = db.execute(
        f"SELECT DISTINCT organization_id, batch_id, version FROM activity_records WHERE {where} "
        "ORDER BY version DESC",
        params,
    )
    if not rows:
        raise StoreError(f"no record {record_id!r}" + (f" version {version}" if version else ""))
    if len({r[0] for r in rows}) > 1:
        raise StoreError(f"record {record_id!r} is used by several organisations: pass --org")
    batch = rows[0][1]
    for e in ledger.events(db):
        if e.data().get("batch_id") == batch:
            return e.seq
    raise StoreError(f"no event records batch {batch} of record {record_id!r}")


@dataclass
class SinceCheck:
    """What `check_since` found: problems (first first), and the sizes compared."""

    old_size: int
    size: int
    signers: list[str]
    problems: list[tuple[int | None, str]]


def check_since(
    db: Database, signed: str, trusted: Sequence[note.Verifier], events: list[Event] | None = None
) -> SinceCheck:
    """Check that the log extends the one `signed` (a checkpoint note) names: its signature by
    a trusted key, the tree rebuilt from the events at the checkpoint's size against its root,
    and the consistency proof the store serves from there to now."""
    cp, signers = note.open_checkpoint(signed, list(trusted))
    events = list(ledger.events(db)) if events is None else events
    tree = memory_tree(events)
    problems: list[tuple[int | None, str]] = []
    if cp.origin != origin(db):
        problems.append((1, f"the checkpoint is of log {cp.origin!r}; this is {origin(db)!r} "
                            "(another store, or its first event was rewritten)"))  # fmt: skip
    if cp.size > tree.size or tree.root(cp.size) != cp.root:
        first = first_difference(db, tree, cp)
        if first is not None:
            what = "is missing from" if first > tree.size else "differs from"
            problems.append((first, f"{what} the log the checkpoint of size {cp.size} signed: "
                             "the log was rewritten from here"))  # fmt: skip
        elif cp.size > tree.size:
            problems.append(
                (
                    tree.size + 1,
                    f"the log has {tree.size} events, the checkpoint "
                    f"{cp.size}: events {tree.size + 1}–{cp.size} were removed",
                )
            )
        else:
            problems.append(
                (
                    None,
                    f"events 1–{cp.size} differ from what the checkpoint signed "
                    "(the log was rewritten; the store's tree too, so the first changed "
                    "event cannot be named without an export of the signed log)",
                )
            )
        return SinceCheck(cp.size, tree.size, signers, problems)
    proof = tree.consistency(cp.size)
    if not merkle.verify_consistency(cp.size, tree.size, cp.root, tree.root(), proof):
        problems.append((None, "no consistency proof from the checkpoint to the log"))
    try:
        stored_ok = StoredTree(db).size == tree.size and StoredTree(db).root() == tree.root()
    except KeyError:
        stored_ok = False
    if not stored_ok:
        problems.append((None, "the store's Merkle tree does not match its events (nodes were "
                         "altered, or events written around the application)"))  # fmt: skip
    return SinceCheck(cp.size, tree.size, signers, problems)


def first_difference(db: Database, tree: merkle.Tree, cp: note.Checkpoint) -> int | None:
    """The first event (seq) where the rebuilt tree departs from the signed one, found by
    descending through the store's nodes — each authenticated by the signed root above it;
    None when the store's nodes do not match the signed root either."""
    stored = StoredTree(db, max(stored_leaves(db), cp.size))
    try:
        start, end, trusted = 0, cp.size, cp.root
        if stored._hash(start, end) != trusted:
            return None
        while end - start > 1:
            k = merkle._split(end - start)
            left, right = stored._hash(start, start + k), stored._hash(start + k, end)
            if merkle.node_hash(left, right) != trusted:
                return None
            if start + k > tree.size or tree._hash(start, start + k) != left:
                end, trusted = start + k, left
            else:
                start, trusted = start + k, right
        return start + 1
    except KeyError:
        return None


def load_note(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True)
