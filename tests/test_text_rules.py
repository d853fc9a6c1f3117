"""One rule for what names, themes and places may hold (app/services/text_rules.py)."""

from __future__ import annotations

import pytest

from app.errors import UserError
from app.services.text_rules import NAME_MAX, check_text, printable, text_problem


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("刘\x00洋", ["姓名", "NUL", "第2个字符"]),
        ("刘洋\x07", ["姓名", "BEL", "第3个字符"]),
        ("a\x85b", ["控制字符 U+0085"]),
        ("发票\u202egpj.exe", ["文字方向控制符 U+202E"]),
        ("张\u2066三", ["文字方向控制符 U+2066"]),
        ("张\u200b三", ["零宽空格"]),
        ("张\ud800三", ["无效字符 U+D800"]),
        ("张\n三", ["换行"]),
    ],
)
def test_forbidden_characters_are_refused_with_the_field_and_place(value, words):
    with pytest.raises(UserError) as err:
        check_text(value, "姓名", NAME_MAX, field="name")
    assert err.value.field == "name"
    for word in words:
        assert word in err.value.message


def test_length_limit_is_counted_after_normalising_and_shown():
    assert check_text("  王" + "二" * 19 + " ", "姓名", NAME_MAX) == "王" + "二" * 19
    with pytest.raises(UserError, match="姓名过长（21个字），最多20个字"):
        check_text("王" * 21, "姓名", NAME_MAX)
    # NFD twin and a compatibility ideograph become the ordinary characters
    assert check_text("Jose\u0301", "姓名", NAME_MAX) == "Jos\u00e9"
    assert check_text("\uf900", "姓名", NAME_MAX) == "\u8c48"


def test_multiline_texts_keep_newlines_and_tabs_but_not_other_controls():
    assert check_text("第一段\r\n第二段\t完", "活动内容", 2000, multiline=True) == (
        "第一段\n第二段\t完"
    )
    assert "活动内容" in (text_problem("a\x1bb", "活动内容", 2000, multiline=True) or "")
    assert text_problem("党史学习教育", "活动主题", 100) is None
    assert text_problem(None, "备注", 10) is None


def test_printable_drops_what_is_refused_for_text_already_stored():
    assert printable("刘\x00洋\x07\u202e\n") == "刘洋\n"
    assert printable(None) == ""
