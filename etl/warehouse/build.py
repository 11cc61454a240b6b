"""Building the warehouse: reference tables, then the SQL models of `warehouse/models/`, then audits.

Each model is one `.sql` file whose header comment is YAML (name, kind, grain, description,
columns). Kinds: `view`, `table`, `vintaged` (marts.indicator_values: evaluated as of every new
load and appended where a value, known by the header's `vintaged: {key}`, is new or changed) and
`type2` (core.dim_enterprise: a table of versions, rebuilt by its query, or brought forward by the
periods added since the last build, see `_build_type2`). Models run in dependency order, found
from the `schema.model` names each one reads: staging, core and marts, then `published` (the
views the snapshot copies, with their disclosure rules). After the models, every audit of
`warehouse/audits/` (a query returning the bad rows) runs in the build's transaction, its result
a row of `meta.audits` (`run_audits`). warehouse/README.md describes the folders and headers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass, field
from functools import cache
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from etl.base.paths import AUDITS_DIR, MODELS_DIR
from etl.base.paths import DIVISIONS_DIR as REFERENCE_DIR
from etl.reference import catalog
from etl.reference.disclosure import disclosure_params
from etl.reference.regions import short_form
from etl.warehouse.comments import comment_marts

log = logging.getLogger("statwh.build")
_HEADER = re.compile(r"^\s*/\*(.*?)\*/", re.S)


@dataclass(frozen=True)
class Model:
    path: Path
    name: str  # schema.table
    kind: str
    sql: str  # the query (without the header)
    grain: str = ""
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    type2: dict[str, Any] = field(default_factory=dict)  # kind type2: dataset, source, key, …
    vintaged: dict[str, Any] = field(default_factory=dict)  # kind vintaged: key

    @property
    def schema(self) -> str:
        return self.name.split(".")[0]


def parse_model(path: Path) -> list[Model]:
    """The model(s) of one file. A file whose header has `for_each: {dataset: name, …}` is a
    template: one model per entry, with `{dataset}` and `{name}` filled in (the staging views,
    alike but for the raw table they read)."""
    text = path.read_text(encoding="utf-8")
    for_each = _split_header(path, text, "a model")[0].get("for_each")
    if for_each:
        return [
            _model(path, text.replace("{dataset}", ds).replace("{name}", name))
            for ds, name in for_each.items()
        ]
    return [_model(path, text)]


def _split_header(path: Path, text: str, what: str) -> tuple[dict[str, Any], str]:
    """The YAML of a file's leading `/* */` comment, and the SQL after it (a final `;` dropped)."""
    m = _HEADER.match(text)
    if not m:
        raise ValueError(f"{path}: {what} starts with a /* yaml */ header")
    return yaml.safe_load(m.group(1)), text[m.end() :].strip().rstrip(";")


def _model(path: Path, text: str) -> Model:
    meta, sql = _split_header(path, text, "a model")
    return Model(
        path=path,
        name=meta["name"],
        kind=meta["kind"],
        sql=sql,
        grain=meta.get("grain", ""),
        description=" ".join(str(meta.get("description", "")).split()),
        columns={str(k): str(v) for k, v in (meta.get("columns") or {}).items()},
        type2=dict(meta.get("type2") or {}),
        vintaged=dict(meta.get("vintaged") or {}),
    )


def _reads(m: Model) -> set[str]:
    """The tables and views (`schema.name`) a model's query names, itself aside."""
    return set(re.findall(r"\b((?:raw|meta|ref|stg|core|marts|published)\.[a-z_0-9]+)\b", m.sql)) - {m.name}


@cache
def models() -> tuple[Model, ...]:
    """Every model, in an order where each comes after the models it reads."""
    found = {m.name: m for p in sorted(MODELS_DIR.rglob("*.sql")) for m in parse_model(p)}
    graph = {name: _reads(m) & set(found) for name, m in found.items()}
    order = list(TopologicalSorter(graph).static_order())
    return tuple(found[n] for n in order)


def model(name: str) -> Model:
    return next(m for m in models() if m.name == name)


def create_views_over_loads(con: duckdb.DuckDBPyConnection) -> None:
    """Create, where missing, the view models that read only what loads write (raw and meta
    tables, and views of this kind): core.int_current_slices, the staging views, and a few over
    them (core.fct_enterprise_period, published.loads, …). The writer's history checks
    (etl.validate.history) read the current rows through the staging views, also in a new
    warehouse before its first build; the build replaces them as it does every view."""
    made: set[str] = set()
    for m in models():
        if m.kind == "view" and all(r.split(".")[0] in ("raw", "meta") or r in made for r in _reads(m)):
            con.execute(f"create schema if not exists {m.schema}")
            con.execute(f"create view if not exists {m.name} as {m.sql}")
            made.add(m.name)


# ---------------------------------------------------------------- reference tables


def _read_ref(name: str) -> pd.DataFrame:
    for cand in (REFERENCE_DIR / name, REFERENCE_DIR / (name + ".gz")):
        if cand.exists():
            return pd.read_csv(cand, dtype=str)
    raise FileNotFoundError(REFERENCE_DIR / name)


@cache
def regions_frame() -> pd.DataFrame:
    prov = _read_ref("provinces.csv")
    city = _read_ref("cities.csv")
    area = _read_ref("areas.csv")
    street = _read_ref("streets.csv")
    six = lambda c: c.ljust(6, "0")  # noqa: E731
    frames = [
        pd.DataFrame(
            {
                "region_code": prov["code"].map(six),
                "name": prov["name"],
                "level": "province",
                "county_code": None,
                "city_code": None,
                "province_code": prov["code"].map(six),
            }
        ),
        pd.DataFrame(
            {
                "region_code": city["code"].map(six),
                "name": city["name"],
                "level": "city",
                "county_code": None,
                "city_code": city["code"].map(six),
                "province_code": city["provinceCode"].map(six),
            }
        ),
        pd.DataFrame(
            {
                "region_code": area["code"],
                "name": area["name"],
                "level": "county",
                "county_code": area["code"],
                "city_code": area["cityCode"].map(six),
                "province_code": area["provinceCode"].map(six),
            }
        ),
        pd.DataFrame(
            {
                "region_code": street["code"],
                "name": street["name"],
                "level": "township",
                "county_code": street["areaCode"],
                "city_code": street["cityCode"].map(six),
                "province_code": street["provinceCode"].map(six),
            }
        ),
    ]
    out = pd.concat(frames, ignore_index=True)
    # 东莞, 中山, 儋州 have no counties: areas.csv repeats the city as its own county
    out = out.drop_duplicates("region_code", keep="first").reset_index(drop=True)
    out["short_name"] = out["name"].map(short_form)
    return out


def indicators_frame() -> pd.DataFrame:
    rows = []
    for i in catalog.indicators():
        w = catalog.window(i.window)
        rows.append(
            {
                "indicator_id": i.id,
                "name_zh": i.name_zh,
                "unit": i.unit,
                "kind": i.kind,
                "derivation": i.derivation,
                "method": i.method,
                "direction": i.direction,
                "window_name": i.window,
                "window_start": w[0] if w else None,
                "window_end": w[1] if w else None,
                "track": i.track,
                "flag": i.params.get("flag"),
                "entry_type": i.params.get("entry_type"),
                "chain": i.params.get("chain"),
                "land_kind": i.params.get("land_kind"),
                "of_id": i.params.get("of"),
                "judged": i.params.get("judged"),
                "comparison": i.params.get("comparison") or ("le" if i.method == "rank" else "ge"),
                "coverage": i.params.get("coverage"),
                "aliases": list(i.aliases),
            }
        )
    df = pd.DataFrame(rows)
    for c in ("window_start", "window_end"):
        df[c] = pd.to_datetime(df[c]).dt.date
    return df


def plan_frame() -> pd.DataFrame:
    p = catalog.plan()
    rules = disclosure_params(p)
    return pd.DataFrame(
        [
            {
                "district_code": p["district"]["code"],
                "district_name": p["district"]["name"],
                "baseline_period": str(p["baseline"]["period"]),
                "baseline_end": p["baseline"]["end"],
                "peer_gap_code": p["peers"]["gdp_gap"],
                "growth_peer_codes": list(p["peers"]["growth"]),
                "on_track": float(p["progress"]["on_track"]),
                "at_risk": float(p["progress"]["at_risk"]),
                "hightech_validity_years": int(p["hightech_validity_years"]),
                "min_cell_enterprises": rules["min_enterprises"],
                "dominance_n": rules["dominance_n"],
                "dominance_k_pct": rules["dominance_k_pct"],
            }
        ]
    )


def source_lags_frame() -> pd.DataFrame:
    """ref.source_lags: how many months after its latest period's end a source becomes stale
    (plan.yaml `freshness.max_lag_months`)."""
    lags = (catalog.plan().get("freshness") or {}).get("max_lag_months") or {}
    return pd.DataFrame({"source": list(lags), "max_lag_months": [int(v) for v in lags.values()]}).astype(
        {"source": "string", "max_lag_months": "int64"}
    )


def _fingerprint(*parts: object) -> str:
    h = hashlib.sha256()
    for p in parts:
        if isinstance(p, pd.DataFrame):
            h.update(pd.util.hash_pandas_object(p.astype(str), index=False).to_numpy().tobytes())
            h.update(repr(list(p.columns)).encode())
        else:
            h.update(repr(p).encode())
        h.update(b"\0")
    return h.hexdigest()


@cache
def _regions_fingerprint() -> str:
    """What ref.regions is made from: the division files, and the code that makes the table of
    them (`regions_frame` here, the short forms in etl.reference.regions). Told from those bytes,
    not from the 44,700 rows made again (≈ 0.25 s a build, the table unchanged)."""
    from etl.reference import regions  # noqa: PLC0415 - its file, not a name of it

    h = hashlib.sha256()
    for path in sorted(REFERENCE_DIR.glob("*.csv*")) + [Path(regions.__file__), Path(__file__)]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "src:" + h.hexdigest()


def _comments(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, str | None]:
    return dict(
        con.execute(
            "select table_name, comment from duckdb_tables() where schema_name = ?", [schema]
        ).fetchall()
    )


def load_reference(con: duckdb.DuckDBPyConnection, *, full: bool = False) -> dict[str, str]:
    """ref.regions, ref.indicators, ref.plan and ref.source_lags from the code's reference files and catalog. A
    table is rewritten only when its content differs from what it holds (its fingerprint is kept
    as the table's comment), or always with `full`; returns the fingerprint of each."""
    con.execute("create schema if not exists ref")
    held = {} if full else _comments(con, "ref")
    out = {}
    for name, frame, fp in (
        ("regions", regions_frame, _regions_fingerprint()),  # made only when it changed
        ("indicators", (f := indicators_frame()), _fingerprint(f)),
        ("plan", (f := plan_frame()), _fingerprint(f)),
        ("source_lags", (f := source_lags_frame()), _fingerprint(f)),
    ):
        out[f"ref.{name}"] = fp
        if held.get(name) == fp:
            continue
        con.register("_ref", frame() if callable(frame) else frame)
        con.execute(f"create or replace table ref.{name} as select * from _ref")
        con.unregister("_ref")
        con.execute(f"comment on table ref.{name} is '{fp}'")
    return out


def _static_fingerprint(m: Model, reference: dict[str, str]) -> str | None:
    """For a table model that reads reference tables only (dim_region, dim_indicator): a
    fingerprint of its query and of what it reads, kept as its comment, so that it is rebuilt
    only when one of them changed. None for any other model."""
    reads = _reads(m)
    if m.kind != "table" or not reads or not reads <= set(reference):
        return None
    return _fingerprint(m.sql, *(reference[r] for r in sorted(reads)))


# ---------------------------------------------------------------- building


def _ensure_vintaged(con: duckdb.DuckDBPyConnection, m: Model) -> None:
    """Create the vintaged table, empty, when it is missing (a `create … if not exists` plans the
    whole model even when the table is there: a tenth of a second per build)."""
    reset_as_of(con)
    schema, name = m.name.split(".")
    if con.execute(
        "select 1 from duckdb_tables() where database_name = current_database() and schema_name = ?"
        " and table_name = ? and not temporary",
        [schema, name],
    ).fetchall():
        return
    con.execute(
        f"create table if not exists {m.name} as select * exclude (_as_of_no), null::timestamp as superseded_at,"
        f" false as is_latest from ({m.sql}) where false"
    )


# how many input rows (× times) one evaluation of a vintaged model may take: a build of many new
# loads over a large warehouse evaluates its times in several queries
VINTAGED_ROW_BUDGET = 4_000_000
VINTAGED_MAX_TIMES = 64


def _build_vintaged(con: duckdb.DuckDBPyConnection, m: Model) -> int:
    """Evaluate the model as of every load newer than what was built; append new or changed values,
    and withdraw the values a load made the model stop giving.

    The times are evaluated together, a batch in one query (`as_of_list`; each row says which
    time it is as of in `_as_of_no`), because evaluating the model costs far more to plan than
    to run: one query per time made a run of 35 files spend 9 of its 27 s here. For each value
    and time in order, a row is appended when the value is new or differs from the one before.
    A value the model gave at the time before and no longer gives (a corrected roster holds no
    enterprise of a chain any more) is withdrawn: its row gets `superseded_at` = the time of the
    load after which it is no longer given, and no newer row; the key then has no current row
    until a value comes again. Rows are appended with `is_latest = false` and no
    `superseded_at`; after each batch the update sets both for the values that gained a vintage
    or were withdrawn only, so a build's cost follows what changed, not the length of the
    history. A value is known by the header's `vintaged: {key: [...]}`."""
    vintaged_key = list(m.vintaged.get("key") or [])
    if not vintaged_key or not set(vintaged_key) <= set(m.columns):
        raise ValueError(
            f"{m.path}: a vintaged model's header names its key (vintaged: {{key: [...]}}), of its columns"
        )
    _ensure_vintaged(con, m)
    vintages = _new_vintages(con, m)
    added = 0
    try:
        for batch in _batches(vintages, _times_per_query(con)):
            con.execute("set variable as_of_list = ?::timestamp[]", [batch])
            con.execute(f"create or replace temp table _vintaged_now as {m.sql}")
            added += _append_changed(con, m, vintaged_key)
            _withdraw_absent(con, m, vintaged_key)
            _mark_latest(con, m, vintaged_key)
    finally:
        with contextlib.suppress(duckdb.Error):  # an aborted transaction refuses them: dropped with it
            con.execute("drop table if exists _vintaged_now")
            con.execute("drop table if exists _vintaged_gone")
        reset_as_of(con)
    return added


def reset_as_of(con: duckdb.DuckDBPyConnection) -> bool:
    """Unset `as_of` and `as_of_list` on `con`; False when it could not (a transaction aborted by
    an error refuses every statement: call it again after the rollback).

    DuckDB's variables belong to the connection, not the transaction: a rollback keeps them.
    Left set after a failed build, they would make every later query of the connection see the
    warehouse as of another time, or several times at once — a build then writes wrong marts."""
    try:
        con.execute("reset variable as_of")
        con.execute("reset variable as_of_list")
    except duckdb.Error:
        return False
    return True


def _new_vintages(con: duckdb.DuckDBPyConnection, m: Model) -> list:
    """The times of the loads newer than the table's last vintage and the last build."""
    last = con.execute(f"select max(vintage) from {m.name}").fetchall()[0][0]
    built_to = con.execute("select max(last_vintage) from meta.builds").fetchall()[0][0]
    since = max([x for x in (last, built_to) if x is not None], default=None)
    return [
        r[0]
        for r in con.execute(
            "select distinct loaded_at from meta.loads where status in ('loaded','partial')"
            " and (? is null or loaded_at > ?) order by 1",
            [since, since],
        ).fetchall()
    ]


def _same_key(a: str, b: str, key: list[str]) -> str:
    return " and ".join(f"{a}.{c} is not distinct from {b}.{c}" for c in key)


def _append_changed(con: duckdb.DuckDBPyConnection, m: Model, vintaged_key: list[str]) -> int:
    """Append each value of `_vintaged_now` (the model at the times of `as_of_list`) that is new or
    differs from the one before it: at the time before, or as the table knew it before the batch.
    A value absent at the time before (withdrawn, or never given) is new. Returns the rows added."""
    key = ", ".join(vintaged_key)
    n = con.execute(
        f"""
            insert into {m.name} by name
            with known as (
                -- the current value of each key before this batch (none for a withdrawn one)
                select {key}, value from {m.name} where is_latest
            ),
            compared as (
                -- each value against the one before it: at the time before, or as known
                select
                    n.*,
                    case
                        when row_number() over w = 1 then (case when n._as_of_no = 1 then k.value end)
                        when lag(n._as_of_no) over w = n._as_of_no - 1 then lag(n.value) over w
                    end as _before
                from _vintaged_now as n
                left join known as k on {_same_key("n", "k", vintaged_key)}
                window w as (partition by {", ".join(f"n.{c}" for c in vintaged_key)} order by n._as_of_no)
            )
            select * exclude (_as_of_no, _before), null::timestamp as superseded_at, false as is_latest
            from compared
            where _before is null or abs(_before - value) > 1e-9 * greatest(1, abs(value))
            """
    ).fetchall()
    return n[0][0] if n else 0


def _withdraw_absent(con: duckdb.DuckDBPyConnection, m: Model, vintaged_key: list[str]) -> None:
    """The values given at one time of the batch (or current before it) and not at the next: the
    row that held each gets `superseded_at` = the time it stopped being given. The keys are kept
    in `_vintaged_gone` for `_mark_latest`."""
    key = ", ".join(vintaged_key)
    part = ", ".join(f"g.{c}" for c in vintaged_key)
    con.execute(
        f"""
            create or replace temp table _vintaged_gone as
            with times as (
                select
                    unnest(getvariable('as_of_list')) as t,
                    generate_subscripts(getvariable('as_of_list'), 1) as no
            ),
            known as (select distinct {key} from {m.name} where is_latest),
            present as (select distinct {key}, _as_of_no as no from _vintaged_now),
            keys as (select {key} from known union select {key} from present),
            grid as (
                select
                    k.*, times.no, times.t,
                    exists (select 1 from known as c where {_same_key("c", "k", vintaged_key)}) as _known
                from keys as k cross join times
            ),
            flags as (
                select
                    g.*,
                    p.no is not null as here,
                    lag(p.no is not null, 1, g._known) over (partition by {part} order by g.no) as was_here
                from grid as g
                left join present as p on {_same_key("p", "g", vintaged_key)} and p.no = g.no
            )
            select {key}, t from flags where was_here and not here
            """
    )
    con.execute(
        f"""
            update {m.name} as r set superseded_at = h.t
            from (
                select w.t, {", ".join(f"w.{c}" for c in vintaged_key)}, max(v.vintage) as vintage
                from _vintaged_gone as w
                inner join {m.name} as v
                    on {_same_key("v", "w", vintaged_key)} and v.superseded_at is null and v.vintage < w.t
                group by all
            ) as h
            where {_same_key("r", "h", vintaged_key)} and r.vintage = h.vintage and r.superseded_at is null
            """
    )


def _mark_latest(con: duckdb.DuckDBPyConnection, m: Model, vintaged_key: list[str]) -> None:
    """`is_latest` and `superseded_at` of the values that gained a vintage or were withdrawn; a
    withdrawn row keeps the time it was withdrawn at."""
    key = ", ".join(vintaged_key)
    con.execute(
        f"""
            update {m.name} as t set
                is_latest = coalesce(t.superseded_at, s.next_vintage) is null,
                superseded_at = coalesce(t.superseded_at, s.next_vintage)
            from (
                select {key}, vintage,
                    lead(vintage) over (partition by {key} order by vintage) as next_vintage
                from {m.name} as v
                semi join (
                    select {key} from {m.name} where not is_latest and superseded_at is null
                    union
                    select {key} from _vintaged_gone
                ) as fresh on {_same_key("v", "fresh", vintaged_key)}
            ) as s
            where {_same_key("t", "s", vintaged_key)}
                and t.vintage = s.vintage
            """
    )


def _times_per_query(con: duckdb.DuckDBPyConnection) -> int:
    """How many times one query evaluates: VINTAGED_ROW_BUDGET over the rows the loads hold."""
    rows = con.execute(
        "select coalesce(sum(rows_loaded), 0) from meta.loads where status in ('loaded','partial')"
    ).fetchall()[0][0]
    return max(1, min(VINTAGED_MAX_TIMES, VINTAGED_ROW_BUDGET // max(1, int(rows))))


def _batches(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


TYPE2_SPAN = ("valid_from", "valid_to", "is_current")


def _build_type2(con: duckdb.DuckDBPyConnection, m: Model, *, full: bool = False) -> str:
    """A type-2 table (one row per key and version of its `tracked` columns): "full" when rebuilt
    by its query, "append" when brought forward period by period, "unchanged" when nothing it
    reads changed. Records the slices it now holds in meta.model_slices.

    Appending gives the query's result (tests compare the two) and costs what the new periods
    cost, not the whole history: it is done when the slices of the last build are all still
    current (none revised or superseded), the table was built by the same query (a fingerprint
    of it is kept as the table's comment) and every row added since is of a period later than
    any the table holds, with one row per key and period. Otherwise the table is rebuilt."""
    o = m.type2
    if set(m.columns) != {o["key"], *o["tracked"], *o["latest"], *TYPE2_SPAN}:
        raise ValueError(f"{m.path}: type2 columns must be the key, tracked, latest and {TYPE2_SPAN}")
    reset_as_of(con)
    now = dict(
        con.execute(
            "select slice_key, load_id from core.int_current_slices where dataset = ?", [o["dataset"]]
        ).fetchall()
    )
    built = dict(
        con.execute("select slice_key, load_id from meta.model_slices where model = ?", [m.name]).fetchall()
    )
    fp = _fingerprint(m.sql, sorted(o.items()))  # the table's comment: built by this query
    schema, table = m.name.split(".")
    held = _comments(con, schema)
    if table not in held:  # a new warehouse: an empty table, then every period appended
        con.execute(f"create table {m.name} as select * from ({m.sql}) where false")
        con.execute(f"comment on table {m.name} is '{fp}'")
    how = "full"
    if not full and held.get(table, fp) == fp and all(now.get(k) == v for k, v in built.items()):
        how = _append_type2(con, m, sorted(set(now) - set(built))) or "full"
    if how == "full":
        con.execute(f"create or replace table {m.name} as {m.sql}")
        con.execute(f"comment on table {m.name} is '{fp}'")
    con.execute("delete from meta.model_slices where model = ?", [m.name])
    con.execute(
        "insert into meta.model_slices select ?, dataset, slice_key, load_id from core.int_current_slices"
        " where dataset = ?",
        [m.name, o["dataset"]],
    )
    return how


def _append_type2(con: duckdb.DuckDBPyConnection, m: Model, added: list[str]) -> str | None:
    """Bring a type-2 table forward by the rows of the `added` slices, a period at a time: a key
    whose tracked columns are as in its current version extends that version to the period (and
    takes the period's non-null `latest` values, as the query's arg_max does); any other key
    present closes its current version, if it has one, and starts a new one. None when the rows
    do not allow it (a period not after the table's last, a key twice in a period, a null key or
    period): the caller rebuilds."""
    if not added:
        return "unchanged"
    o = m.type2
    key, period, tracked, latest = o["key"], o["period"], list(o["tracked"]), list(o["latest"])
    cols = ", ".join([key, *tracked, *latest, period])
    con.execute(
        f"create or replace temp table _type2_rows as select {cols} from {o['source']}"
        " where slice_key in (select unnest(?::varchar[]))",
        [added],
    )
    try:
        nulls, twice, first = con.execute(
            f"select count(*) filter (where {key} is null or {period} is null),"
            f" count(*) - count(distinct ({key}, {period})), min({period}) from _type2_rows"
        ).fetchall()[0]
        (last,) = con.execute(f"select max(valid_to) from {m.name}").fetchall()[0]
        if nulls or twice or (first is not None and last is not None and first <= last):
            return None
        t = m.name
        same = " and ".join(f"t.{c} is not distinct from n.{c}" for c in tracked)
        periods = [
            r[0] for r in con.execute(f"select distinct {period} from _type2_rows order by 1").fetchall()
        ]
        for p in periods:
            n = f"(select * from _type2_rows where {period} = $p)"
            # the same tracked values: the current version runs on to this period; a `latest`
            # column is only written where the period gives a new non-null value (an update
            # rewrites what it touches)
            con.execute(
                f"update {t} as t set valid_to = $p from {n} as n"
                f" where t.{key} = n.{key} and t.is_current and {same}",
                {"p": p},
            )
            for c in latest:
                con.execute(
                    f"update {t} as t set {c} = n.{c} from {n} as n where t.{key} = n.{key}"
                    f" and t.is_current and t.valid_to = $p and n.{c} is not null"
                    f" and n.{c} is distinct from t.{c}",
                    {"p": p},
                )
            # other values: the current version ends; a new one starts
            con.execute(
                f"update {t} as t set is_current = false from {n} as n"
                f" where t.{key} = n.{key} and t.is_current and t.valid_to < $p",
                {"p": p},
            )
            con.execute(
                f"insert into {t} by name select {', '.join(f'n.{c}' for c in [key, *tracked, *latest])},"
                f" n.{period} as valid_from, n.{period} as valid_to, true as is_current from {n} as n"
                f" anti join (select {key} from {t} where is_current and valid_to = $p) as c"
                f" on n.{key} = c.{key}",
                {"p": p},
            )
        return "append"
    finally:  # (in a transaction a failed statement aborted, the error raised is the one to see)
        with contextlib.suppress(duckdb.Error):
            con.execute("drop table if exists _type2_rows")


def build(con: duckdb.DuckDBPyConnection, *, full: bool = False) -> dict[str, float]:
    """Rebuild reference tables and every model in one transaction; returns seconds per model.
    `full`: rewrite every table from its query, including those a build otherwise keeps or brings
    forward (reference tables as they were, core.dim_enterprise)."""
    con.execute("begin transaction")
    try:
        timings = build_in_transaction(con, full=full)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return timings


MODEL_SCHEMAS = ("stg", "core", "marts", "published")


def build_in_transaction(con: duckdb.DuckDBPyConnection, *, full: bool = False) -> dict[str, float]:
    """`build` inside the caller's open transaction (a load builds the warehouse in the transaction
    that writes its rows, so both commit together); runs the audits (`run_audits`) and records
    the build in `meta.builds`."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    reset_as_of(con)  # the current state, whatever an earlier failure left set
    reference = load_reference(con, full=full)
    for schema in MODEL_SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
    held = {s: {} if full else _comments(con, s) for s in MODEL_SCHEMAS}
    for m in models():
        t0 = time.perf_counter()
        fp = _static_fingerprint(m, reference)
        if fp is not None and held[m.schema].get(m.name.split(".")[1]) == fp:
            pass  # its query and the reference tables it reads are as when it was built
        elif fp is not None:
            con.execute(f"create or replace table {m.name} as {m.sql}")
            con.execute(f"comment on table {m.name} is '{fp}'")
        elif m.kind == "view":
            con.execute(f"create or replace view {m.name} as {m.sql}")
        elif m.kind == "table":
            con.execute(f"create or replace table {m.name} as {m.sql}")
        elif m.kind == "vintaged":
            _build_vintaged(con, m)
        elif m.kind == "type2":
            _build_type2(con, m, full=full)
        else:
            raise ValueError(f"{m.path}: unknown kind {m.kind!r}")
        timings[m.name] = time.perf_counter() - t0
    comment_marts(con, models())
    last = con.execute("select max(loaded_at) from meta.loads").fetchall()[0][0]
    build_id = con.execute("select coalesce(max(build_id), 0) + 1 from meta.builds").fetchall()[0][0]
    run_audits(con, build_id)
    con.execute(
        "insert into meta.builds values (?, ?, ?, ?)",
        [build_id, dt.datetime.now(), last, time.perf_counter() - started],
    )
    return timings


# ---------------------------------------------------------------- audits


AUDIT_SEVERITIES = ("warning", "blocking")
AUDIT_SAMPLE = 5  # bad rows kept in meta.audits


@dataclass(frozen=True)
class Audit:
    path: Path
    name: str
    severity: str  # warning: logged and recorded; blocking: the build fails too
    sql: str  # a query returning the bad rows: none returned is a pass
    description: str = ""


@dataclass(frozen=True)
class AuditResult:
    audit: Audit
    rows_found: int
    sample: list[dict[str, Any]]  # the first AUDIT_SAMPLE bad rows, column → value

    @property
    def passed(self) -> bool:
        return self.rows_found == 0


class AuditFailed(Exception):
    """An audit of severity `blocking` found bad rows: the build is rolled back."""


def parse_audit(path: Path) -> Audit:
    """One file of warehouse/audits/: a `/* yaml */` header (name, severity, description) like a
    model's, then the query."""
    meta, sql = _split_header(path, path.read_text(encoding="utf-8"), "an audit")
    if meta.get("severity") not in AUDIT_SEVERITIES:
        raise ValueError(f"{path}: severity is one of {', '.join(AUDIT_SEVERITIES)}")
    return Audit(
        path=path,
        name=meta["name"],
        severity=meta["severity"],
        sql=sql,
        description=" ".join(str(meta.get("description", "")).split()),
    )


@cache
def audits() -> tuple[Audit, ...]:
    """Every audit, in file name order."""
    return tuple(parse_audit(p) for p in sorted(AUDITS_DIR.glob("*.sql")))


def run_audit(con: duckdb.DuckDBPyConnection, audit: Audit) -> AuditResult:
    """How many bad rows the audit's query returns, and the first few."""
    (found,) = con.execute(f"select count(*) from ({audit.sql})").fetchall()[0]
    sample: list[dict[str, Any]] = []
    if found:
        cur = con.execute(f"select * from ({audit.sql}) limit {AUDIT_SAMPLE}")
        cols = [d[0] for d in cur.description]
        sample = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    return AuditResult(audit, found, sample)


def run_audits(con: duckdb.DuckDBPyConnection, build_id: int) -> list[AuditResult]:
    """Every audit against what the build made, each result a row of meta.audits. A failing audit
    is logged as a warning and the build goes on, unless its severity is `blocking`: then
    AuditFailed, and the caller's rollback takes the build (and these rows) back."""
    run_at = dt.datetime.now()
    results = [run_audit(con, a) for a in audits()]
    for r in results:
        sample = json.dumps(r.sample, ensure_ascii=False, default=str)
        con.execute(
            "insert into meta.audits values (?, ?, ?, ?, ?, ?, ?)",
            [build_id, r.audit.name, r.audit.severity, run_at, r.rows_found, r.passed, sample],
        )
        if not r.passed:
            log.warning(
                "audit %s (%s) found %d bad row(s), e.g. %s",
                r.audit.name,
                r.audit.severity,
                r.rows_found,
                sample,
            )
    failed = [r for r in results if not r.passed and r.audit.severity == "blocking"]
    if failed:
        raise AuditFailed(
            "数据审计未通过 / blocking audit failed: "
            + ", ".join(f"{r.audit.name} ({r.rows_found} rows)" for r in failed)
        )
    return results


def progress_as_of(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.datetime | None,
    on: dt.date | None = None,
    *,
    published: bool = False,
) -> pd.DataFrame:
    """marts.indicator_progress as the warehouse knew it at `as_of` (None: now), each indicator's
    latest period judged at `on` (None: today; `statwh indicators --on`). `published`: as
    published.indicator_progress shows it, small chain cells withheld (a temp table stands in for
    the mart; a read-only connection may make one)."""
    m = model("marts.indicator_progress")
    if as_of is None and on is None and not published:
        return con.execute(f"select * from {m.name}").df()
    if as_of is not None:
        con.execute("set variable as_of = ?", [as_of])
    con.execute("set variable on_date = ?::date", [str(on or dt.date.today())])
    try:
        if not published:
            return con.execute(m.sql).df()
        con.execute(f"create or replace temp table progress_judged as {m.sql}")
        view = model("published.indicator_progress")
        return con.execute(re.sub(rf"\b{re.escape(m.name)}\b", "temp.progress_judged", view.sql)).df()
    finally:
        con.execute("reset variable as_of")
        con.execute("reset variable on_date")
        if published:
            con.execute("drop table if exists temp.progress_judged")
