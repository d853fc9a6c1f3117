"""Where the township checks a bundle (docs/formats.md "Export bundle"): `verify_bundle` reads
it with `app.bundle.read.check_bundle` and gives the verdict in the receiver's words — whose
bundle it is, every (file, reason), and what to do about a failed one."""

from __future__ import annotations

from pathlib import Path

from app.bundle.names import looks_like_bundle_name
from app.bundle.read import BundleCheck, check_bundle
from app.bundle.zipsafety import DEFAULT_LIMITS, Limits


class VerifyReport(BundleCheck):
    """A bundle's check as the township reads it: `about()`, `advice()` and `summary()`."""

    def about(self) -> str:
        """Whose bundle this is, from its manifest: "中共…支部委员会　2026年度　共 18 个文件
        生成于 2026-11-25 14:46" ("" when the manifest could not be read)."""
        m = self.manifest or {}
        branch = m.get("branch") if isinstance(m.get("branch"), dict) else {}
        name = branch.get("name")
        if not isinstance(name, str) or not name:
            return ""
        files = m.get("files") if isinstance(m.get("files"), list) else []
        created = str(m.get("created_at", ""))[:16].replace("T", " ")
        return f"{name}　{m.get('year')}年度　共 {len(files) + 1} 个文件　生成于 {created}"

    def advice(self) -> str:
        """What the receiver does about a failed bundle, in plain words."""
        return failure_advice(self.path, self.problems, bool(self.about()))

    def summary(self) -> str:
        about = self.about()
        if self.ok:
            return f"校验通过：{self.path.name}\n  {about}"
        lines = [f"校验未通过：{self.path.name}（{self.total} 个问题）"]
        if about:
            lines.append(f"  {about}")
        lines += [f"  {f}：{r}" for f, r in self.problems]
        lines.append(f"→ {self.advice()}")
        return "\n".join(lines)


def verify_bundle(
    path: Path, *, keep_data: bool = False, limits: Limits = DEFAULT_LIMITS
) -> VerifyReport:
    """Check a bundle as the township receives it (every check: `app.bundle.read`). Never
    raises on a bad file; `keep_data` keeps data.json's contents on a bundle that passed."""
    return check_bundle(path, keep_data=keep_data, limits=limits, kind=VerifyReport)


def failure_advice(path: Path, problems: list[tuple[str, str]], branch_known: bool) -> str:
    """What to do about a bundle that failed verification."""
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
