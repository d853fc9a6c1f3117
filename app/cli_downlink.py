"""The command line of the way back down (docs/formats.md "下发包", "回执"): the township's
`issue-package`, the branch's `import-package` and `import-receipt`; `aggregate --receipts` is in
app/cli.py with the rest of `aggregate`. One small function per command, as in app/cli.py."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.township.aggregate import AggregateResult
    from app.township.identity import Township

EXIT_NOT_CONFIRMED = 1


def cmd_issue_package(args: argparse.Namespace) -> int:
    from app.cli import open_data
    from app.township.identity import require_township
    from app.township.issue_package import issue_package, read_requirements, read_theme_file

    data_dir = open_data(args)
    township = require_township(data_dir, args.township)
    requirements = read_requirements(Path(args.requirements)) if args.requirements else ""
    themes = read_theme_file(Path(args.themes)) if args.themes else None
    issued = issue_package(
        township,
        args.year,
        Path(args.out),
        deadline=args.deadline,
        requirements=requirements,
        themes=themes,
    )
    print(issued.path)
    print("\n".join(issued.lines(township)[1:]), file=sys.stderr)
    return 0


def _confirmed(question: str) -> bool:
    """Asked on a console only; a script (no console) confirms with --yes."""
    if not sys.stdin or not sys.stdin.isatty():
        return False
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "是")


def cmd_import_package(args: argparse.Namespace) -> int:
    from app.cli import open_data
    from app.services.downlink import KEY_CHANGED, key_change_error, read_package, take_package
    from app.services.ledger import require_branch

    open_data(args)
    require_branch()  # the township has no plan or settings to take it into
    preview = read_package(Path(args.file))
    print("\n".join(preview.lines()))
    if preview.key_state == KEY_CHANGED and not args.accept_new_key:
        raise key_change_error(preview)
    if not (args.yes or _confirmed("导入这个下发包吗？")):
        print("未导入：核对无误后加 --yes 再运行。 / not imported: add --yes", file=sys.stderr)
        return EXIT_NOT_CONFIRMED
    done = take_package(preview, accept_new_key=args.accept_new_key)
    print("\n".join(done.lines()))
    return 0


def cmd_import_receipt(args: argparse.Namespace) -> int:
    from app.cli import open_data
    from app.services.export_receipts import import_receipt
    from app.services.ledger import require_branch

    open_data(args)
    require_branch()
    print("\n".join(import_receipt(Path(args.file)).lines()))
    return 0


def configure(
    sub: argparse._SubParsersAction, handlers: dict[str, Callable[[argparse.Namespace], int]]
) -> None:
    p = sub.add_parser(
        "issue-package", help="乡镇：生成下发包（节假日安排、截止日期、主题，带签名）"
    )
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True, metavar="DIR", help="目标文件夹，如U盘")
    p.add_argument(
        "--deadline", metavar="MM-DD", default=None, help="年度计划报送截止日期，如 03-20"
    )
    p.add_argument("--requirements", metavar="FILE", default=None, help="年度主题/要求（.txt）")
    p.add_argument(
        "--themes", metavar="FILE", default=None, help="各月建议主题（与 themes.json 同样的写法）"
    )
    p.add_argument("--township", metavar="NAME", default=None, help="乡镇党委名称（设置一次即可）")
    handlers["issue-package"] = cmd_issue_package

    p = sub.add_parser("import-package", help="党支部：导入乡镇党委的下发包（先核对签名和内容）")
    p.add_argument("file", metavar="FILE.zip")
    p.add_argument("--yes", action="store_true", help="核对无误，导入")
    p.add_argument(
        "--accept-new-key", action="store_true", help="已向乡镇党委核实：确认乡镇党委更换了密钥"
    )
    handlers["import-package"] = cmd_import_package

    p = sub.add_parser("import-receipt", help="党支部：导入乡镇党委的回执（已接收或退回）")
    p.add_argument("file", metavar="FILE.zip")
    handlers["import-receipt"] = cmd_import_receipt


def township_for_receipts(args: argparse.Namespace) -> Township | None:
    """`aggregate --receipts DIR`: the township (its data dir opened) and DIR checked before the
    bundles are read; None without --receipts."""
    if not args.receipts:
        return None
    from app.bundle.write import check_destination
    from app.cli import open_data
    from app.township.identity import require_township

    check_destination(Path(args.receipts))
    return require_township(open_data(args), args.township)


def write_receipts_of(
    result: AggregateResult, args: argparse.Namespace, township: Township
) -> None:
    from app.township.receipts import write_receipts

    written = write_receipts(result, Path(args.receipts), township)
    print("\n".join(written.lines()), file=sys.stderr)
