"""Rule 5 [三]: "按照要求 + 结合实际"; not a mere 学习日 or 例会日, not replaced by volunteer work."""

from __future__ import annotations

import pytest

from app.services.content import (
    WARN_MEETING_ONLY,
    WARN_NO_CATEGORY,
    WARN_NO_PRACTICAL,
    WARN_NO_REQUIRED,
    WARN_SERVICE_ONLY,
    WARN_STUDY_ONLY,
    content_warnings,
    fill_template,
    list_templates,
)


@pytest.mark.parametrize(
    ("categories", "expected"),
    [
        (["学习教育"], [WARN_STUDY_ONLY]),
        (["通报"], [WARN_MEETING_ONLY]),
        (["通报", "民主讨论/决策"], [WARN_MEETING_ONLY]),
        (["联系服务群众"], [WARN_SERVICE_ONLY]),
        ([], [WARN_NO_CATEGORY]),
        (["关心关怀党员", "其他主题"], [WARN_NO_REQUIRED]),
        (["学习教育", "党员管理"], [WARN_NO_PRACTICAL]),
        (["学习教育", "通报"], []),
        (["党员管理", "联系服务群众"], []),
        (["学习教育", "党员管理", "通报", "关心关怀党员"], []),
    ],
)
def test_content_must_be_required_plus_practical_and_not_a_mere_study_or_meeting_day(
    categories, expected
):
    assert content_warnings(categories) == expected


def test_each_warning_says_what_the_seed_forbids():
    assert "学习日" in WARN_STUDY_ONLY
    assert "例会日" in WARN_MEETING_ONLY
    assert "志愿服务" in WARN_SERVICE_ONLY


def test_templates_suggest_content_that_draws_no_warning_and_carry_the_theme():
    templates = list_templates()
    assert len(templates) >= 4
    for template in templates:
        assert template.title and template.categories, template.name
        assert content_warnings(list(template.categories)) == [], template.name
        text = fill_template(template, theme="学习贯彻党章")
        assert "{主题}" not in text
        assert text.count("\n\n") >= 2  # several paragraphs
    assert any("学习贯彻党章" in fill_template(t, theme="学习贯彻党章") for t in templates)
