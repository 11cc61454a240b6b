"""One file: choose the layout (spec) whose fields best match, extract each sheet, finish."""

from __future__ import annotations

import fnmatch
import logging
from pathlib import Path

import pandas as pd

from etl.base.cells import bare_key, header_key
from etl.base.datasets import DATASETS, LINEAGE
from etl.base.issues import Issue
from etl.extract.finish import finish, revocation_notice
from etl.extract.header import find_header
from etl.extract.hidden import say_hidden
from etl.extract.measures import extract_measures_sheet, measures_header
from etl.extract.meta import sheet_gives
from etl.extract.model import RESHAPED, Extraction, HeaderMatch
from etl.extract.rows import extract_rows_sheet
from etl.extract.wide import extract_wide_sheet, period_header
from etl.read import ZIP_MAGIC, Grid, ReadError, Workbook, check_zip, load_columns, read_workbook, xlsx_heads
from etl.spec.model import SourceSpec, specs_for

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- the file


def _sheet_selected(spec: SourceSpec, name: str) -> bool:
    return fnmatch.fnmatch(name, spec.sheets)


def choose_spec(wb: Workbook, specs: list[SourceSpec], file_name: str) -> tuple[SourceSpec | None, list[str]]:
    """The spec whose fields best match a header of the workbook; and what was considered."""
    considered: list[str] = []
    ranked: list[tuple[tuple[int, int, int], SourceSpec, frozenset[str]]] = []
    for spec in specs:
        if not spec.takes_file(file_name):
            considered.append(f"{spec.layout}: file name does not match {list(spec.files)}")
            continue
        score = 0
        scores: dict[str, int] = {}
        for g in wb.sheets:
            if not _sheet_selected(spec, g.name) or not g.rows:
                continue
            if spec.shape == "wide":
                s = _wide_score(g, spec)
                considered.append(f"{spec.layout} / {g.name}: {s} period columns")
            elif spec.shape == "measures":
                mh = measures_header(g, spec)
                s = mh.score if mh else 0
                considered.append(f"{spec.layout} / {g.name}: {len(mh.columns) if mh else 0} measure columns")
            else:
                hm, cands = find_header(g, spec, sheet_gives(g, spec, file_name))
                s = hm.score if hm else 0
                if hm is None:
                    top = sorted(cands, key=lambda c: -c.score)[:3]
                    for c in top:
                        considered.append(
                            f"{spec.layout} / {g.name}: 第{c.row + 1}"
                            + (f"-{c.row + c.depth}" if c.depth > 1 else "")
                            + f"行 matched {sorted(c.mapping)}; missing required {c.missing_required}"
                            + _other_figures(c, spec)
                        )
                    if not top:
                        considered.append(
                            f"{spec.layout} / {g.name}: no header row matched any known column name"
                        )
                else:
                    considered.append(f"{spec.layout} / {g.name}: header at row {hm.row + 1}, {s} fields")
            score = max(score, s)
            scores[g.name] = s
        # ties go to the layout its sheets' names and titles name (增减挂钩 in the title of a file
        # named 挂钩及占补平衡), then to the one whose file-name patterns are the most specific
        words = _file_words(spec)
        best = [g for g in wb.sheets if score and scores.get(g.name) == score]
        rank = (score, _named(best, words), max((len(w) for w in words), default=0))
        if score:
            ranked.append((rank, spec, frozenset(g.name for g in best)))
    ranked.sort(key=lambda x: x[0], reverse=True)
    if ambiguous := _ambiguous(ranked):
        considered.append(ambiguous)
        return None, considered
    return (ranked[0][1] if ranked else None), considered


def _ambiguous(ranked: list[tuple[tuple[int, int, int], SourceSpec, frozenset[str]]]) -> str | None:
    """Two layouts with words of their own (挂钩, 占补) matching the same sheet alike, neither
    named by its name or title: which the sheet is cannot be told (a 挂钩 ledger with a
    新增耕地面积 column, named 挂钩及占补平衡, had loaded as 占补). Two that match different sheets
    (a workbook of a 挂钩 and a 占补 sheet) are not ambiguous: the first is read, the other
    sheet said not read."""
    if len(ranked) < 2 or ranked[0][0] != ranked[1][0] or not ranked[0][2] & ranked[1][2]:
        return None
    a, b = ranked[0][1], ranked[1][1]
    if not (_file_words(a) and _file_words(b)):
        return None
    return (
        f"{a.layout} / {b.layout}: 文件名、工作表名和标题都不能区分（{'、'.join(_file_words(a))} 或"
        f" {'、'.join(_file_words(b))}），请在标题中写明 / {AMBIGUOUS}: the title must say which"
    )


AMBIGUOUS = "both match the sheet alike"


def _file_words(spec: SourceSpec) -> list[str]:
    """The words a spec's file-name patterns look for (`*挂钩*` → 挂钩); none for `*`."""
    return [w for p in spec.files if (w := p.replace("*", "").replace("?", ""))]


def _named(sheets: list[Grid], words: list[str]) -> int:
    """1 when a sheet's name or a title line above its table (a row of one or two texts among
    its first six) holds one of `words` — not a record's text (a 挂钩 project's name)."""
    if not words:
        return 0
    lines = [[v for v in row if v is not None and str(v).strip()] for g in sheets for row in g.rows[:6]]
    texts = [g.name for g in sheets] + [
        t for line in lines if len(line) <= 2 for t in line if isinstance(t, str)
    ]
    return int(any(w.lower() in t.lower() for t in texts for w in words))


def _other_figures(c: HeaderMatch, spec: SourceSpec) -> str:
    """Columns that would be a missing required field but for a bracket naming another figure
    (`工业总产值（不变价）`, `营业收入（上年同期）`): said, so the sender sees why they were not taken."""
    missing = {f for group in c.missing_required for f in group.split("/")}
    near = [
        n
        for n in c.names
        if n and header_key(n) != bare_key(n) and spec.alias_index.get(bare_key(n)) in missing
    ]
    if not near:
        return ""
    return (
        f"; {'、'.join(f'“{n}”' for n in near)}括号中写明另一指标（上年同期、增长、不变价、计划等），未按"
        f"{'、'.join(sorted({spec.alias_index[bare_key(n)] for n in near}))}读取 / a bracket there names another figure"
    )


def _read_heads(path: Path, specs: list[SourceSpec], limits: dict[str, int]) -> Workbook | None:
    """For an .xlsx, a Workbook of the sheets' first rows only (`heads_only`); else None."""

    with open(path, "rb") as fh:
        if not fh.read(4).startswith(ZIP_MAGIC):
            return None
    size = Path(path).stat().st_size
    if size > limits.get("max_bytes", 200 * 2**20):
        return None  # let read_workbook refuse it with its message
    check_zip(Path(path), limits.get("max_unzipped", 2**30))

    scan = max((s.header_scan_rows for s in specs), default=30) + 2
    try:
        grids = xlsx_heads(Path(path), scan)
    except Exception as e:  # a package that is not a workbook, or damaged XML
        raise ReadError(f"Excel 文件已损坏或格式不对，无法打开 / cannot open the workbook: {e}") from e
    wb = Workbook(Path(path), "xlsx", None, grids)
    wb.heads_only = True  # type: ignore[attr-defined]
    return wb


def _wide_score(g: Grid, spec: SourceSpec) -> int:
    """How many period columns the sheet's wide-table header has (0: none)."""
    found = period_header(g, spec)
    return len(found[1]) if found else 0


def extract(
    path: Path, source: str, *, file_name: str | None = None, limits: dict[str, int] | None = None
) -> Extraction:
    """Extract one file as `source` (a source id or a spec path). Never raises on a file: an
    exception while reading or extracting it is a critical issue naming the sheet it was on."""
    path = Path(path)
    file_name = file_name or path.name
    specs = specs_for(source)
    ex = Extraction(path=path, source=specs[0].source if specs else source, spec=None)
    try:
        return _extract(path, specs, file_name, limits or {}, ex)
    except MemoryError:  # the worker's limit: `etl.warehouse.sandbox` makes it a rejection
        raise
    except Exception as e:  # noqa: BLE001 - a file must never stop the run with a traceback
        log.debug("extracting %s failed", file_name, exc_info=True)
        ex.frame = None
        ex.issues.append(failure_issue(e, ex.at_sheet))
        return ex


HIDDEN_SHEET = "（该工作表是隐藏的：如不是要报送的数据，请删除后重新报送 / the sheet is hidden）"


def _say_hidden(ex: Extraction, hidden: set[str]) -> None:
    """A hidden sheet is read like any other (nothing sent is passed over), but a rejection on
    one says it is hidden: the clerk may not know the sheet is there (a template's helper,
    last month's copy)."""
    for i in ex.issues:
        if i.sheet in hidden and i.severity == "critical" and HIDDEN_SHEET not in i.message:
            i.message += HIDDEN_SHEET


def failure_issue(e: BaseException, sheet: str | None) -> Issue:
    """The one-line rejection for an unexpected error on a file (and the sheet it was on)."""
    where = f"工作表“{sheet}”" if sheet else "此文件"
    what = " ".join(f"{type(e).__name__}: {e}".split())[:300]
    return Issue(
        "critical",
        "extract_failed",
        f"读取{where}时出错，文件拒收，请把文件转交维护人员 / reading"
        f" {'sheet ' + repr(sheet) if sheet else 'the file'} failed: {what}",
        sheet,
    )


def _extract(
    path: Path, specs: list[SourceSpec], file_name: str, limits: dict[str, int], ex: Extraction
) -> Extraction:
    """`extract`'s work, into `ex`."""
    decimal = _declared_decimal(specs)
    wb = _open_workbook(path, file_name, limits, ex, heads_for=specs, decimal=decimal)
    if wb is None:
        return ex
    ex.format, ex.encoding = wb.format, wb.encoding
    spec, ex.considered = choose_spec(wb, specs, file_name)
    if spec is None:
        ex.issues.append(_no_layout_issue(wb, ex.considered))
        return ex
    ex.spec = spec
    if spec.dataset == "hightech_certs" and (notice := revocation_notice(file_name, wb.sheets)):
        ex.issues.append(notice)
        return ex
    heads_only = getattr(wb, "heads_only", False)
    if heads_only and spec.shape in RESHAPED:  # wide and measures tables are small: read them whole
        wb = _open_workbook(path, file_name, limits, ex, decimal=decimal)
        if wb is None:
            return ex
        heads_only = False
    frames = _extract_sheets(wb, spec, path, file_name, ex, heads_only)
    _say_hidden(ex, {g.name for g in wb.sheets if g.hidden})
    if ex.critical:
        return ex
    if not frames or sum(len(f) for f in frames) == 0:
        ex.issues.append(_no_data_issue(ex))
        return ex
    raw = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    frame, issues = finish(spec, raw, file_name)
    refused = {(i.sheet, i.row) for i in ex.issues if i.severity == "row"}  # a figure refused: said once
    ex.issues.extend(i for i in issues if not (i.rule == "area_missing" and (i.sheet, i.row) in refused))
    _note_units(frame, ex)
    ex.frame = frame.reindex(columns=list(DATASETS[spec.dataset].columns) + list(LINEAGE))
    say_hidden(ex)
    return ex


PER_ROW_UNIT_FIELDS = {"indicator_obs": "value", "targets": "target"}
"""Fields whose unit is each row's indicator's: finishing converts them and notes what it applied."""


def _note_units(frame: pd.DataFrame, ex: Extraction) -> None:
    """What finishing applied to each sheet's figures (`地区生产总值: 万元 (header) → 亿元 ×0.0001`),
    in the sheet's info, where `statwh check` prints it: the same conversion the load stores."""
    assert ex.spec is not None
    field = PER_ROW_UNIT_FIELDS.get(ex.spec.dataset)
    if field is None or "_unit_note" not in frame:
        return
    for info in ex.sheets:
        notes = frame.loc[frame["_sheet"] == info.sheet, "_unit_note"].drop_duplicates().tolist()
        if notes:
            info.units[field] = "; ".join(notes)
        if assumed := _scaled_units_assumed(frame[frame["_sheet"] == info.sheet]):
            ex.issues.append(
                Issue(
                    "warning",
                    "unit_assumed",
                    f"表中没有注明单位，以下指标按其目录单位读取：{'；'.join(assumed)}；如不是，请在表头"
                    "或“单位：”行注明 / no unit stated anywhere: read in the catalog's unit",
                    info.sheet,
                )
            )


UNSCALED_UNITS = frozenset({"%", "‰", "百分点", "家", "个", "项", "位", "名", "次", "户", "座", "处"})
"""Units a figure cannot be written in another scale of (`家`): assuming one cannot be 10,000× off."""


def _scaled_units_assumed(rows: pd.DataFrame) -> list[str]:
    """`地区生产总值（亿元）` for each indicator of `rows` read in its catalog's unit because nothing
    said one, when that unit has scales (元 / 万元 / 亿元, 人 / 万人, 亩 / 万亩): a figure in 万元
    had loaded as 亿元, 10,000× too large, with only `(assumed)` in `statwh check` to tell."""
    if "_unit_note" not in rows:
        return []
    out = []
    for note in sorted(rows["_unit_note"].dropna().astype(str).unique()):
        said = note.removesuffix(" (assumed)")
        if note.endswith(" (assumed)") and said.rpartition(": ")[2] not in UNSCALED_UNITS:
            out.append(said)
    return out


def _open_workbook(
    path: Path,
    file_name: str,
    limits: dict[str, int],
    ex: Extraction,
    heads_for: list[SourceSpec] | None = None,
    decimal: str | None = None,
) -> Workbook | None:
    """The file as a Workbook: with `heads_for`, an .xlsx's first rows only (`_read_heads`), else
    the whole file. None when it cannot be read, the reason a critical issue of `ex`."""
    try:
        wb = _read_heads(path, heads_for, limits) if heads_for is not None else None
        if wb is None:
            wb = read_workbook(path, sheet_name=Path(file_name).stem, decimal=decimal, **limits)
    except ReadError as e:
        ex.issues.append(Issue("critical", "unreadable", str(e)))
        return None
    return wb


def _declared_decimal(specs: list[SourceSpec]) -> str | None:
    """The decimal separator every layout of the source declares (`decimal:`), else None."""
    declared = {s.decimal for s in specs}
    return declared.pop() if len(declared) == 1 else None


def _no_layout_issue(wb: Workbook, considered: list[str]) -> Issue:
    """Why no layout of the source fits the file: every sheet empty, or what was considered."""
    nonempty = [g for g in wb.sheets if any(any(c is not None for c in r) for r in g.rows)]
    if considered and AMBIGUOUS in considered[-1]:
        return Issue("critical", "ambiguous_layout", "两种表式同样匹配，无法判断 / " + considered[-1])
    if not nonempty:
        msg = "文件中没有任何数据（所有工作表为空） / every sheet is empty"
    else:
        msg = (
            "找不到可识别的表头或缺少必填列 / no recognisable header with the required columns: "
            + "; ".join(considered[:6])
        )
    return Issue("critical", "no_header", msg)


def _extract_sheets(
    wb: Workbook, spec: SourceSpec, path: Path, file_name: str, ex: Extraction, heads_only: bool
) -> list[pd.DataFrame]:
    """The rows of every sheet the layout takes, one frame per sheet. With `heads_only` a
    rows-shaped sheet's body is read from the file (`load_columns`); a read that fails there is
    a critical issue of `ex`, and no further sheet is read."""
    frames = []
    for g in wb.sheets:
        if not _sheet_selected(spec, g.name) or not g.rows:
            continue
        ex.at_sheet = g.name
        if spec.shape == "wide":
            cols = extract_wide_sheet(g, spec, file_name, ex)
        elif spec.shape == "measures":
            cols = extract_measures_sheet(g, spec, file_name, ex)
        else:
            hm, _ = find_header(g, spec, sheet_gives(g, spec, file_name))
            if hm is None:
                if _has_content(g):  # an instructions or summary sheet beside the table: said, not read
                    ex.issues.append(
                        Issue(
                            "warning",
                            "sheet_not_read",
                            f"工作表“{g.name}”中没有“{spec.layout}”表式的表头，未读取（如为数据请单独报送）"
                            f" / sheet not read: no header of layout {spec.layout} in it",
                            g.name,
                        )
                    )
                continue
            loader = None
            if heads_only:
                loader = (lambda name: lambda start, wanted: load_columns(path, name, start, wanted))(g.name)
            try:
                cols = extract_rows_sheet(g, spec, hm, file_name, ex, body_loader=loader)
            except ReadError as e:
                ex.issues.append(Issue("critical", "unreadable", str(e), g.name))
                return frames
        if cols is not None:
            frames.append(pd.DataFrame(cols))
    return frames


def _has_content(g: Grid) -> bool:
    return any(v is not None and str(v).strip() for row in g.rows[:200] for v in row)


def _no_data_issue(ex: Extraction) -> Issue:
    """The file's sheets have a header but no data rows below it."""
    sheets = "、".join(f"“{s.sheet}”（表头在第{s.header_rows}行）" for s in ex.sheets) or "—"
    return Issue(
        "critical",
        "no_data_rows",
        f"工作表 {sheets} 表头之下没有数据行 / the sheet has a header but no data rows",
        ex.sheets[0].sheet if ex.sheets else None,
    )
