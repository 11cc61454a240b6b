"""The `Issue`: one problem found in a file, located by sheet, row and column.

`critical` issues reject the file, `row` issues quarantine a row, `warning` issues are recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

NOT_A_FIGURE = "〔不作数值〕"
"""Joins what a cell shows to why a reader refuses it as a figure (`etl.base.cells.not_a_figure`)."""


@dataclass
class Issue:
    """One problem found in a file: where it is, what rule it broke, and what to do."""

    severity: str  # critical / row / warning
    rule: str
    message: str
    sheet: str | None = None
    row: int | None = None  # 1-based spreadsheet row
    column: str | None = None  # header text or field name, with the column letter: "企业名称 (C)"
    value: str | None = None

    def __post_init__(self) -> None:
        """A reason is one line wherever it is shown (terminal, meta.rejections, Airflow's
        message): line breaks in the message (a header or a value quoted in it) are escaped. A
        value a reader marked as no figure (`cells.not_a_figure`) is shown as the cell shows it."""
        self.message = one_line(self.message)
        if isinstance(self.value, str) and NOT_A_FIGURE in self.value:
            self.value = self.value.split(NOT_A_FIGURE, 1)[0]

    @property
    def where(self) -> str:
        """`sheet S, row N, column C` — as much of it as is known."""
        parts = (
            self.sheet and f"sheet {self.sheet}",
            self.row and f"row {self.row}",
            self.column and f"column {self.column}",
        )
        return ", ".join(x for x in parts if x)

    def describe(self) -> str:
        """One line for a person: where, what is wrong, and the value found."""
        where = one_line(self.where)
        return f"{where + ': ' if where else ''}{self.message}" + (
            f" [value: {one_line(str(self.value))}]" if self.value else ""
        )


def one_line(text: str) -> str:
    """`text` with its line breaks (and other line separators) written as `\\n`, `\\r`."""
    if not isinstance(text, str):
        return text
    return (
        text.replace("\r", "\\r")
        .replace("\n", "\\n")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
