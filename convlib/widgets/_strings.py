"""The words the demos show: one table, one column per language.

The table is kept in ``strings/``, one JSON file per demo script
(``strings/shape_calculator.json`` for ``shape_calculator.js``) and
``strings/kit.json`` for the kit's own words and the argument checks'
sentences. Each maps a key -- the demo and the rule or message, e.g.
``"calc.span"`` -- to its text in each language, ``{"en": "..."}``.
A demo's module carries the kit's strings and its own (`table_for`);
the kit (kit.js) picks the column of the page's language
(``<html lang>``), English when there is none. The Python twins of the
demos take their sentences from the same table (`text`), so the two say
the same words. A second language is one more column in the files: no
demo changes; a change to one demo's words changes no other demo.

A text's ``{name}`` slots take the values given: integers with a true
minus sign, other numbers as ``repr`` writes them (as JavaScript's
``String`` does), text as it is.
"""
import json
import re
from pathlib import Path

from .._args import is_int

_FOLDER = Path(__file__).with_name("strings")
KIT_FILE = "kit"


def _read(folder):
    """({key: entry} of every file, {file stem: its keys})."""
    table, files = {}, {}
    for path in sorted(folder.glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        clash = set(entries) & set(table)
        if clash:
            raise ValueError(f"{path.name}: keys also in another strings "
                             f"file: {sorted(clash)}")
        table.update(entries)
        files[path.stem] = tuple(entries)
    return table, files


TABLE, FILES = _read(_FOLDER)
_SLOT = re.compile(r"\{(\w+)\}")
MINUS = "\u2212"


def show(value):
    """A value as a sentence shows it (the kit's ``show``)."""
    if is_int(value):
        return f"{MINUS}{-value}" if value < 0 else str(value)
    return repr(value) if isinstance(value, float) else str(value)


def table_for(scripts=()):
    """The part of `TABLE` a module holding the kit and `scripts` (demo
    script file names, e.g. ``"shape_calculator.js"``) needs: the kit's
    strings and each script's own."""
    stems = [KIT_FILE] + [Path(script).stem for script in scripts]
    return {key: TABLE[key] for stem in stems
            for key in FILES.get(stem, ())}


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
