"""Name keys: the normal form used to compare names written by different departments.

Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that survive NFKC and are not `str.isspace()`: zero-width space/joiners,
# word joiner, BOM.
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")
_WHITESPACE = re.compile(r"\s+")
# NFKC already maps （）［］｛｝ to ASCII; these CJK brackets have no compatibility mapping.
_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "【": "[", "】": "]", "〖": "[", "〗": "]"})


def normalize_name(s: str | None) -> str:
    """The matching key of a name: NFKC (full-width → half-width), brackets half-width, no
    whitespace or invisible characters. `None`/NaN give "".

    >>> normalize_name("淮安市　华宇（集团） 有限公司")
    '淮安市华宇(集团)有限公司'
    """
    if s is None or (isinstance(s, float) and s != s):
        return ""
    text = unicodedata.normalize("NFKC", str(s)).translate(_BRACKETS)
    text = _WHITESPACE.sub("", _INVISIBLE.sub("", text))
    # Removing spaces can bring a combining mark next to a letter: compose again (idempotence).
    return unicodedata.normalize("NFKC", text)
