"""Draft a source spec for an unfamiliar spreadsheet (`statwh spec draft FILE`).

`draft_spec(path)` reads a departmental file that no layout reads yet and writes the YAML a data
engineer would start from, with everything it could not decide marked `# TODO(person): …` (and
listed in `DraftResult.undecided`). It never guesses silently: every choice carries a comment that
says what it was based on.

How it reads the file, without a spec:

1. **Header.** Each of the top rows is scored by how many of its cells are short text labels
   (not numbers, not dates, not repeated in the column below) standing over columns that hold
   values. A second header row is taken when merged ranges say so (a parent merged across its
   children, or single cells merged down over both rows) or, without merge information (CSV),
   when the row below holds only labels sitting under the gaps of a parent (`工业总产值 | ∅` over
   `本月 | 本年累计`). Names are joined `parent/child` by `etl.extract.header_names`, exactly as
   extraction will join them.
2. **Wide tables.** A row with at least two period-like cells (`2024年`, `2025年1-6月`, `2024.0`)
   over columns of figures is a wide table (`shape: wide`, dataset `indicator_obs`).
3. **Rows below.** Totals (合计/总计/小计), `其中` parts and notes (注：, 数据来源：) are recognised
   with `etl.extract.classify_row`; the rest are the data rows whose content is sniffed.
4. **Fields.** An alias index over ALL existing specs, per dataset, matches headers to fields.
   Every dataset is then tried: exact alias matches count most, then columns whose *content*
   has a home in the dataset (18-character strings valid as 统一社会信用代码 → `credit_code`;
   township names resolving with `RegionResolver` → the region field; dates → the date field;
   figures → a number field whose unit converts from the header's unit; 是/否 → a flag), with
   header similarity to the known aliases to choose among several candidates. The best dataset
   wins; its closest existing layout lends types, units, `required`, `required_any`,
   `constants` and `period_from`.
5. **Units and periods.** Units from header brackets, a `单位：` row, an `指标：` line or the file
   name (the order extraction uses); the period from a period column, the sheet name, the title
   rows or the file name (`etl.base.cells.parse_period`).
6. **Trial.** The draft is loaded with `etl.spec.model.load_spec` and the file extracted with it;
   the outcome is written at the top of the YAML.

The package exports `draft_spec`, `DraftResult` and `DraftColumn`; the CLI (`statwh spec draft`)
writes `DraftResult.yaml_text`. The modules, in the order a file goes through them: `draft`
(`draft_spec`: choose the sheet, then the trial), `cell_kinds` (one cell), `header` and `wide`
(steps 1-2), `content` (step 3), `aliases` and `assign` (step 4), `rows` and `wide_draft` (the two
drafts, with step 5), `yaml_writer` (the YAML with its comments), `results` (what a draft returns).
"""

from etl.draft.draft import draft_spec
from etl.draft.results import DraftColumn, DraftResult

__all__ = ["DraftColumn", "DraftResult", "draft_spec"]
