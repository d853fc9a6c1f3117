"""The themes and templates a secretary edits in Notepad live in the data dir: an update of the
program keeps them, Notepad's BOM and ANSI (GBK) saves are read, and a broken file is said (the
file and its line) while the shipped defaults stand in."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from app.cli import main
from app.paths import resources_root
from app.services import editable
from app.services import plan as plans
from app.services.content import list_templates

OWN_THEMES = {
    "说明": "本支部自己的主题",
    "months": {
        "7": [{"theme": "七一党课·学党史", "content": "书记讲党课", "categories": ["学习教育"]}],
        "10": ["国庆升旗仪式"],
    },
}


def edit_themes(data_dir: Path, text: str, encoding: str) -> Path:
    """Save themes.json as Notepad would, in `encoding`."""
    editable.install_defaults(data_dir)
    path = editable.themes_path(data_dir)
    path.write_bytes(text.encode(encoding))
    return path


def test_first_use_copies_the_defaults_into_the_data_dir_and_an_update_keeps_the_edits(
    data_dir, monkeypatch, tmp_path
):
    copied = editable.install_defaults(data_dir)
    themes = editable.themes_path(data_dir)
    assert themes in copied and themes.parent.name == "可编辑"
    assert themes.read_bytes() == (resources_root() / "themes.json").read_bytes()
    assert len(list(editable.templates_path(data_dir).glob("*.txt"))) == 4
    assert plans.suggested_themes(7)[0].theme == "建党纪念·重温入党誓词"

    themes.write_text(json.dumps(OWN_THEMES, ensure_ascii=False), encoding="utf-8")
    own_template = editable.templates_path(data_dir) / "05-本支部模板.txt"
    own_template.write_text("本支部的做法\n类别：学习教育、通报\n一、学习。\n\n二、通报。", "utf-8")
    (editable.templates_path(data_dir) / "04-关心关怀党员.txt").unlink()  # not wanted here

    # The update: the old program folder is deleted and a new one, with new defaults, copied in.
    new_program = tmp_path / "dangri-2.0" / "_internal"
    shutil.copytree(resources_root(), new_program / "resources")
    (new_program / "resources" / "themes.json").write_text(
        json.dumps({"months": {"7": ["新版默认主题"]}}, ensure_ascii=False), "utf-8"
    )
    monkeypatch.setattr(sys, "_MEIPASS", str(new_program), raising=False)
    assert resources_root() == new_program / "resources"

    assert editable.install_defaults(data_dir) == []  # nothing of the branch's is overwritten
    assert editable.prepare(data_dir) == []
    assert [s.theme for s in plans.suggested_themes(7)] == ["七一党课·学党史"]
    assert [s.theme for s in plans.suggested_themes(10)] == ["国庆升旗仪式"]
    assert plans.suggested_themes(3) == []  # the branch left March without a suggestion
    names = [t.name for t in list_templates()]
    assert "05-本支部模板" in names and "04-关心关怀党员" not in names

    themes.unlink()  # deleting the file brings the (new) defaults back at the next start
    editable.prepare(data_dir)
    assert [s.theme for s in plans.suggested_themes(7)] == ["新版默认主题"]


def test_notepad_saves_with_a_bom_as_ansi_and_as_unicode_are_all_read(data_dir, branch):
    text = json.dumps(OWN_THEMES, ensure_ascii=False, indent=2)
    for encoding in ("utf-8-sig", "gbk", "utf-16"):
        edit_themes(data_dir, text, encoding)
        assert editable.problems(data_dir) == [], encoding
        assert plans.suggested_themes(7)[0].theme == "七一党课·学党史", encoding
    plan = plans.create_plan(2026)  # the plan takes the branch's July theme
    july = [a for a in plan.activities if a.plan_date.month == 7][0]
    assert july.theme == "七一党课·学党史" and july.planned_content == "书记讲党课"

    template = editable.templates_path(data_dir) / "06-ANSI模板.txt"
    template.write_bytes("ANSI保存的模板\n类别：学习教育，通报\n围绕“{主题}”学习。".encode("gbk"))
    saved = [t for t in list_templates() if t.name == "06-ANSI模板"][0]
    assert saved.title == "ANSI保存的模板" and saved.categories == ("学习教育", "通报")


def test_broken_json_is_said_with_file_and_line_and_the_defaults_stand_in(data_dir, capsys):
    lines = json.dumps(OWN_THEMES, ensure_ascii=False, indent=2).splitlines()
    assert lines[5].endswith('"七一党课·学党史",')
    lines[5] = lines[5][:-1] + "，"  # a Chinese comma typed in Notepad, on line 6
    path = edit_themes(data_dir, "\n".join(lines), "utf-8")

    [problem] = editable.problems(data_dir)
    assert problem.path == path and problem.line == 6
    text = problem.text()
    assert str(path) in text and "第 6 行" in text and "逗号" in text and "默认主题" in text
    assert plans.suggested_themes(7)[0].theme == "建党纪念·重温入党誓词"  # the defaults

    # The command line says it too (on stderr; stdout stays what scripts read).
    assert main(["--data-dir", str(data_dir), "plan", "--year", "2026"]) == 2  # no branch yet
    err = capsys.readouterr().err
    assert f"可编辑文件“{path}”第 6 行有误" in err


def test_a_wrong_shape_names_the_month_and_line(data_dir):
    own = json.loads(json.dumps(OWN_THEMES))
    own["months"]["10"] = [{"theme": "国庆", "categories": ["学习教育", "爱国教育"]}]
    text = json.dumps(own, ensure_ascii=False, indent=2)
    edit_themes(data_dir, text, "utf-8")
    [problem] = editable.problems(data_dir)
    line = text.splitlines()[problem.line - 1]
    assert "爱国教育" in line
    assert "10月第 1 条的类别“爱国教育”" in problem.text()

    edit_themes(data_dir, json.dumps({"months": {"13": ["十三月"]}}), "utf-8")
    [problem] = editable.problems(data_dir)
    assert "月份“13”不对" in problem.text()
    edit_themes(data_dir, json.dumps(["只有一个列表"], ensure_ascii=False), "utf-8")
    assert "最外层" in editable.problems(data_dir)[0].text()
    assert plans.suggested_themes(1)  # the defaults meanwhile


def test_an_unreadable_template_is_said_and_its_shipped_one_stands_in(data_dir):
    editable.install_defaults(data_dir)
    broken = editable.templates_path(data_dir) / "01-学习教育加通报.txt"
    broken.write_bytes(b"\x80\x80\xff garbage")
    [problem] = editable.problems(data_dir)
    assert problem.path == broken and "UTF-8 或 GBK" in problem.text()
    first = list_templates()[0]
    assert first.name == "01-学习教育加通报" and first.title == "学习教育 + 通报工作"
