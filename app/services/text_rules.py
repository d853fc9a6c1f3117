"""What a name, theme, place or any other typed or imported text may hold: one rule for every
way in (the member and record dialogs, the roster import, data.json read back).

    check_text(value, field_label, max_len, *, multiline=False, field=None) -> str
        Strip surrounding spaces, normalise to NFC (an NFD twin or a compatibility ideograph
        becomes the one ordinary character), and return the text; or raise UserError naming
        `field_label`, what is wrong and where. `field` is passed to the UserError so a dialog
        can show it beside its input.
    text_problem(value, field_label, max_len, *, multiline=False) -> str | None
        The same check as a Chinese reason without raising (for importers that collect reasons
        per row); None when the text is fine.
    printable(value) -> str
        For writers of what is already stored: the forbidden characters dropped (never raises).

Refused, wherever they are in the text:
- control characters: C0 (U+0000–U+001F: NUL, BEL, …) except newline and tab in multi-line
  texts (where CR LF counts as a newline), DEL (U+007F) and C1 (U+0080–U+009F);
- direction controls that can disguise text: U+061C, U+200E, U+200F, U+202A–U+202E,
  U+2066–U+2069;
- zero-width space U+200B and a BOM (U+FEFF) inside the text;
- lone surrogates and the non-characters U+FFFE, U+FFFF (they cannot be stored as UTF-8).
Length is counted in characters after normalising; the limit is shown in the message.
"""

from __future__ import annotations

import re
import unicodedata

from app.errors import UserError

NAME_MAX = 20  # 姓名 (members, invited non-members)
PLACE_MAX = 100  # 活动地点, 流入地, 流入地党组织
THEME_MAX = 100  # 活动主题

_FORBIDDEN_ALWAYS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 except tab/newline, DEL, C1
    "\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff"
    "\ud800-\udfff"
)
_FORBIDDEN_LINE = re.compile(f"[\t\n{_FORBIDDEN_ALWAYS}]")
_FORBIDDEN_MULTI = re.compile(f"[{_FORBIDDEN_ALWAYS}]")
_NAMES = {
    "\x00": "空字符 NUL",
    "\x07": "响铃符 BEL",
    "\t": "制表符",
    "\n": "换行",
    "\r": "回车符",
    "\u200b": "零宽空格",
    "\ufeff": "BOM 标记",
}


def _describe(ch: str) -> str:
    if ch in _NAMES:
        return _NAMES[ch]
    code = f"U+{ord(ch):04X}"
    if "\u200e" <= ch <= "\u2069" or ch == "\u061c":
        return f"文字方向控制符 {code}"
    if "\ud800" <= ch <= "\udfff" or ch in "\ufffe\uffff":
        return f"无效字符 {code}"
    return f"控制字符 {code}"


def _raw(value: object, multiline: bool) -> str:
    text = "" if value is None else str(value)
    return text.replace("\r\n", "\n") if multiline else text


def text_problem(
    value: object, field_label: str, max_len: int, *, multiline: bool = False
) -> str | None:
    """Why `value` cannot be stored as `field_label` (a Chinese sentence), or None."""
    text = _raw(value, multiline)
    bad = (_FORBIDDEN_MULTI if multiline else _FORBIDDEN_LINE).search(text.strip())
    if bad:
        return (
            f"{field_label}含有不可见的{_describe(bad.group())}（第{bad.start() + 1}个字符），"
            "请删去后重新填写"
        )
    normal = unicodedata.normalize("NFC", text.strip())
    if len(normal) > max_len:
        return f"{field_label}过长（{len(normal)}个字），最多{max_len}个字"
    return None


def check_text(
    value: object,
    field_label: str,
    max_len: int,
    *,
    multiline: bool = False,
    field: str | None = None,
) -> str:
    """The text stripped and NFC-normalised, or UserError naming `field_label` (see module)."""
    problem = text_problem(value, field_label, max_len, multiline=multiline)
    if problem:
        raise UserError(problem + "。", f"bad text in {field or field_label}", field=field)
    return unicodedata.normalize("NFC", _raw(value, multiline).strip())


def printable(value: object) -> str:
    """`value` with every forbidden character dropped (tab and newline kept), for writers of
    text stored before these rules (never raises)."""
    return _FORBIDDEN_MULTI.sub("", "" if value is None else str(value))
