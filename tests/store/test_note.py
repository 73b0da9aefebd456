"""Signed notes and checkpoints (store/note.py): the published c2sp.org/signed-note example,
then our own keys: signing, co-signing, and every way a note can be altered or forged."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openmrv.store.merkle import MemoryTree
from openmrv.store.note import (
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    cosign,
    open_checkpoint,
    sign,
    verify,
)

# The example of Go's note package documentation (golang.org/x/mod/sumdb/note, "Signing
# Notes"): a verifier key and a note it signs.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_NOTE = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvq"
    "fqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_the_published_go_example_verifies():
    v = Verifier.decode(GO_VKEY)
    assert v.encode() == GO_VKEY  # the key id is computed as Go computes it
    text, signed = verify(GO_NOTE, [v])
    assert signed == ["PeterNeumann"]
    assert text.startswith("If you think cryptography")
    with pytest.raises(NoteError, match="does not verify"):
        verify(GO_NOTE.replace("answer", "answers"), [v])


def _signer(name: str) -> Signer:
    return Signer(name, Ed25519PrivateKey.generate())


def test_checkpoints_sign_cosign_and_round_trip():
    tree = MemoryTree([b"a", b"b", b"c"])
    store, verifier, regulator = _signer("openmrv.example/ORG"), _signer("ann"), _signer("mee")
    cp = Checkpoint("openmrv.example/ORG", tree.size, tree.root(), ("time 2026-12-05T05:00:00Z",))
    note = cosign(cosign(sign(cp.text(), store), verifier), regulator)
    trusted = [s.verifier for s in (store, verifier, regulator)]
    opened, signed = open_checkpoint(note, trusted)
    assert opened == cp
    assert signed == ["openmrv.example/ORG", "ann", "mee"]
    # Keys round-trip through their text form; an unknown key's signature is ignored.
    assert [Verifier.decode(v.encode()) for v in trusted] == trusted
    assert open_checkpoint(note, [trusted[1]])[1] == ["ann"]


@pytest.mark.parametrize(
    "alter",
    [
        lambda n: n.replace("\n3\n", "\n4\n", 1),  # another size
        lambda n: n.replace("time 2026", "time 2025", 1),  # another extension line
        lambda n: n[: n.index("\n") + 1].replace("ORG", "ORH") + n[n.index("\n") + 1 :],
    ],
)
def test_an_altered_checkpoint_is_refused(alter):
    store = _signer("openmrv.example/ORG")
    cp = Checkpoint("openmrv.example/ORG", 3, bytes(32), ("time 2026-12-05T05:00:00Z",))
    with pytest.raises(NoteError, match="does not verify"):
        open_checkpoint(alter(sign(cp.text(), store)), [store.verifier])


def test_forged_and_malformed_notes_are_refused():
    store, forger = _signer("openmrv.example/ORG"), _signer("openmrv.example/ORG")
    text = Checkpoint("openmrv.example/ORG", 1, bytes(32)).text()
    # Same name, other key: its id differs, so its signature is not the trusted key's.
    with pytest.raises(NoteError, match="none of the trusted keys"):
        verify(sign(text, forger), [store.verifier])
    # A forger who copies the trusted key's id onto his own signature is checked and fails.
    line = forger.line(text)
    raw = base64.b64decode(line.split(" ")[2])
    forged = store.verifier.id + raw[4:]
    bad = text + "\n" + f"— {store.name} {base64.b64encode(forged).decode()}\n"
    with pytest.raises(NoteError, match="does not verify"):
        verify(bad, [store.verifier])
    for junk in ("", text, text + "\n", text + "\n- x y\n", text + "\n— name !!!\n"):
        with pytest.raises(NoteError):
            verify(junk, [store.verifier])
    with pytest.raises(NoteError):
        Checkpoint.parse("origin\n012\n" + base64.b64encode(bytes(32)).decode() + "\n")
    with pytest.raises(NoteError):
        Checkpoint.parse("origin\n12\n" + base64.b64encode(bytes(31)).decode() + "\n")
    with pytest.raises(NoteError):
        sign("no newline", store)
