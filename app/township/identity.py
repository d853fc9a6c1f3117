"""Who the township is, in what it sends down (docs/formats.md "下发包", "回执"): its name (a
setting of its data dir) and its data dir's Ed25519 key (`app.signing`), whose fingerprint it
prints on its workbook so a branch can compare it with the one its 下发包 was signed with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from app.errors import UserError
from app.models import DB, Branch
from app.models.entities import TownshipProfile
from app.services.editable import open_data_dir
from app.services.text_rules import check_text
from app.signing import Signer, ensure_key

NAME_MAX = 60


@dataclass(frozen=True)
class Township:
    """The township's name and key, as its 下发包 and 回执 carry them."""

    name: str
    signer: Signer

    @property
    def fingerprint(self) -> str:
        return self.signer.fingerprint

    def mark(self) -> str:
        """The line printed on what the township prints."""
        return _mark(self.name, self.fingerprint)

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "fingerprint": self.fingerprint}


def _mark(name: str | None, fingerprint: str) -> str:
    return f"{name}　密钥指纹：{fingerprint}" if name else f"密钥指纹：{fingerprint}"


def township_name() -> str | None:
    row = TownshipProfile.select().order_by(TownshipProfile.id.desc()).first()
    return row.name if row else None


def set_township_name(name: str) -> str:
    """Store the township's name (e.g. 中共青山镇委员会); returns it as stored."""
    if not (name or "").strip():
        raise UserError("请填写乡镇党委名称。", "township name is empty", field="township")
    name = check_text(name, "乡镇党委名称", NAME_MAX, field="township")
    with DB.atomic():
        row = TownshipProfile.select().first() or TownshipProfile()
        row.name, row.updated_at = name, dt.datetime.now()
        row.save()
    return name


def require_township(data_dir: Path, name: str | None = None) -> Township:
    """The township of the open data dir (`name`, when given, is stored first). Refused in a
    branch's data dir: its key is the branch's identity, not the township's."""
    if Branch.select().exists():
        raise UserError(
            "这是党支部的数据目录；下发包和回执要在乡镇党委自己的数据目录中生成"
            "（命令行：--data-dir 乡镇的数据目录）。",
            "a branch's data dir cannot sign for the township",
        )
    if name:
        set_township_name(name)
    stored = township_name()
    if not stored:
        raise UserError(
            "还没有设置乡镇党委名称：请加 --township 名称（如“中共青山镇委员会”），只需设置一次。",
            "township name not set (--township NAME)",
        )
    return Township(stored, ensure_key(Path(data_dir)))


def open_township(name: str | None = None) -> Township:
    """`require_township` for the data dir whose database is open."""
    data_dir = open_data_dir()
    if data_dir is None:
        raise UserError("数据库尚未打开。", "database is not open")
    return require_township(data_dir, name)


def is_township_desk() -> bool:
    """The open data dir is the township's (a database without a branch)."""
    return open_data_dir() is not None and not Branch.select().exists()


def township_mark() -> str:
    """The township's name and key fingerprint for its workbook; "" in a branch's data dir (a
    branch's key is not the township's) or with no data dir open."""
    if not is_township_desk():
        return ""
    return _mark(township_name(), ensure_key(open_data_dir()).fingerprint)
