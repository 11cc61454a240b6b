"""Source specs: one YAML file per departmental layout, loaded into frozen dataclasses.

The attributes' docstrings are the documentation of the spec format (README "Adding a source").
A new layout is a new file in `etl/specs/` (or any path given to `statwh ingest`), never Python.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from etl.base.cells import header_key
from etl.base.paths import SPEC_DIR
from etl.reference.vocabularies import Vocabulary, build_vocabulary, vocabulary, vocabulary_for_column
from etl.spec.schema import FIELD_TYPES, SpecError, check_needs, check_raw


@dataclass(frozen=True)
class FieldSpec:
    name: str
    """The dataset column this field fills (see etl/base/datasets.py)."""
    aliases: tuple[str, ...]
    """Header texts departments use for it. Compared without spaces, case, full-width forms and
    bracketed units; a two-row header is joined as `parent/child` (`工业总产值/本年累计`)."""
    type: str = "text"
    """text, credit_code, number, integer, flag, date, region, industry, period or year."""
    unit: str | None = None
    """Warehouse unit of a number field; the file's unit is converted to it."""
    default_unit: str | None = None
    """Unit assumed when neither the header, a unit row, a `指标：` line nor the file name says one."""
    required: bool = False
    """The file is rejected when no column matches this field."""
    month_end: bool = False
    """For dates written as a month only (`2024年6月`): the month's last day instead of its first."""
    lower_bound: bool = False
    """A number written with words saying it is a lower bound (`≥1600`, `1600以上`, `不低于1600`,
    `力争1600`) or an upper one (`前10`, `≤10`, `10以内`) is the bound, with a warning saying so (a
    target: the catalog says how it is met; a bound against the indicator's direction is refused)."""
    vocabulary: str | None = None
    """The vocabulary (etl/reference/data/vocabularies.yaml) its cells map through: `flag`,
    `cert_type`, `entry_type`, `chain`. A flag field uses `flag`; a dataset column listed under a
    vocabulary's `fields` uses that one. A value outside it is a warning; the field stays empty."""
    values: dict[str, tuple[str, ...]] | None = field(default=None, compare=False, hash=False)
    """This layout's own vocabulary instead: {canonical value: [what the file writes, …]}."""
    prefer: tuple[str, ...] = ()
    """Of several columns that match this field, the one whose header comes first here is read
    (`期末从业人员` before `从业人员平均人数`), the others left unread with a warning; without it,
    two such columns reject the sheet (which one is meant cannot be told)."""

    @property
    def vocab(self) -> Vocabulary | None:
        """The vocabulary in use: the spec's own `values`, else the named one, else `flag` for flags."""
        if self.values is not None:
            return build_vocabulary(f"{self.name}", {k: list(v) for k, v in self.values.items()})
        if self.vocabulary is not None:
            return vocabulary(self.vocabulary)
        return vocabulary("flag") if self.type == "flag" else None


@dataclass(frozen=True)
class WideSpec:
    """A wide table: one label column down, periods across (like the 国家统计局 exports)."""

    label: str = "region"
    """What the label column holds: `region` (the indicator comes from a `指标：` line or the file
    name) or `indicator` (the region is the configured district unless a `地区：` line says)."""
    label_aliases: tuple[str, ...] = ("地区", "地区名称", "区县", "指标", "指标名称", "项目")


@dataclass(frozen=True)
class MeasureColumn:
    """One measure column of a `shape: measures` table: which indicator its figures are."""

    aliases: tuple[str, ...]
    """Header texts of the column, a two-row header joined `parent/child` (`工业总产值/本期`). A
    month range in the header matches `累计` (`工业总产值/1-9月累计` and `工业总产值/1-6月` match
    `工业总产值/累计`)."""
    indicator: str
    """The indicator: a catalog id or name (warehouse/catalog/indicators.yaml); another name loads
    as `ext.<name>` with a warning."""
    basis: str = "本期"
    """One of `MEASURE_BASES`."""
    unit: str | None = None
    """The unit the file writes this column in when neither its header nor the unit row says
    (a unit row listing several units, `单位：个，万元`, gives each column the one of its
    indicator's kind: 个 for a count, 万元 for money)."""


@dataclass(frozen=True)
class MeasuresSpec:
    """Several measures across, places down (a 分乡镇 table): each measure column is an indicator
    with its own basis and unit, every row a region of the district (or any place)."""

    columns: tuple[MeasureColumn, ...]
    label: str = "region"
    """What the rows hold: `region` (townships, development zones and parks, or any place)."""
    label_aliases: tuple[str, ...] = (
        "乡镇",
        "镇街",
        "乡镇（街道）",
        "镇（街道）",
        "乡镇（园区）",
        "地区",
        "区域",
    )
    """Header texts of the label column."""


@dataclass(frozen=True)
class SourceSpec:
    path: Path
    source: str
    """The source id (CONTRACT.md): enterprises, hightech, land_use, indicators, targets."""
    layout: str
    """This layout's name, unique within the source."""
    dataset: str
    """The tidy dataset it produces (etl/base/datasets.py)."""
    description: str = ""
    files: tuple[str, ...] = ("*",)
    """File-name patterns (fnmatch) this layout takes, e.g. `*台账*.xlsx`."""
    sheets: str = "*"
    """Sheet-name pattern; every matching sheet with a recognisable header is read."""
    shape: str = "rows"
    """`rows`: one record per row; `wide`: periods across, reshaped to long rows; `measures`:
    several measures across, places down, each measure cell one long row."""
    fields: tuple[FieldSpec, ...] = ()
    required_any: tuple[tuple[str, ...], ...] = ()
    """Groups of fields of which at least one must be present (e.g. one output figure)."""
    header_scan_rows: int = 30
    """How many rows from the top are searched for the header (never a fixed number of skips)."""
    total_labels: tuple[str, ...] = ("合计", "总计", "小计", "全区合计", "全区", "总计数")
    """Label-cell texts that mark a total row: kept as evidence for reconciliation, never loaded."""
    period_from: tuple[str, ...] = ("column", "sheet", "title", "file_name")
    """Where the period comes from, in order: a `period` field column, the sheet name, the title
    rows above the header, the file name."""
    period_required: bool = True
    blank_means: str = "missing"
    """`missing` (not reported) or `zero` (this table leaves zeros blank)."""
    constants: dict[str, Any] = field(default_factory=dict)
    """Values every row of this layout gets (e.g. `kind: linkage`)."""
    wide: WideSpec | None = None
    measures: MeasuresSpec | None = None
    """The measure columns of a `shape: measures` table."""
    coverage: str | None = None
    """Rosters (enterprise_periods): which enterprises the file covers when it has no 是否规上
    column — `above_scale` (规模以上 only) or `below_scale` (规下 only). Unset: the flag column,
    else the title (`规模以上…` → above_scale), else a warning that the 规上 status is unknown."""
    decimal: str | None = None
    """How a CSV of this layout writes decimals when the file does not say (`","`: `51,5` is 51.5;
    `"."`); unset, a number whose comma may be a decimal comma rejects the file (etl.read)."""
    alias_index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    """header_key(alias) → field name (derived from `fields`)."""

    def __post_init__(self) -> None:
        idx: dict[str, str] = {}
        for f in self.fields:
            for a in (f.name, *f.aliases):
                idx.setdefault(header_key(a), f.name)
        object.__setattr__(self, "alias_index", idx)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def takes_file(self, file_name: str) -> bool:
        return any(fnmatch.fnmatch(file_name, p) for p in self.files)


def _fields(raw: dict[str, Any], where: str) -> tuple[FieldSpec, ...]:
    out = []
    for name, body in (raw or {}).items():
        body = body or {}
        keys = {
            "aliases",
            "type",
            "unit",
            "default_unit",
            "required",
            "month_end",
            "lower_bound",
            "vocabulary",
            "values",
            "prefer",
        }
        unknown = set(body) - keys
        if unknown:
            raise SpecError(f"{where}: field {name!r} has unknown keys {sorted(unknown)}")
        ftype = body.get("type", "text")
        if ftype not in FIELD_TYPES:
            raise SpecError(f"{where}: field {name!r} type {ftype!r} is not one of {sorted(FIELD_TYPES)}")
        out.append(
            FieldSpec(
                name=name,
                aliases=tuple(body.get("aliases", ())),
                type=ftype,
                unit=body.get("unit"),
                default_unit=body.get("default_unit"),
                required=bool(body.get("required", False)),
                month_end=bool(body.get("month_end", False)),
                lower_bound=bool(body.get("lower_bound", False)),
                vocabulary=body.get("vocabulary"),
                values=_values(body.get("values"), f"{where}: field {name!r}"),
                prefer=tuple(body.get("prefer", ())),
            )
        )
    return tuple(out)


def _values(raw: Any, where: str) -> dict[str, tuple[str, ...]] | None:
    """A field's own vocabulary, checked: {canonical: [words]}."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not all(isinstance(v, list | tuple) for v in raw.values()):
        raise SpecError(f"{where}: values must be a mapping of canonical value → list of words")
    try:
        build_vocabulary(where, {k: list(v) for k, v in raw.items()})
    except ValueError as e:
        raise SpecError(f"{where}: {e}") from e
    return {k: tuple(v) for k, v in raw.items()}


def _with_vocabularies(fields: tuple[FieldSpec, ...], dataset: str, where: str) -> tuple[FieldSpec, ...]:
    """Fields with the vocabulary their dataset column uses by default, each name checked."""
    out = []
    for f in fields:
        name = f.vocabulary
        if name is None and f.values is None:
            name = vocabulary_for_column(dataset, f.name)
        if name is not None:
            try:
                vocabulary(name)
            except KeyError as e:
                raise SpecError(f"{where}: field {f.name!r}: {e.args[0]}") from None
        out.append(replace(f, vocabulary=name))
    return tuple(out)


def load_spec(path: Path) -> SourceSpec:
    """Read one spec file, checked against the schema and its dataset (etl.spec.schema);
    SpecError names the file and what is wrong."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise SpecError(f"{path}: cannot read spec: {one_line(e)}") from e
    check_raw(raw, path)
    wide = raw.get("wide")
    spec = SourceSpec(
        path=path,
        source=raw["source"],
        layout=raw["layout"],
        dataset=raw["dataset"],
        description=raw.get("description", ""),
        files=tuple(raw.get("files", ["*"])),
        sheets=raw.get("sheets", "*"),
        shape=raw.get("shape", "rows"),
        fields=_with_vocabularies(_fields(raw.get("fields", {}), str(path)), raw["dataset"], str(path)),
        required_any=tuple(tuple(g) for g in raw.get("required_any", [])),
        header_scan_rows=int(raw.get("header_scan_rows", 30)),
        total_labels=tuple(raw.get("total_labels", SourceSpec.total_labels)),
        period_from=tuple(raw.get("period_from", SourceSpec.period_from)),
        period_required=bool(raw.get("period_required", True)),
        blank_means=raw.get("blank_means", "missing"),
        constants=dict(raw.get("constants", {})),
        wide=WideSpec(**_tuples(wide)) if isinstance(wide, dict) else (WideSpec() if wide else None),
        measures=_measures(raw.get("measures")),
        coverage=raw.get("coverage"),
        decimal=raw.get("decimal"),
    )
    check_needs(raw, path)
    if spec.shape == "wide" and spec.wide is None:
        spec = replace(spec, wide=WideSpec())
    return spec


def one_line(e: Exception) -> str:
    return " ".join(str(e).split())


def _tuples(raw: dict[str, Any]) -> dict[str, Any]:
    """A mapping's lists as tuples (the frozen dataclasses' fields)."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}


def _measures(raw: dict[str, Any] | None) -> MeasuresSpec | None:
    """The measure columns of a `shape: measures` spec (already checked by the schema)."""
    if raw is None:
        return None
    columns = tuple(MeasureColumn(**_tuples(c)) for c in raw["columns"])
    return MeasuresSpec(columns=columns, **_tuples({k: v for k, v in raw.items() if k != "columns"}))


@cache
def builtin_specs() -> tuple[SourceSpec, ...]:
    return tuple(load_spec(p) for p in sorted(SPEC_DIR.glob("*.yaml")))


def source_ids() -> list[str]:
    return sorted({s.source for s in builtin_specs()})


def specs_for(source: str) -> list[SourceSpec]:
    """The layouts of a source id, or the one spec in a file when `source` is a path to a spec."""
    p = Path(source)
    if p.suffix in {".yaml", ".yml"} and p.exists():
        return [load_spec(p)]
    return [s for s in builtin_specs() if s.source == source]
