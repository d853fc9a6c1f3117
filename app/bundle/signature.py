"""The bundle's signature (docs/signing.md): format 2 manifests name their signer, and
`manifest.sig` holds the Ed25519 signature over manifest.json's exact bytes. The manifest lists
every other file's sha256, so the signature covers the whole bundle.

`sign_manifest` is the branch's side; `signature_problem` the reader's, which never raises on
hostile input. Which key a branch *should* sign with is the township's register's business
(`app.township.register.check_signer`), not this module's.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from app.signing import ALGORITHM, SIGNATURE_BYTES, Signer, fingerprint_of, verify

MAX_SIGNATURE_BYTES = 1024  # base64 of 64 bytes is 88 characters; anything large is not one
TAMPERED = (
    "签名无效：清单在签名之后被改动过（改了文件内容又重算了校验值，或换了签名），报送包内容不可信"
)


def sign_manifest(manifest_bytes: bytes, signer: Signer) -> bytes:
    """manifest.sig's content: base64 text of the signature over the manifest's bytes."""
    return base64.b64encode(signer.sign(manifest_bytes))


def signer_reason(manifest: dict[str, Any]) -> str | None:
    """Why a format 2 manifest's `signer` is not well-formed, or None."""
    signer = manifest.get("signer")
    if not isinstance(signer, dict):
        return "清单缺少签名人信息（signer）"
    if signer.get("algorithm") != ALGORITHM:
        return f"不认识的签名算法“{signer.get('algorithm')}”"
    fingerprint = fingerprint_of(signer.get("public_key"))
    if fingerprint is None:
        return "清单中的签名公钥格式不对"
    if signer.get("fingerprint") != fingerprint:
        return "清单中的密钥指纹与公钥不符"
    return None


def signature_problem(manifest_bytes: bytes, manifest: dict[str, Any], sig_text: bytes) -> str:
    """"" when `sig_text` (manifest.sig's content) is the valid signature of `manifest_bytes`
    by the manifest's signer; else the Chinese reason."""
    if len(sig_text) > MAX_SIGNATURE_BYTES:
        return "签名文件 manifest.sig 过大，不是签名"
    try:
        signature = base64.b64decode(sig_text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return "签名文件 manifest.sig 格式不对"
    if len(signature) != SIGNATURE_BYTES:
        return "签名文件 manifest.sig 格式不对"
    if not verify(manifest["signer"]["public_key"], manifest_bytes, signature):
        return TAMPERED
    return ""
