"""Signed checkpoints of the ledger's Merkle tree, as plain-text signed notes.

The formats are the transparency-log ecosystem's, so that tools other than ours can read and
check them: a signed note (c2sp.org/signed-note; Go's golang.org/x/mod/sumdb/note) is a text
ending in a newline, a blank line, and one line per signature, "— <key name> <base64(4-byte key
ID || Ed25519 signature of the text)>", the key ID being the first 4 bytes of
SHA-256(key name || 0x0A || 0x01 || public key); a checkpoint (c2sp.org/tlog-checkpoint) is a
note whose text is the log's origin, the tree size in decimal and the root hash in base64, one
per line, then optional extension lines. A verifier key is written "<name>+<key ID in
hex>+<base64(0x01 || public key)>", as Go's note package writes it.

A checkpoint signed by the store's key says "this log had this root at this size"; co-signed
by a verifier or a regulator, it becomes a statement that anyone holding it can check a later
log against (a consistency proof, store/merkle.py).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from openmrv.errors import InvalidInput

ED25519 = b"\x01"
DASH = "\u2014"
MAX_SIGNATURES = 16


class NoteError(InvalidInput, ValueError):
    """Raised for a note that is malformed, or not signed by a key we trust."""


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _check_name(name: str) -> str:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")
    return name


def key_id(name: str, key: Ed25519PublicKey) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + _raw(key)).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A named public key that signatures are checked against."""

    name: str
    key: Ed25519PublicKey

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.key)

    def encode(self) -> str:
        """The verifier key string: name+hexid+base64(0x01 || key)."""
        blob = base64.b64encode(ED25519 + _raw(self.key)).decode()
        return f"{self.name}+{self.id.hex()}+{blob}"

    @classmethod
    def decode(cls, text: str) -> Verifier:
        try:
            name, hex_id, blob = text.strip().split("+", 2)  # base64 has "+" too
            raw = base64.b64decode(blob, validate=True)
        except ValueError as exc:
            raise NoteError(f"not a verifier key (name+id+key): {text[:60]!r}") from exc
        if raw[:1] != ED25519 or len(raw) != 33:
            raise NoteError(f"verifier key {name!r} is not an Ed25519 key")
        v = cls(_check_name(name), Ed25519PublicKey.from_public_bytes(raw[1:]))
        if v.id.hex() != hex_id:
            raise NoteError(f"verifier key {name!r}: its id does not match its key")
        return v


@dataclass(frozen=True)
class Signer:
    name: str
    key: Ed25519PrivateKey

    @property
    def verifier(self) -> Verifier:
        return Verifier(_check_name(self.name), self.key.public_key())

    def line(self, text: str) -> str:
        """The signature line of this key over `text`."""
        sig = self.verifier.id + self.key.sign(text.encode())
        return f"{DASH} {self.name} {base64.b64encode(sig).decode()}\n"


def sign(text: str, *signers: Signer) -> str:
    """A note: `text` (ending in a newline) signed by each signer."""
    _check_text(text)
    return text + "\n" + "".join(s.line(text) for s in signers)


def cosign(note: str, signer: Signer) -> str:
    """The note with one more signature over the same text."""
    text, _ = split(note)
    return note + signer.line(text)


def _check_text(text: str) -> None:
    if not text.endswith("\n") or text.endswith("\n\n"):
        raise NoteError("a note's text must end in exactly one newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("a note's text must not contain control characters")


def split(note: str) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """The note's text and its signatures as (key name, key id, signature)."""
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteError("not a signed note: no blank line before the signatures")
    text, lines = note[: cut + 1], note[cut + 2 :].splitlines()
    if not lines or len(lines) > MAX_SIGNATURES:
        raise NoteError(f"a note carries 1 to {MAX_SIGNATURES} signatures, not {len(lines)}")
    sigs = []
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError(f"malformed signature line {line[:60]!r}")
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except ValueError as exc:
            raise NoteError(f"signature of {parts[1]!r} is not base64") from exc
        if len(raw) < 5:
            raise NoteError(f"signature of {parts[1]!r} is too short")
        sigs.append((parts[1], raw[:4], raw[4:]))
    return text, sigs


def verify(note: str, trusted: list[Verifier]) -> tuple[str, list[str]]:
    """The note's text and the names of the trusted keys that signed it. Signatures of unknown
    keys are ignored; a trusted key's signature that fails, or no trusted signature at all,
    rejects the note (c2sp.org/signed-note)."""
    text, sigs = split(note)
    known = {(v.name, v.id): v for v in trusted}
    signed = []
    for name, kid, sig in sigs:
        v = known.get((name, kid))
        if v is None:
            continue
        try:
            v.key.verify(sig, text.encode())
        except InvalidSignature:
            raise NoteError(
                f"the signature of {name} does not verify: the note was altered"
            ) from None
        signed.append(name)
    if not signed:
        raise NoteError("the note is signed by none of the trusted keys")
    return text, signed


@dataclass(frozen=True)
class Checkpoint:
    """A log's state: origin, size and root hash (c2sp.org/tlog-checkpoint), plus extension
    lines (ours: the time it was taken)."""

    origin: str
    size: int
    root: bytes
    extra: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extra]
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.rstrip("\n").split("\n")
        if len(lines) < 3 or not lines[0]:
            raise NoteError("a checkpoint has an origin, a size and a root hash")
        if not lines[1].isdigit() or (lines[1] != "0" and lines[1].startswith("0")):
            raise NoteError(f"checkpoint size {lines[1]!r} is not a decimal number")
        try:
            root = base64.b64decode(lines[2], validate=True)
        except ValueError as exc:
            raise NoteError("checkpoint root is not base64") from exc
        if len(root) != 32:
            raise NoteError("checkpoint root is not a SHA-256 hash")
        return cls(lines[0], int(lines[1]), root, tuple(lines[3:]))


def open_checkpoint(note: str, trusted: list[Verifier]) -> tuple[Checkpoint, list[str]]:
    """A checkpoint whose note verifies against `trusted`, and who signed it."""
    text, signed = verify(note, trusted)
    return Checkpoint.parse(text), signed
