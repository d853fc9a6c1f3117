"""What an activity contains (docs/rules.md rule 5, seed [三]): the content warnings and the text templates.

The seed wants every 党日 to be "按照要求 + 结合实际" and forbids reducing it to a mere study day or
meeting day, or replacing it with volunteer work: such records get a visible warning, never a block.
"""

from __future__ import annotations

from pathlib import Path

from app.models import vocab
from app.services.editable import ContentTemplate, current_templates, read_templates

# Categories that on their own make the day a "例会日" (a meeting that only briefs or decides).
MEETING_CATEGORIES = frozenset({vocab.CATEGORY_BRIEFING, vocab.CATEGORY_DISCUSSION})

WARN_NO_CATEGORY = "未勾选活动内容类别：党日活动应当“按照要求 + 结合实际”开展。"
WARN_STUDY_ONLY = "活动内容只有学习教育：不能把党日活动简单化为“学习日”，请结合实际安排内容。"
WARN_MEETING_ONLY = "活动内容只有通报或讨论：不能把党日活动简单化为“例会日”，请安排学习教育等内容。"
WARN_SERVICE_ONLY = (
    "活动内容只有联系服务群众：防止以志愿服务等代替党日活动，请同时安排学习教育或党员管理。"
)
WARN_NO_REQUIRED = "没有“按照要求”类内容（学习教育或党员管理）：每次党日活动都应包括。"
WARN_NO_PRACTICAL = "没有“结合实际”类内容：请结合本支部实际安排通报、讨论、服务群众或关怀党员等。"


def unknown_categories(categories: list[str] | tuple[str, ...]) -> list[str]:
    """Categories that are not among the seed's words (vocab.ALL_CATEGORIES)."""
    return [c for c in categories if c not in vocab.ALL_CATEGORIES]


def content_warnings(categories: list[str] | tuple[str, ...]) -> list[str]:
    """Rule 5 [三]: warnings for content that is not "按照要求 + 结合实际".

    The seed: "不能把活动简单化为‘学习日’、‘例会日’，防止片面地以志愿服务、业务学习等代替党日活动".
    A record whose content is only study, only a meeting (通报/讨论), or only serving the masses
    gets the matching warning; otherwise a missing 按照要求 or 结合实际 half is named.
    """
    chosen = set(categories)
    if not chosen:
        return [WARN_NO_CATEGORY]
    required = chosen & set(vocab.CONTENT_CATEGORIES[vocab.REQUIRED_GROUP])
    practical = chosen & set(vocab.CONTENT_CATEGORIES[vocab.PRACTICAL_GROUP])
    warnings: list[str] = []
    if chosen == {vocab.CATEGORY_STUDY}:
        warnings.append(WARN_STUDY_ONLY)
    elif chosen <= MEETING_CATEGORIES:
        warnings.append(WARN_MEETING_ONLY)
    elif chosen == {vocab.CATEGORY_SERVING_MASSES}:
        warnings.append(WARN_SERVICE_ONLY)
    if not required and WARN_MEETING_ONLY not in warnings and WARN_SERVICE_ONLY not in warnings:
        warnings.append(WARN_NO_REQUIRED)
    if not practical and WARN_STUDY_ONLY not in warnings:
        warnings.append(WARN_NO_PRACTICAL)
    return warnings


# --- content templates (the branch's editable copies, app/services/editable.py) --------------
def list_templates(folder: Path | None = None) -> list[ContentTemplate]:
    """All templates, sorted by file name (the numeric prefixes order them): those in `folder`,
    else the branch's own (in the data dir), else the shipped ones."""
    return read_templates(folder)[0] if folder is not None else current_templates()


def fill_template(template: ContentTemplate, *, theme: str = "") -> str:
    """The template's text with `{主题}` replaced by the activity's theme."""
    return template.text.replace("{主题}", theme.strip() or "本次活动主题")
