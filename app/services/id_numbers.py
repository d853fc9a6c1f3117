"""公民身份号码 (GB 11643): checked (length, check digit, birth date) with python-stdnum, masked
for display, and read for the birth date and gender it carries (docs/formats.md, 花名册).

The number stays in this ledger: it is never written into a bundle or a workbook for others.
The region code is not looked up (stdnum's table lacks some retired codes that real cards
still carry); the check digit already catches a mistyped or truncated number.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from stdnum.cn import ric

FIRST_BIRTH = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class IdNumber:
    number: str  # 18 characters, an upper-case X as the check digit when it is one

    @property
    def birth_date(self) -> dt.date:
        return ric.get_birth_date(self.number)

    @property
    def gender(self) -> str:
        """The 17th digit: odd for men, even for women."""
        return "男" if int(self.number[16]) % 2 else "女"

    def masked(self) -> str:
        return mask(self.number)


def read_id_number(value: object, today: dt.date | None = None) -> IdNumber | None:
    """The number in `value`, or None when empty. Raises ValueError with a Chinese reason (for the
    caller to put after the field's name): a number cell (Excel keeps 15 digits, so the last
    ones are lost), a wrong length, a wrong check digit, a birth date that does not exist."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(
            "被存成了数字（Excel 只保留15位，末几位已丢失）：请把该列设为文本，"
            "按身份证重新填写后再导入"
        )
    text = re.sub(r"[\s\u3000-]", "", str(value)).upper()
    if not text:
        return None
    if re.fullmatch(r"\d(\.\d+)?E\+?\d+", text):
        raise ValueError(
            "是科学计数法（如 3.41702E+17），末几位已丢失：请把该列设为文本，"
            "按身份证重新填写后再导入"
        )
    if not re.fullmatch(r"\d{17}[\dX]", text):
        if re.fullmatch(r"\d{15}", text):
            return _fifteen()
        return _bad(f"应为18位（现为{len(text)}位）")
    if ric.calc_check_digit(text) != text[-1]:
        return _bad("末位校验码不对，请核对是否抄错")
    try:
        born = ric.get_birth_date(text)
    except Exception:  # noqa: BLE001 - stdnum raises its own InvalidComponent
        return _bad("中的出生日期不存在，请核对")
    if not FIRST_BIRTH <= born <= (today or dt.date.today()):
        return _bad("中的出生日期不对，请核对")
    return IdNumber(text)


def _bad(reason: str) -> IdNumber:
    raise ValueError(reason)


def _fifteen() -> IdNumber:
    raise ValueError("是15位的旧号码，请按现在的18位身份证填写")


def mask(number: str) -> str:
    """3408**********1234: the region's first four and the last four characters."""
    if len(number) < 9:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
