"""Where the township checks a bundle (docs/formats.md "Export bundle"): `verify_bundle` reads
it with `app.bundle.read.check_bundle` and gives the verdict in the receiver's words — whose
bundle it is, who signed it, every (file, reason), and what to do about a failed one. With the
township's register, a bundle not signed by its branch's registered key fails (签名不符,
docs/signing.md)."""

from __future__ import annotations

from pathlib import Path

from app.bundle.names import looks_like_bundle_name
from app.bundle.read import BundleCheck, check_bundle
from app.bundle.signature import TAMPERED
from app.bundle.zipsafety import DEFAULT_LIMITS, Limits
from app.township.register import (
    MISMATCH,
    UNSIGNED,
    RegisterView,
    SignerCheck,
    check_signer,
)


class VerifyReport(BundleCheck):
    """A bundle's check as the township reads it: `about()`, `advice()` and `summary()`;
    `signer_check` is the register's word on its signer (None: checked without a register)."""

    signer_check: SignerCheck | None = None

    def signature_text(self) -> str:
        """签名：已签名（密钥指纹 …）/ 未签名, and the register's word when there is one."""
        if self.signer_check is not None:
            return self.signer_check.signature
        if self.fingerprint:
            return f"已签名，密钥指纹 {self.fingerprint}"
        return f"{UNSIGNED}（旧版本程序导出的报送包）"

    def branch_name(self) -> str:
        m = self.manifest or {}
        branch = m.get("branch") if isinstance(m.get("branch"), dict) else {}
        name = branch.get("name")
        return name if isinstance(name, str) else ""

    def about(self) -> str:
        """Whose bundle this is, from its manifest: "中共…支部委员会　2026年度　共 18 个文件
        生成于 2026-11-25 14:46" ("" when the manifest could not be read)."""
        m = self.manifest or {}
        name = self.branch_name()
        if not name:
            return ""
        files = m.get("files") if isinstance(m.get("files"), list) else []
        own = 2 if m.get("format_version") == 2 else 1  # the manifest, and its signature
        created = str(m.get("created_at", ""))[:16].replace("T", " ")
        return f"{name}　{m.get('year')}年度　共 {len(files) + own} 个文件　生成于 {created}"

    def advice(self) -> str:
        """What the receiver does about a failed bundle, in plain words."""
        return failure_advice(self.path, self.problems, bool(self.about()))

    def summary(self) -> str:
        about = self.about()
        if self.ok:
            return f"校验通过：{self.path.name}\n  {about}\n  签名：{self.signature_text()}"
        lines = [f"校验未通过：{self.path.name}（{self.total} 个问题）"]
        if about:
            lines.append(f"  {about}")
        lines += [f"  {f}：{r}" for f, r in self.problems]
        lines.append(f"→ {self.advice()}")
        return "\n".join(lines)


def verify_bundle(
    path: Path,
    *,
    keep_data: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    register: bool | RegisterView = False,
) -> VerifyReport:
    """Check a bundle as the township receives it (every check: `app.bundle.read`). Never
    raises on a bad file; `keep_data` keeps data.json's contents on a bundle that passed.

    `register`: also check its signer against the township's register in the open database
    (`check_signer`); a bundle from the wrong key, or unsigned from a branch with a registered
    key, fails with the register's reason (签名不符). A `RegisterView` is that register read once
    (for many bundles)."""
    report = check_bundle(path, keep_data=keep_data, limits=limits, kind=VerifyReport)
    if register and report.ok:
        view = register if isinstance(register, RegisterView) else None
        report.signer_check = check_signer(report.branch_name(), report.public_key, view)
        if not report.signer_check.accepted:
            report.add(report.path.name, report.signer_check.reason)
            report.data = report.year_data = None
    return report


def failure_advice(path: Path, problems: list[tuple[str, str]], branch_known: bool) -> str:
    """What to do about a bundle that failed verification."""
    if any(r.startswith(MISMATCH) for _, r in problems):
        return "不要采用这个报送包，先电话联系该支部核实（见上面的原因）"
    if any(r == TAMPERED for _, r in problems):
        return (
            "这个报送包在支部导出之后被改动过，内容不可信，不要采用；"
            "请电话联系该支部，请其重新导出报送包并当面交来"
        )
    whole = [r for f, r in problems if f == Path(path).name]
    if whole and not branch_known and not looks_like_bundle_name(path):
        return (
            "这个文件不像党日活动报送包（报送包的文件名是“党组织-年度-党日活动.zip”）；"
            "如果确是某支部报送的，请该支部重新导出报送包"
        )
    if whole and ("不完整" in whole[0] or "找不到" in whole[0]):
        return "请重新从U盘复制该文件；仍不行的，请该支部重新导出报送包后再报送"
    if any("版本" in r and "升级" in r for _, r in problems):
        return "请升级本机的党日记实后再校验"
    return "请该支部重新导出报送包（导出时程序会自动校验）后再报送"
