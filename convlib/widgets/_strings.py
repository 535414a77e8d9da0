"""The words the demos show: one table, one column per language.

``strings.json`` maps a key -- the demo and the rule or message, e.g.
``"calc.span"`` -- to its text in each language, ``{"en": "..."}``.
The kit (kit.js) receives the whole table and picks the column of the
page's language (``<html lang>``), English when there is none; the
Python twins of the demos take their sentences from the same table
(`text`), so the two say the same words. A second language is one more
column in the file: no demo changes.

A text's ``{name}`` slots take the values given: integers with a true
minus sign, other numbers as ``repr`` writes them (as JavaScript's
``String`` does), text as it is.
"""
import json
import re
from pathlib import Path

from .._args import is_int

TABLE = json.loads((Path(__file__).with_name("strings.json"))
                   .read_text(encoding="utf-8"))
_SLOT = re.compile(r"\{(\w+)\}")
MINUS = "\u2212"


def show(value):
    """A value as a sentence shows it (the kit's ``show``)."""
    if is_int(value):
        return f"{MINUS}{-value}" if value < 0 else str(value)
    return repr(value) if isinstance(value, float) else str(value)


def text(key, lang="en", **params):
    """The text of `key` in `lang` (else English), slots filled.

    Raises
    ------
    KeyError
        For a key the table does not hold or a slot without a value.
    """
    entry = TABLE[key]
    template = entry.get(lang) or entry["en"]

    def slot(match):
        name = match.group(1)
        if name not in params:
            raise KeyError(f"string {key!r} needs {name!r}")
        return show(params[name])
    return _SLOT.sub(slot, template)
