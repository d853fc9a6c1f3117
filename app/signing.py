"""The data dir's Ed25519 key pair: it signs the branch's bundles, and its fingerprint, printed
on the stamped plan, lets the township tell the real branch from a forger (docs/signing.md).

One key per data dir, made on set-up or on the first start after the update, kept as
`keys/signing_key.pem` (unencrypted PKCS#8: the ledger itself is no more protected than this
file, and a passphrase the secretary forgets would lose the branch's identity) and carried in
every backup. A key file that exists but cannot be read is never silently replaced: a new key is
a new identity, which the township would refuse (签名不符).

The signing itself is libsodium's Ed25519 (PyNaCl): ~1 MB in the one-folder build where
`cryptography` (OpenSSL inside) was ~14 MB for the same three operations. The key file stays the
PKCS#8 PEM `cryptography` wrote: for Ed25519 that is one fixed DER prefix (RFC 8410) and the
32-byte seed, so files written before load unchanged and files written now are byte for byte
what `cryptography` would write.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.signing import SigningKey, VerifyKey

from app.errors import UserError
from app.files import replacing
from app.paths import keys_dir

ALGORITHM = "ed25519"
KEY_FILENAME = "signing_key.pem"
KEY_ENTRY = f"keys/{KEY_FILENAME}"  # its name inside a 备份到… zip
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
FINGERPRINT_BYTES = 8  # 64 bits, read aloud in four groups of four hex digits
SEED_BYTES = 32
# PKCS#8 PrivateKeyInfo of an Ed25519 key (RFC 8410 section 7): version 0, algorithm
# id-Ed25519 (1.3.101.112), then the private key as an OCTET STRING holding the 32-byte seed.
_PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")
_PEM_BEGIN = b"-----BEGIN PRIVATE KEY-----"
_PEM_END = b"-----END PRIVATE KEY-----"


def fingerprint(public_raw: bytes) -> str:
    """`3F2A-91C0-7B4E-0D18`: the first 64 bits of sha256 of the raw public key, in groups."""
    digest = hashlib.sha256(public_raw).hexdigest()[: FINGERPRINT_BYTES * 2].upper()
    return "-".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def decode_public_key(public_key_b64: object) -> bytes | None:
    """The 32 raw bytes of a base64 public key, or None when it is not one."""
    if not isinstance(public_key_b64, str):
        return None
    try:
        raw = base64.b64decode(public_key_b64.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    return raw if len(raw) == PUBLIC_KEY_BYTES else None


def fingerprint_of(public_key_b64: str) -> str | None:
    raw = decode_public_key(public_key_b64)
    return fingerprint(raw) if raw is not None else None


def verify(public_key_b64: str, data: bytes, signature: bytes) -> bool:
    """Whether `signature` is the Ed25519 signature of `data` by this public key; a malformed key
    or signature is simply not valid (never an exception: the input is untrusted)."""
    raw = decode_public_key(public_key_b64)
    if raw is None or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        VerifyKey(raw).verify(data, signature)
    except (CryptoError, ValueError, TypeError):
        return False
    return True


def private_key_pem(key: SigningKey) -> bytes:
    """The key as an unencrypted PKCS#8 PEM file, as `cryptography` and OpenSSL write it."""
    body = base64.b64encode(_PKCS8_PREFIX + bytes(key))  # 64 characters: one line
    return _PEM_BEGIN + b"\n" + body + b"\n" + _PEM_END + b"\n"


def load_private_key_pem(pem: bytes) -> SigningKey | None:
    """The Ed25519 key of a PKCS#8 PEM file; None when `pem` is not one (another algorithm, an
    encrypted key, a damaged file)."""
    try:
        text = pem.strip()
        if not (text.startswith(_PEM_BEGIN) and text.endswith(_PEM_END)):
            return None
        body = b"".join(text[len(_PEM_BEGIN) : -len(_PEM_END)].split())
        der = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError, TypeError, AttributeError):
        return None
    if len(der) != len(_PKCS8_PREFIX) + SEED_BYTES or not der.startswith(_PKCS8_PREFIX):
        return None
    return SigningKey(der[len(_PKCS8_PREFIX) :])


@dataclass(frozen=True)
class Signer:
    """The data dir's private key and what others see of it."""

    private_key: SigningKey

    @classmethod
    def generate(cls) -> Signer:
        return cls(SigningKey.generate())

    @property
    def public_raw(self) -> bytes:
        return bytes(self.private_key.verify_key)

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.public_raw).decode("ascii")

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_raw)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data).signature

    def to_json(self) -> dict[str, str]:
        """The manifest's `signer` object (docs/signing.md)."""
        return {
            "algorithm": ALGORITHM,
            "public_key": self.public_key_b64,
            "fingerprint": self.fingerprint,
        }


def key_path(data_dir: Path) -> Path:
    return keys_dir(Path(data_dir)) / KEY_FILENAME


def load_key(data_dir: Path) -> Signer | None:
    """The data dir's key, or None when it has none yet. A file that is there but unreadable
    raises UserError: replacing it would give the branch a new identity without a word."""
    path = key_path(data_dir)
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise UserError(
            f"无法读取签名密钥文件 {path}（{err.strerror or err}）。请关闭可能占用它的程序后重试。",
            f"cannot read the signing key {path}: {err}",
        ) from err
    key = load_private_key_pem(pem)
    if key is None:
        raise UserError(
            f"签名密钥文件 {path} 已损坏。请用“文件 → 从备份恢复…”恢复最近的备份（备份中含有密钥）；"
            "若没有备份，把这个文件移走后重新打开程序会生成新密钥，新密钥须请乡镇党委重新登记。",
            f"the signing key {path} is damaged",
        )
    return Signer(key)


def ensure_key(data_dir: Path) -> Signer:
    """The data dir's key, made now if it has none (set-up, or the first start after the update)."""
    existing = load_key(data_dir)
    if existing is not None:
        return existing
    signer = Signer.generate()
    write_key(data_dir, signer.private_key)
    return signer


def write_key(data_dir: Path, key: SigningKey) -> Path:
    """Write the private key file (readable by this user only where the OS has such modes)."""
    return _write_private(key_path(data_dir), private_key_pem(key))


def _write_private(target: Path, pem: bytes) -> Path:
    with replacing(target, what="签名密钥文件") as tmp:
        tmp.write_bytes(pem)
        if os.name != "nt":
            os.chmod(tmp, 0o600)
    return target


def adopt_key(data_dir: Path, pem: bytes, *, stamp: str) -> bool:
    """Take the key a backup carries: a restore on a new PC keeps the branch's identity. A
    different key it replaces is kept as `keys/signing_key-<stamp>.pem`, never deleted.
    Returns False, keeping the current key, when `pem` is not an Ed25519 key."""
    key = load_private_key_pem(pem)
    if key is None:
        return False
    current = key_path(data_dir)
    if current.is_file():
        if current.read_bytes() == pem:
            return True
        _write_private(current.with_name(f"{current.stem}-{stamp}.pem"), current.read_bytes())
    write_key(data_dir, key)
    return True


def key_of_open_ledger() -> Signer:
    """The key of the data dir whose database is open (the database file sits at its top)."""
    from app.models import DB

    database = getattr(DB, "obj", None)
    if database is None:
        raise UserError("数据库尚未打开。", "database is not open")
    return ensure_key(Path(database.database).resolve().parent)
