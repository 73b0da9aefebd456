#!/usr/bin/env python3
"""Check an OpenMRV ledger bundle without the database: stand-alone, needing only Python's
standard library and the `cryptography` package (for Ed25519).

    python verify_bundle.py BUNDLE.json [--trust KEY ...] [--proof PROOF.json]

A bundle (`openmrv ledger export --bundle`) holds the ledger's events, its signed checkpoints,
the public keys and the canonical encoding of every row the events vouch for. This script
recomputes, and trusts nothing it is given but the keys passed with --trust (without --trust,
the bundle's own keys, which only shows the bundle is self-consistent):

1. the hash chain: each event's SHA-256 over its fields and the previous hash;
2. the Merkle tree over the events (RFC 9162: leaf SHA-256(0x00 || event), node
   SHA-256(0x01 || left || right)), and every checkpoint's signatures (c2sp.org signed notes,
   Ed25519) and root at its size;
3. every row digest recorded in scheme v3 (`batch_digest`: per column, SHA-256 over the
   values' tags and lengths, then their bodies, in key order) and every recorded state of
   users, roles, tokens, runs, targets, uploads and keys (SHA-256 over the rows' encodings,
   concatenated);
4. with --proof, an inclusion proof printed by `openmrv ledger prove` against its checkpoint.

It prints what it checked and exits 0, or names the first broken event and exits 1. This file
is the implementation `openmrv ledger verify-bundle` runs too (scripts/verify_bundle.py links
to it), so it imports nothing of OpenMRV's.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FORMAT = "openmrv-ledger-bundle/1"
GENESIS = "0" * 64


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _sha(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


def leaf(e: dict[str, Any]) -> bytes:
    body = [e["seq"], e["at"], e["actor"], e["action"], e["subject"], e["reason"], e["payload"],
            e["prev_hash"]]  # fmt: skip
    return _canonical(body).encode("utf-8")


def root(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 Merkle tree hash of the leaf hashes."""
    if not leaves:
        return _sha(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return _sha(b"\x01" + root(leaves[:k]) + root(leaves[k:]))


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, path: list[bytes], top: bytes
) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _sha(b"\x01" + p + r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _sha(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == top


def parse_key(text: str) -> tuple[str, bytes, Ed25519PublicKey]:
    """A verifier key name+hexid+base64(0x01 || key): its name, id and key (id checked)."""
    name, hex_id, blob = text.strip().split("+", 2)
    raw = base64.b64decode(blob, validate=True)
    if raw[:1] != b"\x01" or len(raw) != 33:
        raise ValueError(f"key {name!r} is not an Ed25519 key")
    kid = _sha(name.encode() + b"\n" + raw)[:4]
    if kid.hex() != hex_id:
        raise ValueError(f"key {name!r}: its id does not match its key")
    return name, kid, Ed25519PublicKey.from_public_bytes(raw[1:])


def open_note(note: str, keys: list[str]) -> tuple[int, bytes, list[str]]:
    """A checkpoint note's size and root, and the trusted keys that signed it."""
    cut = note.rfind("\n\n")
    text, lines = note[: cut + 1], note[cut + 2 :].splitlines()
    trusted = {(n, kid): k for n, kid, k in map(parse_key, keys)}
    signers = []
    for line in lines:
        dash, name, sig = line.split(" ")
        raw = base64.b64decode(sig, validate=True)
        key = trusted.get((name, raw[:4]))
        if dash != "\u2014" or key is None:
            continue
        try:
            key.verify(raw[4:], text.encode())
        except InvalidSignature:
            raise ValueError(f"the signature of {name} does not verify") from None
        signers.append(name)
    if not signers:
        raise ValueError("the checkpoint is signed by none of the trusted keys")
    parts = text.split("\n")
    return int(parts[1]), base64.b64decode(parts[2]), signers


def _values(row: bytes) -> list[bytes]:
    """A row's encoded values (count, then tag and, but for NULL/true/false, length and body)."""
    out, i = [], 4
    for _ in range(int.from_bytes(row[:4], "big")):
        if row[i : i + 1] in (b"N", b"T", b"F"):
            out.append(row[i : i + 1])
            i += 1
        else:
            end = i + 5 + int.from_bytes(row[i + 1 : i + 5], "big")
            out.append(row[i:end])
            i = end
    return out


def batch_digest(rows: list[bytes]) -> str:
    """Scheme v3 of a batch: SHA-256 over the row and column counts, then per column the
    SHA-256 of its values' heads (tag, and body length in 4 bytes; NULL, true and false have
    length 0) followed by their bodies, in row order."""
    columns = list(zip(*map(_values, rows), strict=True))
    h = hashlib.sha256(len(rows).to_bytes(8, "big") + len(columns).to_bytes(4, "big"))
    for col in columns:
        heads = b"".join(v[:1] + (v[1:5] if len(v) > 1 else b"\0\0\0\0") for v in col)
        h.update(_sha(heads + b"".join(v[5:] for v in col)))
    return h.hexdigest()


def check(bundle: dict[str, Any], trust: list[str] | None = None) -> tuple[list[str], list[str]]:
    """What was checked, and the problems (first broken event first)."""
    if bundle.get("format") != FORMAT:
        return [], [f"not a ledger bundle ({FORMAT})"]
    keys = trust or bundle["keys"]
    problems: list[tuple[int, str]] = []
    events = bundle["events"]
    prev = GENESIS
    for i, e in enumerate(events, 1):
        body = [e["seq"], e["at"], e["actor"], e["action"], e["subject"], e["reason"],
                e["payload"], e["prev_hash"]]  # fmt: skip
        if e["seq"] != i or e["prev_hash"] != prev:
            problems.append((e["seq"], "does not follow the event before it"))
        if hashlib.sha256(_canonical(body).encode()).hexdigest() != e["hash"]:
            problems.append((e["seq"], "content does not match its hash"))
        prev = e["hash"]
    leaves = [_sha(b"\x00" + leaf(e)) for e in events]
    done = [f"{len(events)} events chained, head {prev}"]
    for note in bundle["checkpoints"]:
        try:
            size, top, signers = open_note(note, keys)
        except ValueError as exc:
            problems.append((0, f"checkpoint: {exc}"))
            continue
        if size > len(leaves):
            problems.append((len(leaves) + 1, f"events {len(leaves) + 1}–{size} were removed"))
        elif root(leaves[:size]) != top:
            problems.append((0, f"events 1–{size} are not the log the checkpoint of size {size} "
                             "signed (rewritten)"))  # fmt: skip
        else:
            done.append(f"checkpoint of {size} events signed by {', '.join(signers)}")
    problems += _rows(bundle, done)
    problems.sort(key=lambda p: p[0])
    return done, [f"event {s}: {p}" if s else p for s, p in problems]


def _rows(bundle: dict[str, Any], done: list[str]) -> list[tuple[int, str]]:
    """Each v3 digest and recorded state against the rows' encodings."""
    rows = {t: dict(groups) for t, groups in bundle["rows"].items()}
    out, legacy, seen = [], 0, set()
    latest: dict[tuple[str, str], tuple[str, int]] = {}
    for e in bundle["events"]:
        data = json.loads(e["payload"])
        for table, value in (data.get("digests") or {}).items():
            parts = value.split(":")
            tag = parts[1] if len(parts) == 3 else ""
            key = str(data["batch_id"])
            seen.add((table, key))
            if tag != "v3":
                legacy += 1
                continue
            latest[(table, key)] = (value, e["seq"])
        for table, groups in (data.get("state") or {}).items():
            for key, value in groups.items():
                latest[(table, key)] = (value, e["seq"])
    for (table, key), (value, seq) in latest.items():
        enc = [base64.b64decode(r) for r in rows.get(table, {}).pop(key, [])]
        sha = hashlib.sha256(b"".join(enc)).hexdigest()
        if table in bundle["batch_tables"]:
            now = f"{len(enc)}:v3:{batch_digest(enc)}"
        else:
            now = f"{len(enc)}:{sha}" if enc else "0"
        if now != value:
            out.append((seq, f"{table} rows of {key} differ from what was recorded"))
    for table, groups in rows.items():
        for key, enc in groups.items():
            if enc and (table, key) not in seen:
                out.append((0, f"{len(enc)} {table} row(s) of {key} that no event records"))
    done.append(f"{len(latest)} row digests and states recomputed ({legacy} digests of schemes "
                "before v3 need the database's text forms: not checked offline)")  # fmt: skip
    return out


def check_proof(proof: dict[str, Any], keys: list[str]) -> str:
    """An inclusion proof (`openmrv ledger prove`) against its signed checkpoint."""
    size, top, signers = open_note(proof["checkpoint"], keys)
    path = [bytes.fromhex(p) for p in proof["path"]]
    ok = size == proof["tree_size"] and verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]), proof["leaf_index"], size, path, top
    )
    if not ok:
        raise ValueError(f"the proof of event {proof['event']} does not verify")
    return f"event {proof['event']} is in the log of {size} events signed by {', '.join(signers)}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("bundle")
    ap.add_argument("--trust", action="append", help="a public key you hold (repeatable)")
    ap.add_argument("--proof", help="an inclusion proof (JSON) to check too")
    args = ap.parse_args(argv)
    with open(args.bundle, encoding="utf-8") as fh:
        bundle = json.load(fh)
    done, problems = check(bundle, args.trust)
    if args.proof:
        with open(args.proof, encoding="utf-8") as fh:
            try:
                done.append(check_proof(json.load(fh), args.trust or bundle["keys"]))
            except ValueError as exc:
                problems.append(str(exc))
    for line in done:
        print(f"ok: {line}")
    if problems:
        print(f"BROKEN: first broken {problems[0]}", file=sys.stderr)
        for p in problems[1:]:
            print(f"  {p}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
