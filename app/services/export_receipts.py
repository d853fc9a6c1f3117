"""The branch's side of the 回执 (docs/formats.md "回执"): every bundle it exports is remembered
by its manifest's sha256 (`record_export`), so a receipt the township signs about a bundle can be
matched to this ledger's own export; `import_receipt` checks signer, branch and bundle and stores
it; `receipt_status` says on the 记录 and 统计 tabs what the township did with the year's bundle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from app.bundle.downlink import (
    RECEIPT_FORMAT,
    RECEIPT_VERSIONS,
    reason_lines,
    receipt_problems,
    received_on,
)
from app.bundle.names import MANIFEST
from app.bundle.zipsafety import DEFAULT_LIMITS, read_limited
from app.models import DB, vocab
from app.models.entities import ExportRecord, ReceivedReceipt, SuperiorKey
from app.signed_files import SignedFile, SignedFileError, read_signed_zip
from app.signing import key_of_open_ledger


# --- what was exported -------------------------------------------------------------------------
def manifest_sha256(bundle: Path) -> str:
    """sha256 of a bundle's manifest.json bytes (what a 回执 names the bundle by)."""
    with zipfile.ZipFile(bundle) as zf:
        info = zf.getinfo(MANIFEST)
        raw = b"".join(read_limited(zf, info, DEFAULT_LIMITS.max_manifest_bytes))
    return hashlib.sha256(raw).hexdigest()


def record_export(bundle: Path, year: int) -> ExportRecord:
    """Remember a bundle just exported and verified (its manifest's sha256, year, where)."""
    digest = manifest_sha256(bundle)
    with DB.atomic():
        row, _ = ExportRecord.get_or_create(
            manifest_sha256=digest, defaults={"year": year, "path": str(bundle)}
        )
    return row


# --- taking a receipt in -----------------------------------------------------------------------
@dataclass
class ReceiptImport:
    """A receipt checked and stored: what it says about which of this ledger's bundles."""

    row: ReceivedReceipt
    export: ExportRecord
    already: bool = False  # the same receipt was imported before

    @property
    def accepted(self) -> bool:
        return self.row.status == vocab.RECEIPT_ACCEPTED

    def lines(self) -> list[str]:
        r = self.row
        made = f"{self.export.created_at:%Y-%m-%d %H:%M}"
        head = f"{r.status}：{r.township}于 {r.received_on:%Y-%m-%d} "
        lines = [
            head
            + ("接收了" if self.accepted else "退回了")
            + f"本支部{r.year}年度的报送包（{made} 导出）。"
        ]
        if r.reasons:
            lines.append("原因：")
            lines += [f"  {line}" for line in r.reasons]
        if r.advice:
            lines.append(f"处理办法：{r.advice}")
        if self.already:
            lines.append("（这份回执以前已经导入过。）")
        return lines


def _refuse(signed: SignedFile, reason: str, english: str) -> SignedFileError:
    return SignedFileError(f"回执“{signed.path.name}”没有导入：{reason}", english)


def _check_signer(signed: SignedFile) -> None:
    """Signed by the township's key this ledger remembers (from its 下发包)."""
    key = SuperiorKey.get_or_none(SuperiorKey.public_key == signed.public_key)
    if key is not None and key.replaced_at is None:
        return
    in_use = SuperiorKey.get_or_none(SuperiorKey.replaced_at.is_null())
    if in_use is None:
        raise _refuse(
            signed,
            f"本台账还没有导入过乡镇党委的下发包，不认识这份回执的签名密钥（指纹 {signed.fingerprint}）。"
            "请先导入乡镇党委的下发包（它带来乡镇党委的密钥），再导入回执。",
            "no township key remembered yet",
        )
    if key is not None:
        raise _refuse(
            signed,
            f"签名密钥（指纹 {signed.fingerprint}）是乡镇党委以前用的，"
            f"已于 {key.replaced_at:%Y-%m-%d} 更换为 {in_use.fingerprint}。请向乡镇党委要新的回执。",
            "receipt signed by a replaced township key",
        )
    raise _refuse(
        signed,
        f"签名密钥（指纹 {signed.fingerprint}）不是本台账记住的乡镇党委密钥"
        f"（{in_use.township}，指纹 {in_use.fingerprint}），回执不可信。请向乡镇党委核实。",
        "receipt signed by an unknown key",
    )


def _own_export(signed: SignedFile) -> ExportRecord:
    """The export the receipt is about: this branch's, by key and by the manifest's sha256."""
    m = signed.manifest
    branch = m["branch"]
    own = key_of_open_ledger().fingerprint
    if branch.get("fingerprint") and branch["fingerprint"] != own:
        raise _refuse(
            signed,
            f"这是给“{branch['name']}”（密钥指纹 {branch['fingerprint']}）的回执，"
            f"不是本支部的（本支部的密钥指纹是 {own}）。",
            "receipt for another branch",
        )
    digest = m["bundle"]["manifest_sha256"]
    export = ExportRecord.get_or_none(ExportRecord.manifest_sha256 == digest)
    if export is None and branch.get("fingerprint") == own:
        # Signed with this ledger's own key, so exported here: before exports were recorded.
        export = ExportRecord.create(
            year=m["year"], manifest_sha256=digest, created_at=_made_at(m["bundle"])
        )
    if export is None:
        name = m["bundle"].get("file") or "报送包"
        raise _refuse(
            signed,
            f"回执说的报送包（“{branch['name']}”的{m['year']}年度 {name}）不是本台账导出的："
            "可能是其他党支部的回执，或报送包在报送途中被改动过。",
            "receipt about a bundle this ledger did not export",
        )
    if export.year != m["year"]:
        raise _refuse(signed, "回执的年度与本台账导出的报送包不符。", "year mismatch")
    return export


def _made_at(bundle: dict) -> dt.datetime:
    """The bundle's `created_at` as local time (now, when it is not a timestamp)."""
    try:
        made = dt.datetime.fromisoformat(str(bundle.get("created_at", "")))
    except ValueError:
        return dt.datetime.now()
    return made.astimezone().replace(tzinfo=None) if made.tzinfo else made


def read_receipt(path: Path) -> SignedFile:
    """A receipt whose signature and values checked out (not yet matched to this ledger)."""
    signed = read_signed_zip(path, RECEIPT_FORMAT, RECEIPT_VERSIONS, "回执")
    problems = receipt_problems(signed.manifest)
    if problems:
        raise _refuse(signed, f"内容有误：{'；'.join(problems[:5])}。", "malformed receipt")
    return signed


def import_receipt(path: Path) -> ReceiptImport:
    """Check a receipt (signature, the remembered township key, this branch, one of this
    ledger's exports) and store it. SignedFileError says why one is refused."""
    signed = read_receipt(path)
    _check_signer(signed)
    m = signed.manifest
    with DB.atomic():
        export = _own_export(signed)
        existing = ReceivedReceipt.get_or_none(ReceivedReceipt.receipt_sha256 == signed.sha256)
        if existing is not None:
            return ReceiptImport(existing, export, already=True)
        row = ReceivedReceipt.create(
            year=m["year"],
            bundle_sha256=export.manifest_sha256,
            receipt_sha256=signed.sha256,
            status=m["status"],
            received_on=received_on(m),
            reasons=reason_lines(m.get("reasons", [])),
            advice=m.get("advice", ""),
            township=m["township"]["name"],
            fingerprint=signed.fingerprint,
        )
    return ReceiptImport(row, export)


# --- what the tabs show ------------------------------------------------------------------------
@dataclass
class ReceiptStatus:
    """What the township did with the year's bundle, as far as this ledger knows."""

    year: int
    status: str | None  # RECEIPT_ACCEPTED, RECEIPT_RETURNED, or None: no receipt yet
    exported_at: dt.datetime
    received_on: dt.date | None = None
    township: str = ""
    reasons: list[str] = field(default_factory=list)
    advice: str = ""
    newer_export: dt.datetime | None = None  # exported again after the bundle of the receipt

    @property
    def accepted(self) -> bool:
        return self.status == vocab.RECEIPT_ACCEPTED

    @property
    def text(self) -> str:
        y = self.year
        if self.status is None:
            return f"{y}年度报送包已于 {self.exported_at:%Y-%m-%d} 导出，尚未导入乡镇党委的回执。"
        if self.accepted:
            text = f"回执：{self.township}已于 {self.received_on:%Y-%m-%d} 接收{y}年度报送包。"
        else:
            why = "；".join(self.reasons[:3]) + ("等" if len(self.reasons) > 3 else "")
            text = f"回执：{self.township}于 {self.received_on:%Y-%m-%d} 退回{y}年度报送包"
            text += f"（{why}）" if why else ""
            text += f"。{self.advice}" if self.advice else "。"
        if self.newer_export is not None:
            text += f"此后于 {self.newer_export:%Y-%m-%d} 又导出过，尚未收到新的回执。"
        return text


def receipt_status(year: int) -> ReceiptStatus | None:
    """The township's word on the year's newest bundle that has a receipt (and whether a newer
    one went out since); None when the year was never exported."""
    exports = list(
        ExportRecord.select()
        .where(ExportRecord.year == year)
        .order_by(ExportRecord.created_at.desc(), ExportRecord.id.desc())
    )
    if not exports:
        return None
    # The township's latest word on each bundle (summed again after a re-registration…).
    receipts = {
        r.bundle_sha256: r
        for r in ReceivedReceipt.select()
        .where(ReceivedReceipt.year == year)
        .order_by(ReceivedReceipt.received_on, ReceivedReceipt.imported_at, ReceivedReceipt.id)
    }
    for i, export in enumerate(exports):
        r = receipts.get(export.manifest_sha256)
        if r is None:
            continue
        return ReceiptStatus(
            year,
            r.status,
            export.created_at,
            r.received_on,
            r.township,
            list(r.reasons),
            r.advice,
            exports[0].created_at if i > 0 else None,
        )
    return ReceiptStatus(year, None, exports[0].created_at)
