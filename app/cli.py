"""The command line (README, docs/formats.md). One small function per command: call a service, print, exit code.

User mistakes (`UserError`) print a Chinese line and an English line to stderr and exit 2, never a
traceback. What is printed is in the encoding its reader reads (app/console.py): UTF-8 on a
console and off Windows, GB18030 when piped or redirected on Windows, UTF-8 with `--utf8`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from app import APP_NAME, __version__
from app.errors import UserError
from app.paths import ENV_DATA_DIR, database_path, resolve_data_dir

EXIT_USER_ERROR = 2


def open_data(args: argparse.Namespace) -> Path:
    """Open (create or migrate) the database of the chosen data dir; returns the data dir."""
    from app.models import open_database
    from app.services.backup import ensure_healthy
    from app.signing import ensure_key

    data_dir = resolve_data_dir(args.data_dir)
    ensure_healthy(data_dir)  # never migrate or write into a damaged file
    open_database(database_path(data_dir))
    ensure_key(data_dir)  # set-up, or the first start after the update (docs/signing.md)
    report_editable_files(data_dir)
    return data_dir


def report_editable_files(data_dir: Path) -> None:
    """Copy the editable themes and templates into the data dir on first use, and say on stderr
    which of them cannot be read (the defaults are used meanwhile)."""
    from app.services.editable import prepare

    for problem in prepare(data_dir):
        print(f"注意：{problem}", file=sys.stderr)


def cmd_check_db(args: argparse.Namespace) -> int:
    from app.services.backup import check_integrity

    path = database_path(resolve_data_dir(args.data_dir))
    problems = check_integrity(path, full=True)
    if not problems and path.is_file():
        # Whole pages are not yet a ledger: a file holding only the version table, or a trigger
        # of its own, is refused here as a restore refuses it (docs/formats.md "Bounds").
        from app.services.restore_checks import static_problems

        problems = static_problems(path)
    for line in problems:
        print(line, file=sys.stderr)
    print(f"{path}：{'发现问题' if problems else '完好'} / {'damaged' if problems else 'ok'}")
    return 1 if problems else 0


def cmd_backup(args: argparse.Namespace) -> int:
    from app import files
    from app.services.backup import backup_to, create_backup

    data_dir = open_data(args)
    if args.out:
        print(backup_to(data_dir, Path(args.out)))
        return 0
    made = create_backup(data_dir)
    print(made.path)
    if made.rotation_left:  # old backups another program holds open (Windows)
        print(files.Removal(left=list(made.rotation_left)).left_text(), file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app.services.backup import restore

    data_dir = resolve_data_dir(args.data_dir)  # may be damaged: restore() keeps it aside
    # restore() refuses while a window holds the data dir (app/instance_lock.py, no Qt here).
    print(f"已恢复 / restored: {restore(data_dir, Path(args.file))}")
    return 0


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


def cmd_export_members(args: argparse.Namespace) -> int:
    from app.services.roster_export import export_roster

    open_data(args)
    path = export_roster(Path(args.out), with_id=args.with_id)
    print(f"已导出花名册：{path}" + ("（含公民身份号码，请妥善保管）" if args.with_id else ""))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from app.services.ledger import load_year
    from app.services.statistics import compute_statistics, format_statistics

    if not 2000 <= args.year <= 2100:
        raise UserError("年份应在 2000 到 2100 之间。", "year must be 2000-2100")
    from app.services.evaluation import talks_for_year, talks_to_json

    open_data(args)
    data = load_year(args.year)
    stats = compute_statistics(data)
    talks = talks_for_year(args.year)
    if args.xlsx:
        from app.reports.statistics_xlsx import write_statistics_xlsx

        out = write_statistics_xlsx(stats, Path(args.xlsx), talks)
        print(out, file=sys.stderr)
    if args.json:
        import json

        obj = stats.to_json()
        obj["talks"] = talks_to_json(talks, (m.member_id for m in data.members))
        print(json.dumps(obj, ensure_ascii=False, indent=2))
    else:
        print(format_statistics(stats, talks))
    return 0


def cmd_selftest(args: argparse.Namespace) -> int:
    """Window offscreen + one 记录表 PDF in a temp data dir; the user's data dir is never opened.
    `--on-display` is selftest's own child: the window on the system's display."""
    if args.on_display:
        from app.ui.selftest import run_window_on_display

        return run_window_on_display(*map(Path, args.on_display))
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt is imported
    from app.ui.selftest import run_selftest

    return run_selftest(Path(args.keep) if args.keep else None)


def cmd_plan(args: argparse.Namespace) -> int:
    from app.services.plan import create_plan, format_plan, get_plan, reconcile_with_calendar

    open_data(args)
    if get_plan(args.year) is None:
        plan = create_plan(args.year, args.day)
        print(f"已生成{args.year}年度计划（{plan.activities.count()} 次活动，草稿）。")
    else:
        if args.day:
            print(f"{args.year}年度计划已经存在，未按 --day 重新生成；可在计划页修改日期。")
        for change in reconcile_with_calendar(args.year):
            print(change)
    print(format_plan(args.year))
    return 0


def _warn_missing_glyphs(missing: list[str]) -> None:
    if missing:
        print(
            f"注意：字体中没有这些字，打印出来会缺字，请手写补全：{''.join(missing)}",
            file=sys.stderr,
        )


def cmd_print_plan(args: argparse.Namespace) -> int:
    from app.reports.plan_pdf import plan_missing_glyphs, render_plan_pdf
    from app.services.ledger import load_year
    from app.services.plan import get_plan

    open_data(args)
    if get_plan(args.year) is None:
        raise UserError(
            f"还没有{args.year}年度计划，请先运行 plan --year {args.year}。",
            f"no plan for {args.year}",
        )
    data = load_year(args.year)
    _warn_missing_glyphs(plan_missing_glyphs(data))
    print(render_plan_pdf(data, Path(args.out)))
    return 0


def cmd_print_record(args: argparse.Namespace) -> int:
    from app.reports.record_form import form_missing_glyphs, render_record_pdf
    from app.services.records import load_record

    open_data(args)
    data, activity = load_record(args.id)
    _warn_missing_glyphs(form_missing_glyphs(data, activity))
    print(render_record_pdf(data, activity, Path(args.out), two_copies=args.two_copies))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from app.bundle.write import export_bundle_detailed

    open_data(args)
    result = export_bundle_detailed(args.year, Path(args.out))
    print(result.path)
    print(
        f"已导出并校验通过：{result.files} 个文件，{result.bytes / 1048576:.1f} MB。"
        "如在U盘上，请先“安全弹出”再拔出。",
        file=sys.stderr,
    )
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """One bundle as docs/formats.md says; several, a folder or `*.zip` (which the Windows console
    does not expand) check each in turn. Exit 0 only if every one is intact."""
    from app.township.aggregate import expand_bundle_paths
    from app.township.verify import verify_bundle

    paths = expand_bundle_paths(args.bundles)
    if not paths:
        raise UserError(
            f"“{'、'.join(args.bundles)}”中没有找到报送包（.zip 文件）。", "no bundles found"
        )
    register = township_register(args)
    failed = 0
    for path in paths:
        report = verify_bundle(path, register=register)
        if report.ok:
            print(report.summary())
            continue
        failed += 1
        print(report.summary(), file=sys.stderr)
        print(
            f"error: {path.name} failed verification ({report.total} problem(s))",
            file=sys.stderr,
        )
    if len(paths) > 1:
        print(f"共 {len(paths)} 个报送包：{len(paths) - failed} 个通过，{failed} 个未通过。")
    return 1 if failed else 0


def cmd_aggregate(args: argparse.Namespace) -> int:
    from app.township.aggregate import aggregate_bundles

    if args.year is not None and not 2000 <= args.year <= 2100:
        raise UserError("年份应在 2000 到 2100 之间。", "year must be 2000-2100")
    from app.cli_downlink import township_for_receipts, write_receipts_of

    township = township_for_receipts(args)  # None without --receipts
    mark = township.mark() if township else ""
    bundles, out, register = args.bundles, Path(args.out), township_register(args)
    result = aggregate_bundles(bundles, out, register=register, year=args.year, township_mark=mark)
    print(result.out_path)
    print(result.summary(), file=sys.stderr)
    if township is not None:
        write_receipts_of(result, args, township)
    return 0 if result.ok else 1


def cmd_key(args: argparse.Namespace) -> int:
    """The data dir's signing-key fingerprint, as the plan PDF prints it (docs/signing.md)."""
    from app.signing import ensure_key

    data_dir = open_data(args)
    print(ensure_key(data_dir).fingerprint)
    print(
        "这是本数据目录的签名密钥指纹，与年度计划安排表盖章处印的相同；乡镇党委据此登记报送包的签名。",
        file=sys.stderr,
    )
    return 0


def township_register(args: argparse.Namespace) -> bool:
    """Whether verify and aggregate check signers against a township's register: when a data
    dir is named (--data-dir or DANGRI_DATA_DIR), it is opened and its register used
    (docs/signing.md); otherwise the bundles are checked on their own."""
    if not (args.data_dir or os.environ.get(ENV_DATA_DIR)):
        return False
    open_data(args)
    return True


def cmd_register(args: argparse.Namespace) -> int:
    """The township's register of its branches and their keys (docs/signing.md): --names FILE,
    BUNDLE… (another key for a bound branch: exit 1 unless --replace), --list."""
    from app.township.register import NO_KEY, import_names, list_register

    open_data(args)  # the township's data dir: no branch needed
    if args.names:
        print(import_names(Path(args.names)).summary())
    status = _register_bundles(args.bundles, args.replace) if args.bundles else 0
    if args.list or not (args.names or args.bundles):
        rows = list_register()
        for number, row in enumerate(rows, start=1):
            print(f"{number:>3}  {row.text()}")
        bound = sum(1 for r in rows if r.fingerprint)
        print(f"共 {len(rows)} 个下级党组织：已登记密钥 {bound} 个，{NO_KEY} {len(rows) - bound} 个。")
    return status


def _register_bundles(bundles: list[str], replace: bool) -> int:
    """Each bundle's branch bound to its signer, the fingerprint printed for the clerk to
    compare with the stamped plan; one that cannot be registered is said and the rest go on."""
    from app.township.aggregate import expand_bundle_paths
    from app.township.register import KeyConflict, register_bundle

    status = 0
    for path in expand_bundle_paths(bundles):
        try:
            print(register_bundle(path, replace=replace).summary())
        except KeyConflict as err:
            print(f"{path.name}：{err.message}\nerror: {err.english}", file=sys.stderr)
            status = max(status, 1)
        except UserError as err:
            print(f"{path.name}：{err.message}\nerror: {err.english}", file=sys.stderr)
            status = EXIT_USER_ERROR
    return status


def cmd_holidays(args: argparse.Namespace) -> int:
    """The holiday schedule used for a year and its source; with --from-notice the State
    Council's notice is read, stored and the year's plan re-checked (docs/formats.md)."""
    import json

    from app.services.calendar import schedule_in_use
    from app.services.holiday_schedule import format_schedule, store_notice_file

    if not 2000 <= args.year <= 2100:
        raise UserError("年份应在 2000 到 2100 之间。", "year must be 2000-2100")
    open_data(args)
    if args.from_notice:
        result = store_notice_file(Path(args.from_notice), args.year)
        print("\n".join(result.lines()), file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(schedule_in_use(args.year).to_json(), ensure_ascii=False, indent=2))
    elif not args.from_notice:
        print(format_schedule(args.year))
    return 0


def _configure_signing(
    sub: argparse._SubParsersAction, handlers: dict[str, Callable[[argparse.Namespace], int]]
) -> None:
    """`key` and the township's `register` (docs/signing.md)."""
    sub.add_parser("key", help="显示签名密钥指纹（年度计划盖章处印的那一串）")
    handlers["key"] = cmd_key
    p = sub.add_parser("register", help="乡镇：下级党组织名单及其签名密钥的登记")
    p.add_argument("--names", metavar="FILE", help="读入名单（.xlsx/.csv，列名“党组织”或“支部名称”）")
    p.add_argument("--list", action="store_true", help="列出每个党组织及其密钥指纹")
    p.add_argument(
        "bundles", nargs="*", metavar="BUNDLE", help="登记报送包的签名密钥（.zip、文件夹或 *.zip）"
    )
    p.add_argument(
        "--replace", action="store_true", help="已登记其他密钥时改为登记这个（先核对盖章计划上的指纹）"
    )
    handlers["register"] = cmd_register


def _configure_files(
    sub: argparse._SubParsersAction, handlers: dict[str, Callable[[argparse.Namespace], int]]
) -> None:
    """The commands that carry files: check-db, backup, restore, export, verify, aggregate."""
    p = sub.add_parser("check-db", help="检查数据库是否完好 / PRAGMA integrity_check")
    handlers["check-db"] = cmd_check_db
    p = sub.add_parser("backup", help="备份数据库（--out 文件夹：连同附件备份到U盘）")
    p.add_argument("--out", default=None, help="目标文件夹，如U盘")
    handlers["backup"] = cmd_backup
    p = sub.add_parser("restore", help="从备份恢复（.sqlite3 或 zip；先自动备份当前数据）")
    p.add_argument("file")
    handlers["restore"] = cmd_restore

    p = sub.add_parser("export", help="导出报送包（写入后自动校验） / write the export bundle")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True, metavar="DIR", help="目标文件夹，如U盘")
    handlers["export"] = cmd_export
    p = sub.add_parser("verify", help="校验报送包；全部完好时退出码为 0 / check bundles")
    p.add_argument(
        "bundles", nargs="+", metavar="BUNDLE.zip", help="报送包 .zip（也可以是文件夹或 *.zip）"
    )
    handlers["verify"] = cmd_verify
    p = sub.add_parser("aggregate", help="乡镇汇总：校验多个报送包并写出汇总表")
    p.add_argument("bundles", nargs="+", metavar="BUNDLE", help="报送包 .zip、文件夹或 *.zip")
    p.add_argument("--out", required=True, metavar="FILE.xlsx")
    p.add_argument("--year", type=int, default=None, help="只汇总该年度（默认：多数报送包的年度）")
    p.add_argument("--receipts", metavar="DIR", default=None, help="给每个报送包写一份回执到 DIR")
    p.add_argument("--township", metavar="NAME", default=None, help="乡镇党委名称（设置一次即可）")
    handlers["aggregate"] = cmd_aggregate


# Commands added by later issues register here: name -> (function, configure(parser)).
def _configure(sub: argparse._SubParsersAction) -> dict[str, Callable[[argparse.Namespace], int]]:
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {}

    p = sub.add_parser(
        "demo", help="在空数据目录中生成演示党支部 / fill an empty data dir with a demo branch"
    )
    p.add_argument("--year", type=int, default=None, help="演示年份（默认今年）")
    handlers["demo"] = cmd_demo

    p = sub.add_parser(
        "import-members", help="从 .xlsx、.xls 或 .csv 导入花名册（全部成功或全部不写入）"
    )
    p.add_argument("file")
    handlers["import-members"] = cmd_import_members

    p = sub.add_parser("export-members", help="导出花名册 .xlsx（表头与导入相同）")
    p.add_argument("--out", required=True, help="FILE.xlsx")
    p.add_argument("--with-id", action="store_true", help="同时导出公民身份号码")
    handlers["export-members"] = cmd_export_members

    p = sub.add_parser("stats", help="年度统计：党员参加情况、谈话提醒、支部汇总 / the statistics")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象（格式见 README）")
    p.add_argument("--xlsx", metavar="FILE.xlsx", default=None, help="同时写出统计表 xlsx")
    handlers["stats"] = cmd_stats

    p = sub.add_parser("plan", help="生成或显示年度计划（日期避开节假日并说明原因）")
    p.add_argument("--year", type=int, required=True)
    p.add_argument(
        "--day", choices=["5", "10"], default=None, help="每月5日或10日（默认按支部设置）"
    )
    handlers["plan"] = cmd_plan

    p = sub.add_parser("print-plan", help="把年度计划安排表打印为 PDF")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    handlers["print-plan"] = cmd_print_plan

    p = sub.add_parser("print-record", help="把一次活动的记录表（附签名表）打印为 PDF")
    p.add_argument("id", type=int, help="活动编号")
    p.add_argument("--out", required=True, help="输出的 PDF 文件")
    p.add_argument(
        "--two-copies", action="store_true", help="一式两份：支部留存、报上级党组织各一份"
    )
    handlers["print-record"] = cmd_print_record

    p = sub.add_parser(
        "selftest", help="自检：打开窗口（离屏；有显示时再用本机显示）并打印一份记录表，成功时退出码为 0"
    )
    p.add_argument("--keep", metavar="DIR", default=None, help="把截图和 PDF 保存到 DIR")
    p.add_argument("--on-display", nargs=2, default=None, help=argparse.SUPPRESS)
    handlers["selftest"] = cmd_selftest

    _configure_files(sub, handlers)
    _configure_signing(sub, handlers)
    p = sub.add_parser("holidays", help="节假日安排：显示所用的安排；--from-notice 录入国务院办公厅的通知")
    p.add_argument("--year", type=int, required=True)
    p.add_argument(
        "--from-notice", metavar="FILE", default=None, help="通知全文（.txt 或 .docx），读懂后保存"
    )
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象（格式见 docs/formats.md）")
    handlers["holidays"] = cmd_holidays

    from app.cli_downlink import configure as configure_downlink

    configure_downlink(sub, handlers)  # issue-package, import-package, import-receipt
    return handlers


class _Parser(argparse.ArgumentParser):
    """argparse with its usage mistakes (a missing --year, a wrong choice) said in Chinese as
    well; the subcommands' parsers are of this class too."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(
            EXIT_USER_ERROR,
            f"错误：命令的写法不对（{message}）。可在命令后加 --help 查看用法。\nerror: {message}\n",
        )


def build_parser() -> tuple[
    argparse.ArgumentParser, dict[str, Callable[[argparse.Namespace], int]]
]:
    parser = _Parser(prog="python -m app", description=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--data-dir", default=None, help="数据目录（也可用环境变量 DANGRI_DATA_DIR）"
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--utf8",
        action="store_true",
        help="输出一律用 UTF-8（默认：Windows 上输出到文件或管道时用 GB18030，"
        "记事本、type、findstr 可直接读；也可设环境变量 DANGRI_UTF8=1）",
    )
    sub = parser.add_subparsers(dest="command")
    return parser, _configure(sub)


def main(argv: list[str] | None = None) -> int:
    from app.console import UTF8_OPTION, configure_streams, wants_utf8

    argv = list(sys.argv[1:] if argv is None else argv)
    configure_streams(force_utf8=wants_utf8(argv))  # before anything, --help included, is printed
    argv = [a for a in argv if a != UTF8_OPTION]  # taken wherever it stands, before or after a command
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
    except BrokenPipeError:
        # The reader went away (`… | head`, `… | more` quit): nothing left to say to it.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit does not fail again
        return 141
