"""The township's register of its 下级党组织 (docs/signing.md): the branches it expects bundles
from, and the signing key each is bound to once the clerk has compared the key's fingerprint
with the one printed on the branch's stamped plan.

Branches are told apart by key, not by name: a county has many 中共…村支部委员会 of one name.
`check_signer` is the one rule that says whether a bundle's signer is the branch's registered
key (签名不符 otherwise); verify and aggregate ask it, the CLI and the window show its words.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from app.errors import UserError
from app.models import DB
from app.models.entities import BranchKey, TownshipBranch
from app.services.text_rules import text_problem
from app.signing import fingerprint_of

NAME_MAX = 100
NAME_HEADERS = ("党组织", "党组织名称", "支部名称")
HEADER_SEARCH_ROWS = 10

NO_KEY = "未登记密钥"
SAME_NAME = "同名"
# What check_signer says of a bundle's signer (the workbook's 签名 column starts with it).
REGISTERED = "已登记"
UNREGISTERED = "未登记"
MISMATCH = "签名不符"
UNSIGNED = "未签名"


class KeyConflict(UserError):
    """A branch already bound to another key: the CLI exits 1 (not 2) unless --replace."""


# --- the list of expected branches ----------------------------------------------------------------
@dataclass
class NamesImport:
    path: Path
    added: list[str]
    already: int

    def summary(self) -> str:
        return (
            f"已从“{self.path.name}”读入下级党组织名单：新增 {len(self.added)} 个，"
            f"已在名单中 {self.already} 个。"
        )


def read_names(path: Path) -> list[str]:
    """The names in the column 党组织 (or 支部名称) of an .xlsx or .csv, in file order; all
    checked, or UserError naming every bad row."""
    rows = _read_rows(Path(path))
    header_at, column = _find_name_column(rows, Path(path))
    names: list[str] = []
    problems: list[str] = []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        value = row[column] if column < len(row) else None
        text = "" if value is None else str(value).strip()
        if not text:
            continue
        problem = text_problem(text, "党组织名称", NAME_MAX)
        if problem:
            problems.append(f"第 {number} 行：{problem}")
        else:
            names.append(_normal(text))
    if problems:
        raise UserError(
            "名单中有写错的行，未读入任何名称，请改正后重新读入：\n" + "\n".join(problems[:20]),
            f"{len(problems)} bad rows in {Path(path).name}",
        )
    if not names:
        raise UserError(f"“{Path(path).name}”的名单是空的。", "no names in the file")
    return names


def _read_rows(path: Path) -> list[list[object]]:
    if not path.is_file():
        raise UserError(f"找不到文件：{path}", f"no such file {path}")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        from app.services.roster_import import decode_text

        return [list(r) for r in csv.reader(io.StringIO(decode_text(path.read_bytes())))]
    if suffix not in (".xlsx", ".xlsm"):
        raise UserError("名单只能是 .xlsx 或 .csv 文件。", f"unsupported file type {suffix}")
    import openpyxl

    try:  # an untrusted file can fail anywhere in zipfile, the XML parser or openpyxl
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                rows = [list(r) for r in sheet.iter_rows(values_only=True)]
                if _header_row(rows) is not None:
                    return rows
            return []
        finally:
            book.close()
    except Exception as err:  # noqa: BLE001 - see above
        raise UserError(
            "无法读取该 Excel 文件，可能已损坏或不是 .xlsx 格式。请用 Excel 或 WPS 另存为 .xlsx 后再读入。",
            f"cannot read xlsx: {type(err).__name__}: {err}",
        ) from err


def _header_row(rows: list[list[object]]) -> tuple[int, int] | None:
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for j, cell in enumerate(row):
            if isinstance(cell, str) and cell.strip() in NAME_HEADERS:
                return i, j
    return None


def _find_name_column(rows: list[list[object]], path: Path) -> tuple[int, int]:
    found = _header_row(rows)
    if found is None:
        raise UserError(
            f"“{path.name}”中没有“党组织”或“支部名称”列。请在第一行写上列名“党组织”，下面每行一个党组织名称。",
            "no column 党组织 or 支部名称",
        )
    return found


def _normal(name: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", name.strip())


def add_names(names: list[str]) -> tuple[list[str], int]:
    """Add the names not yet in the register; a name listed n times means n branches of that
    name (同名), so it is added until the register holds it n times. Returns (added, already)."""
    wanted = Counter(names)
    have = Counter(b.name for b in TownshipBranch.select(TownshipBranch.name))
    added: list[str] = []
    with DB.atomic():
        for name, count in wanted.items():
            for _ in range(max(0, count - have[name])):
                TownshipBranch.create(name=name)
                added.append(name)
    return added, len(names) - len(added)


def import_names(path: Path) -> NamesImport:
    added, already = add_names(read_names(path))
    return NamesImport(Path(path), added, already)


# --- the register as the clerk sees it --------------------------------------------------------------
@dataclass(frozen=True)
class RegisterRow:
    branch_id: int
    name: str
    fingerprint: str | None
    bound_at: dt.datetime | None
    same_name: bool

    def text(self) -> str:
        key = f"密钥指纹 {self.fingerprint}" if self.fingerprint else NO_KEY
        when = f"（{self.bound_at:%Y-%m-%d} 登记）" if self.bound_at else ""
        flag = f"  [{SAME_NAME}]" if self.same_name else ""
        return f"{self.name}  {key}{when}{flag}"


def list_register() -> list[RegisterRow]:
    """Every registered branch with its key in use (or none), in the order they were added."""
    keys = {k.branch_id: k for k in BranchKey.select().where(BranchKey.replaced_at.is_null())}
    branches = list(TownshipBranch.select().order_by(TownshipBranch.id))
    names = Counter(b.name for b in branches)
    return [
        RegisterRow(
            b.id,
            b.name,
            keys[b.id].fingerprint if b.id in keys else None,
            keys[b.id].bound_at if b.id in keys else None,
            names[b.name] > 1,
        )
        for b in branches
    ]


def register_in_use() -> bool:
    """Whether this data dir keeps a register (the window checks signers against it then; a
    branch's ledger has none, and its secretary sees 已签名 with the fingerprint)."""
    return TownshipBranch.select().exists()


# --- binding a branch to its key ------------------------------------------------------------------
@dataclass(frozen=True)
class Registration:
    branch_id: int
    name: str
    fingerprint: str
    status: str  # 新登记 / 已登记 / 已替换
    replaced: str | None = None  # the fingerprint it replaced

    def summary(self) -> str:
        if self.status == "已替换":
            return (
                f"{self.name}：已改为登记密钥指纹 {self.fingerprint}（原指纹 {self.replaced}）。"
                "请确认与该支部新盖章的年度计划上印的指纹一致。"
            )
        if self.status == REGISTERED:
            return f"{self.name}：密钥指纹 {self.fingerprint}，已经登记过，无需处理。"
        return (
            f"{self.name}：已登记密钥指纹 {self.fingerprint}。"
            "请与该支部盖章的年度计划上“党组织（盖章）”旁印的指纹逐字核对。"
        )


def _in_use(branch_ids: list[int]) -> dict[int, BranchKey]:
    rows = BranchKey.select().where(
        BranchKey.branch.in_(branch_ids), BranchKey.replaced_at.is_null()
    )
    return {k.branch_id: k for k in rows}


def bind_key(
    name: str, public_key: str, *, replace: bool = False, branch_id: int | None = None
) -> Registration:
    """Bind the branch called `name` (or the register row `branch_id`, chosen in the window) to
    `public_key`, the signer of a verified bundle.

    A name not in the register is added. A branch already bound to another key is refused
    (KeyConflict) unless `replace`: a new PC without a backup makes a new key, and the township
    re-binds after checking the new stamped plan. The replaced key is kept, marked replaced.
    """
    fingerprint = fingerprint_of(public_key)
    if fingerprint is None:
        raise UserError("报送包中的签名公钥无效，无法登记。", "not an Ed25519 public key")
    name = _normal(name)
    with DB.atomic():
        known = BranchKey.get_or_none(BranchKey.public_key == public_key)
        if known is not None and known.replaced_at is None:
            return Registration(known.branch_id, known.branch.name, fingerprint, REGISTERED)
        if known is not None and not (replace and branch_id in (None, known.branch_id)):
            raise KeyConflict(
                f"密钥指纹 {fingerprint} 曾登记给“{known.branch.name}”，"
                f"已于 {known.replaced_at:%Y-%m-%d} 被替换，不再采用。"
                "如确需恢复使用，请加 --replace（窗口中：选中该党组织后“替换密钥”）。",
                f"key {fingerprint} was replaced on {known.replaced_at:%Y-%m-%d}",
            )
        target = _target_branch(name, fingerprint, replace, branch_id, known)
        return _bind(target, public_key, fingerprint, known)


def _target_branch(
    name: str, fingerprint: str, replace: bool, branch_id: int | None, known: BranchKey | None
) -> TownshipBranch:
    """The register row a new key goes to: the chosen one, the one the key was once bound to, an
    unbound row of the name, a new row, or (with `replace`) the one bound row of the name."""
    if branch_id is not None:
        branch = TownshipBranch.get_or_none(TownshipBranch.id == branch_id)
        if branch is None:
            raise UserError("名单中没有这个党组织，请刷新后重试。", f"no branch {branch_id}")
        candidates = [branch]
    elif known is not None:
        candidates = [known.branch]
    else:
        candidates = list(
            TownshipBranch.select().where(TownshipBranch.name == name).order_by(TownshipBranch.id)
        )
    if not candidates:
        return TownshipBranch.create(name=name)
    in_use = _in_use([b.id for b in candidates])
    free = [b for b in candidates if b.id not in in_use]
    if free:
        return free[0]
    if not replace:
        held = "、".join(in_use[b.id].fingerprint for b in candidates)
        raise KeyConflict(
            f"签名不符：“{name}”已登记密钥指纹 {held}，这个报送包的密钥指纹是 {fingerprint}。"
            "如果该支部换了电脑又没有从备份恢复（生成了新密钥），请核对其新盖章的年度计划上的指纹，"
            "一致后加 --replace 重新登记（窗口中：“替换密钥”）；如果是另一个同名的党组织，"
            "请先在名单中再加一行同名党组织。否则不要采用这个报送包。",
            f"{name} is bound to another key ({held}); got {fingerprint}",
        )
    if len(candidates) > 1:
        raise UserError(
            f"名单中有 {len(candidates)} 个“{name}”都已登记密钥，无法确定替换哪一个。"
            "请在窗口“下级党组织”页中选中要替换的那一行，再“替换密钥”。",
            f"{len(candidates)} branches named {name} are bound; choose one",
        )
    return candidates[0]


def _bind(
    branch: TownshipBranch, public_key: str, fingerprint: str, known: BranchKey | None
) -> Registration:
    now = dt.datetime.now()
    current = _in_use([branch.id]).get(branch.id)
    replaced = None
    if current is not None:
        replaced = current.fingerprint
        current.replaced_at = now
        current.save()
    if known is not None:  # a replaced key taken back into use
        known.branch, known.replaced_at, known.bound_at = branch, None, now
        known.save()
    else:
        BranchKey.create(branch=branch, public_key=public_key, fingerprint=fingerprint)
    status = "已替换" if replaced else "新登记"
    return Registration(branch.id, branch.name, fingerprint, status, replaced)


# --- a bundle's signer against the register ---------------------------------------------------------
@dataclass(frozen=True)
class SignerCheck:
    """What the register says of one bundle's signer. `signature` is the workbook's 签名 cell;
    `reason` says, for 签名不符, what is wrong and what to do."""

    status: str  # REGISTERED, UNREGISTERED or MISMATCH
    signature: str
    branch_id: int | None = None
    registered_name: str | None = None
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.status != MISMATCH


_ASK = (
    "请不要采用这个报送包，电话联系该支部核实：如果该支部换了电脑又没有从备份恢复，"
    "请核对其新盖章的年度计划上的密钥指纹，一致后用“登记报送包 --replace”（窗口：下级党组织 → 替换密钥）重新登记。"
)


@dataclass
class RegisterView:
    """The register read once, for asking `check_signer` of many bundles (an aggregate of
    dozens of branches asked the database three times per bundle)."""

    keys: dict[str, tuple[int, str, dt.datetime | None]]  # key → branch id, name, replaced_at
    named: dict[str, list[int]]  # a branch's name → the ids of the branches so called
    in_use: dict[int, str]  # a branch's id → the fingerprint of the key bound to it now

    @classmethod
    def load(cls) -> RegisterView:
        keys: dict[str, tuple[int, str, dt.datetime | None]] = {}
        in_use: dict[int, str] = {}
        for key in BranchKey.select(BranchKey, TownshipBranch).join(TownshipBranch):
            keys[key.public_key] = (key.branch_id, key.branch.name, key.replaced_at)
            if key.replaced_at is None:
                in_use[key.branch_id] = key.fingerprint
        named: dict[str, list[int]] = {}
        for branch in TownshipBranch.select().order_by(TownshipBranch.id):
            named.setdefault(branch.name, []).append(branch.id)
        return cls(keys, named, in_use)


def check_signer(
    name: str, public_key: str | None, view: RegisterView | None = None
) -> SignerCheck:
    """Whether a bundle from `name`, signed by `public_key` (None: unsigned, format 1), comes
    from the branch the register knows. The signature itself is checked by verify first.

    Signed by a bound key: the branch it is bound to (已登记), whatever name the bundle gives.
    Signed by an unknown key while every branch of that name is bound to another key, or
    unsigned while a branch of that name has a key: 签名不符. Otherwise 未登记 (summed, marked).
    """
    view = view or RegisterView.load()
    name = _normal(name)
    fingerprint = fingerprint_of(public_key) if public_key else None
    known = view.keys.get(public_key) if public_key is not None else None
    if known is not None:
        branch_id, branch_name, replaced_at = known
        if replaced_at is None:
            return SignerCheck(REGISTERED, f"{REGISTERED} {fingerprint}", branch_id, branch_name)
        return SignerCheck(
            MISMATCH,
            MISMATCH,
            branch_id,
            branch_name,
            f"{MISMATCH}：签名密钥 {fingerprint} 已于 {replaced_at:%Y-%m-%d} 被替换，"
            f"“{branch_name}”现在登记的是另一个密钥。{_ASK}",
        )
    same = view.named.get(name, [])
    in_use = {b: view.in_use[b] for b in same if b in view.in_use}
    free = [b for b in same if b not in in_use]
    held = "、".join(in_use.values())
    if public_key is None and in_use:
        return SignerCheck(
            MISMATCH,
            MISMATCH,
            reason=f"{MISMATCH}：这个报送包没有签名（{UNSIGNED}），而“{name}”已登记密钥 {held}。{_ASK}",
        )
    if public_key is not None and in_use and not free:
        return SignerCheck(
            MISMATCH,
            MISMATCH,
            reason=f"{MISMATCH}：“{name}”登记的密钥指纹是 {held}，这个报送包的签名密钥是 "
            f"{fingerprint}。{_ASK}",
        )
    mark = f"{UNREGISTERED} {fingerprint}" if fingerprint else f"{UNSIGNED}·{UNREGISTERED}"
    return SignerCheck(UNREGISTERED, mark)


def not_submitted(checks: list[tuple[str, SignerCheck]]) -> list[RegisterRow]:
    """The registered branches with no accepted bundle among `checks` ((bundle's branch name,
    check) of the year's bundles). A 未登记 bundle covers one unbound branch of its name."""
    covered = {c.branch_id for _, c in checks if c.status == REGISTERED}
    unbound_by_name = Counter(_normal(n) for n, c in checks if c.status == UNREGISTERED)
    missing = []
    for row in list_register():
        if row.branch_id in covered:
            continue
        if row.fingerprint is None and unbound_by_name[row.name] > 0:
            unbound_by_name[row.name] -= 1
            continue
        missing.append(row)
    return missing


# --- registering from a bundle ----------------------------------------------------------------------
@dataclass(frozen=True)
class SignedBundle:
    """A verified, signed bundle's branch and signer, shown before its key is bound."""

    path: Path
    name: str
    year: object
    public_key: str
    fingerprint: str


def read_signed(path: Path) -> SignedBundle:
    """The branch and signer of a bundle that passes verification and is signed; UserError
    naming what is wrong otherwise (a key is only ever taken from an intact bundle)."""
    from app.township.verify import verify_bundle  # verify asks this module: import late

    report = verify_bundle(Path(path))
    if not report.ok:
        file, reason = report.problems[0]
        raise UserError(
            f"报送包“{Path(path).name}”没有通过校验，不能用来登记密钥：{file}：{reason}。",
            f"{Path(path).name} failed verification",
        )
    if report.public_key is None:
        raise UserError(
            f"报送包“{Path(path).name}”没有签名（旧版本程序导出的），不能用来登记密钥。"
            "请该支部把党日记实更新到新版本后重新导出报送包。",
            f"{Path(path).name} is not signed",
        )
    year = (report.manifest or {}).get("year")
    return SignedBundle(
        Path(path), report.branch_name(), year, report.public_key, report.fingerprint or ""
    )


def register_bundle(
    path: Path, *, replace: bool = False, branch_id: int | None = None
) -> Registration:
    """`register BUNDLE`: bind the bundle's branch to the key that signed it (`bind_key`)."""
    signed = read_signed(path)
    return bind_key(signed.name, signed.public_key, replace=replace, branch_id=branch_id)
