"""The command line of SPEC.md. One small function per command: call a service, print, exit code.

User mistakes (`UserError`) print a Chinese line and an English line to stderr and exit 2, never a
traceback. Output to stdout is UTF-8 whatever the console's code page.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from app import APP_NAME, __version__
from app.errors import UserError
from app.paths import database_path, resolve_data_dir

EXIT_USER_ERROR = 2


def open_data(args: argparse.Namespace) -> Path:
    """Open (create or migrate) the database of the chosen data dir; returns the data dir."""
    from app.models import open_database

    data_dir = resolve_data_dir(args.data_dir)
    open_database(database_path(data_dir))
    return data_dir


def cmd_gui(args: argparse.Namespace) -> int:
    from app.ui.application import run_gui

    return run_gui(resolve_data_dir(args.data_dir))


def cmd_demo(args: argparse.Namespace) -> int:
    from app.services.demo import create_demo

    data_dir = open_data(args)
    summary = create_demo(data_dir, year=args.year)
    print(summary)
    return 0


def cmd_import_members(args: argparse.Namespace) -> int:
    from app.services.roster_import import import_file

    open_data(args)
    result = import_file(Path(args.file))
    print(result.summary())
    return 0


# Commands added by later issues register here: name -> (function, configure(parser)).
def _configure(sub: argparse._SubParsersAction) -> dict[str, Callable[[argparse.Namespace], int]]:
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {}

    p = sub.add_parser(
        "demo", help="在空数据目录中生成演示党支部 / fill an empty data dir with a demo branch"
    )
    p.add_argument("--year", type=int, default=None, help="演示年份（默认今年）")
    handlers["demo"] = cmd_demo

    p = sub.add_parser("import-members", help="从 .xlsx 或 .csv 导入花名册（全部成功或全部不写入）")
    p.add_argument("file")
    handlers["import-members"] = cmd_import_members

    return handlers


def build_parser() -> tuple[
    argparse.ArgumentParser, dict[str, Callable[[argparse.Namespace], int]]
]:
    parser = argparse.ArgumentParser(prog="python -m app", description=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--data-dir", default=None, help="数据目录（也可用环境变量 DANGRI_DATA_DIR）"
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    sub = parser.add_subparsers(dest="command")
    return parser, _configure(sub)


def _utf8_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass


def main(argv: list[str] | None = None) -> int:
    _utf8_streams()
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    handler = handlers.get(args.command, cmd_gui)
    try:
        return handler(args)
    except UserError as err:
        print(f"错误：{err.message}", file=sys.stderr)
        if err.english:
            print(f"error: {err.english}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
