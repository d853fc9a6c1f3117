"""The data dir's signing key: made once, read back the same, in every 备份到… zip and back on a
new PC with a restore (the township has registered its fingerprint)."""

from __future__ import annotations

import base64
import datetime as dt
import re
import zipfile

import pytest

from app.errors import UserError
from app.models import Member, close_database, open_database
from app.paths import database_path
from app.services.backup import backup_to, restore
from app.signing import (
    Signer,
    ensure_key,
    fingerprint_of,
    key_path,
    load_key,
    load_private_key_pem,
    private_key_pem,
    verify,
)


def test_a_key_is_made_once_and_read_back_the_same(data_dir):
    assert load_key(data_dir) is None
    made = ensure_key(data_dir)
    again = ensure_key(data_dir)
    assert again.public_raw == made.public_raw
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", made.fingerprint)
    assert fingerprint_of(made.public_key_b64) == made.fingerprint
    assert len(base64.b64decode(made.public_key_b64)) == 32
    assert key_path(data_dir).read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


def test_a_signature_verifies_only_for_its_bytes_and_its_key(data_dir, tmp_path):
    signer = ensure_key(data_dir)
    other = ensure_key(tmp_path / "另一个支部")
    manifest = b'{"format_version": 2, "attendance": "93.5%"}'
    signature = signer.sign(manifest)
    assert verify(signer.public_key_b64, manifest, signature)
    assert not verify(signer.public_key_b64, manifest.replace(b"93.5", b"100"), signature)
    assert not verify(other.public_key_b64, manifest, signature)
    # Untrusted input is never an exception.
    assert not verify("不是密钥", manifest, signature)
    assert not verify(signer.public_key_b64, manifest, signature[:10])


def test_a_damaged_key_file_is_reported_and_never_silently_replaced(data_dir):
    ensure_key(data_dir)
    key_path(data_dir).write_bytes(b"-----BEGIN PRIVATE KEY-----\ngarbage\n")
    with pytest.raises(UserError) as err:
        ensure_key(data_dir)
    assert "已损坏" in err.value.message and "从备份恢复" in err.value.message
    assert key_path(data_dir).read_bytes().endswith(b"garbage\n")


def test_backup_carries_the_key_and_a_restore_on_a_new_pc_keeps_it(branch, data_dir, tmp_path):
    Member.create(name="王芳")
    old_pc = ensure_key(data_dir)
    usb = tmp_path / "U盘"
    usb.mkdir()
    carried = backup_to(data_dir, usb, now=dt.datetime(2026, 11, 25, 10, 30))
    with zipfile.ZipFile(carried) as zf:
        assert "keys/signing_key.pem" in zf.namelist()
    close_database()

    new_pc = tmp_path / "新电脑"
    open_database(database_path(new_pc))
    fresh = ensure_key(new_pc)  # the first start on the new PC made a key of its own
    assert fresh.fingerprint != old_pc.fingerprint
    restore(new_pc, carried, now=dt.datetime(2026, 11, 26, 9, 0))
    assert [m.name for m in Member.select()] == ["王芳"]
    assert ensure_key(new_pc).fingerprint == old_pc.fingerprint
    # The key it replaced is kept aside, never deleted.
    aside = key_path(new_pc).with_name("signing_key-20261126-090000.pem")
    kept = Signer(load_private_key_pem(aside.read_bytes()))
    assert kept.fingerprint == fresh.fingerprint


def test_the_plan_pdf_prints_beside_the_seal_the_fingerprint_key_prints(
    branch, data_dir, tmp_path, capsys
):
    from pypdf import PdfReader

    from app.cli import main
    from app.services import plan as plans

    plans.create_plan(2026)
    assert main(["key"]) == 0
    printed = capsys.readouterr().out.strip()
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", printed)
    assert main(["print-plan", "--year", "2026", "--out", str(tmp_path / "计划.pdf")]) == 0
    text = re.sub(r"\s+", "", PdfReader(tmp_path / "计划.pdf").pages[-1].extract_text())
    # Just above 党组织（盖章）, where the township's clerk reads it off the stamped plan.
    assert f"密钥指纹：{printed}党组织（盖章）：中共青山村支部委员会" in text
    assert ensure_key(data_dir).fingerprint == printed


# RFC 8410 section 10.3's private key; its public key and a signature of "党日记实" as the
# `cryptography` package (OpenSSL) made them, before the program signed with libsodium.
RFC8410_PEM = (
    b"-----BEGIN PRIVATE KEY-----\n"
    b"MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
    b"-----END PRIVATE KEY-----\n"
)
RFC8410_PUBLIC = "19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1"
OPENSSL_SIGNATURE = (
    "6ac0ed113af47dd8617b40a6e59aa115174487eae3ca44661a82772a0034b4e0"
    "908378ba15fa698e55309c24c22da869903df1066ec58d830a37c28504cc0907"
)


def test_key_files_and_signatures_made_before_still_load_and_verify(tmp_path):
    key = load_private_key_pem(RFC8410_PEM)
    assert key is not None
    signer = Signer(key)
    assert signer.public_raw.hex() == RFC8410_PUBLIC
    message = "党日记实".encode()
    assert signer.sign(message).hex() == OPENSSL_SIGNATURE  # Ed25519 is deterministic
    assert verify(signer.public_key_b64, message, bytes.fromhex(OPENSSL_SIGNATURE))
    assert not verify(signer.public_key_b64, message + b"!", bytes.fromhex(OPENSSL_SIGNATURE))
    # written back byte for byte as before, so backups and file comparisons still agree
    assert private_key_pem(key) == RFC8410_PEM
    fresh = Signer.generate()
    assert load_private_key_pem(private_key_pem(fresh.private_key)).encode() == (
        fresh.private_key.encode()
    )


@pytest.mark.parametrize(
    "pem",
    [
        b"",
        b"not a key",
        RFC8410_PEM.replace(b"MC4C", b"MC4D"),  # another structure
        RFC8410_PEM.replace(b"BEGIN PRIVATE", b"BEGIN PUBLIC"),
        b"-----BEGIN PRIVATE KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE="
        b"\n-----END PRIVATE KEY-----\n",  # a public key's DER
        RFC8410_PEM.replace(b"VhC", b"V!C"),  # not base64
    ],
)
def test_a_file_that_is_not_an_ed25519_private_key_is_refused(pem):
    assert load_private_key_pem(pem) is None
