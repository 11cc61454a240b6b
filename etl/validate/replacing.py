"""A load replaces whole slices: the rows a file brings for a period (a roster's month, a list's
year, a ledger's year) become that period's rows, and the rows loaded for it before stop being
current (`core.int_current_slices`). A few rows of another period in a file — a stray row whose
统计期 says last year, a resend of the three corrected enterprises — would so replace a whole
period with those few rows, and its figures would fall without a word.

`shrinking_slices` finds the file's slices that would replace a held slice with fewer than half
its rows (`STATWH_MIN_SLICE_SHARE`), or with as many rows of which fewer than half are of the
enterprises (certificates, townships, projects: `IDENTITY`) held — another part of the period (a
second batch of certificates, another township's roster, the 规下 enterprises, a quarter's new
projects), which would replace the part loaded: those rows are turned away (quarantined, each
naming the slice and the load it would have replaced), so the held slice stays as it was. A slice held with
fewer than `MIN_HELD` rows (an indicator's one value, a target) is not compared."""

from __future__ import annotations

import duckdb
import pandas as pd

from etl.base.issues import Issue
from etl.base.settings import slice_share

MIN_HELD = 3
"""A held slice with fewer rows is replaced whatever the new one holds."""
IDENTITY = {
    "enterprise_periods": ("credit_code", "企业"),
    "hightech_certs": ("cert_no", "证书"),
    "hightech_counts": ("township_code", "镇（街道）"),
    "land_projects": ("project", "项目"),
}
"""What a row of a slice is of — its column, and the word for it (an enterprise, a certificate, a
township, a project): a file that brings as many rows as a held slice but of other ones is another
part of the period, not its revision (`shrinking_slices`)."""


def shrinking_slices(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    frame: pd.DataFrame,
    keys: pd.Series,
    column: str | None,
) -> list[Issue]:
    """Row issues for the rows of `frame` (those that would load; `keys`: their slice keys) in a
    slice that would replace a held one with fewer than that share of its rows. `column` names where
    the file gives the slice (`统计期 (I)`), if a column does. The share is `STATWH_MIN_SLICE_SHARE`
    (default 0.5: a revision may drop a few enterprises; 0 turns the check off)."""
    share = slice_share()
    if not len(frame) or share <= 0:
        return []
    new = keys.value_counts()
    if not _any_held(con, dataset, [str(k) for k in new.index]):
        return []  # every slice the file brings is new (the usual load: the next month)
    ident, _ = IDENTITY.get(dataset, (None, None))
    idents = pd.DataFrame(
        {
            "slice_key": keys.astype(str).to_numpy(),
            "ident": frame[ident].astype("string").to_numpy() if ident in frame else pd.NA,
        }
    ).drop_duplicates()
    con.register("_new_slices", pd.DataFrame({"slice_key": new.index.astype(str), "n": new.to_numpy()}))
    con.register("_new_idents", idents)
    same = f"count(distinct r.{ident}) filter (where i.ident is not null)" if ident else "count(*)"
    try:
        held = con.execute(
            f"""
            select s.slice_key, count(*) as held, s.load_id, any_value(l.file_name) as file_name, n.n,
                {same} as same
            from _new_slices as n
            join core.int_current_slices as s on s.dataset = $dataset and s.slice_key = n.slice_key
            join raw.{dataset} as r on r.load_id = s.load_id and r.slice_key = s.slice_key
            join meta.loads as l on l.load_id = s.load_id
            {f"left join _new_idents as i on i.slice_key = r.slice_key and i.ident = r.{ident}::varchar" if ident else ""}
            group by s.slice_key, s.load_id, n.n
            having count(*) >= $min_held and (n.n < $share * count(*) or same < $share * count(*))
            """,
            {"dataset": dataset, "min_held": MIN_HELD, "share": share},
        ).fetchall()
    finally:
        con.unregister("_new_slices")
        con.unregister("_new_idents")
    out = []
    for key, held_rows, load_id, file_name, n, same_rows in held:
        shown = key.replace("|", " ")
        rule, message = _why(dataset, shown, share, held_rows, load_id, file_name, n, same_rows)
        at = frame[(keys == key).to_numpy()]
        out += [
            Issue("row", rule, message, s, int(r), column, shown)
            for s, r in zip(at["_sheet"], at["_row"], strict=True)
        ]
    return out


def _any_held(con: duckdb.DuckDBPyConnection, dataset: str, keys: list[str]) -> bool:
    """Whether any load holds any of these slices (ever: meta.slices keeps them all). One lookup,
    where the comparison of rows and enterprises below is a query over the current slices."""
    found = con.execute(
        "select count(*) from meta.slices where dataset = ? and slice_key in (select unnest(?::varchar[]))",
        [dataset, keys],
    ).fetchall()
    return bool(found[0][0])


def _why(
    dataset: str,
    shown: str,
    share: float,
    held_rows: int,
    load_id: int,
    file_name: str,
    n: int,
    same_rows: int,
) -> tuple[str, str]:
    """The rule and the message for a slice turned away: too few rows, or rows of other ones."""
    if n < share * held_rows:
        rule, message = (
            "replaces_more_rows",
            (
                f"本文件中{shown}只有{n}行，将替换已入库的{held_rows}行（第{load_id}次入库“{file_name}”），"
                f"少于其{share:.0%}：同一期的数据按整份文件替换，这些行疑为误填了时期，或是不完整的重报；"
                f"如需修订{shown}，请报送该期完整的文件 / only {n} rows for {shown} would replace the"
                f" {held_rows} rows loaded for it from {file_name} (load {load_id}): a period is replaced"
                f" by a whole file, so send the complete file for it"
            ),
        )
    else:
        rule, message = (
            "replaces_other_rows",
            (
                f"本文件中{shown}的{n}行与已入库的{held_rows}行（第{load_id}次入库“{file_name}”）只有"
                f"{same_rows}行是相同的{IDENTITY.get(dataset, (None, '对象'))[1]}，少于其{share:.0%}：像是同一期的另一部分"
                f"（另一批、另一个镇、规下企业），而同一期的数据按整份文件替换，入库会丢掉已入库的那一部分；"
                f"请把{shown}的各部分合成一份完整的文件报送 / the {n} rows for {shown} share only"
                f" {same_rows} of the {held_rows} loaded from {file_name} (load {load_id}): another part"
                f" of the period, not its revision; send the period's parts as one complete file"
            ),
        )
    return rule, message
