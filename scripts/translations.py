"""The Chinese edition (中文版): one source, gettext catalogues, checks.

The English notebooks and pages are the only source. Sphinx's gettext
builder extracts their messages (a paragraph, a heading, a list item, an
admonition's title ...); the Chinese text of each lives in a catalogue,
``locale/zh_CN/LC_MESSAGES/<document>.po`` (one per document, e.g.
``chapters/01_convolution.po``), kept with Babel. The Chinese build reads
them (Sphinx compiles them to ``.mo`` files, which git ignores) and never
executes a notebook: like the English one, it shows the stored outputs.

    make translations    # extract, update the catalogues, list the work
    .venv/bin/python scripts/translations.py build    # Chinese HTML
    .venv/bin/python scripts/translations.py check    # exit 1 on problems
    .venv/bin/python scripts/translations.py export chapters/01_convolution
        > todo.json   # what needs work, as JSON; fill in "zh", then
    .venv/bin/python scripts/translations.py import chapters/01_convolution
        todo.json

``make translations`` (= ``update``) merges the fresh messages into the
catalogues: a new message arrives empty, a changed one arrives marked
fuzzy with the old translation to revise (Babel's fuzzy matching), and
a message that left the source is dropped. It ends with a table of what
needs translating. ``build`` (run by ``make book``) writes the Chinese
book to ``_build/zh/_build/html`` and copies it to ``_build/html/zh``.
``check`` lists every problem :func:`problems` finds; tests/
test_translations.py runs the same checks on every ``make test``.
"""
import argparse
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LANGUAGE = "zh_CN"
LOCALE = ROOT / "locale" / LANGUAGE / "LC_MESSAGES"
BUILD = ROOT / "_build"
POT_BUILD = BUILD / "i18n"              # jupyter-book --path-output
ZH_BUILD = BUILD / "zh"
ZH_SUBDIR = "zh"                        # the edition's folder in the site
PROJECT = "CNN Layers, Interactively"
# The page chrome's words in Chinese where the themes have none: the
# code cells' toggles (myst-nb), the dropdowns' hints (sphinx-togglebutton)
# and the search box.
CHROME = {"nb_code_prompt_show": "显示代码", "nb_code_prompt_hide": "隐藏代码",
          "togglebutton_hint": "点击显示", "togglebutton_hint_hide": "点击隐藏"}
# A translator's comment that lets a message leave a glossary term in
# English (e.g. a name such as "ReLU"): "# glossary-ok: <english term>".
GLOSSARY_OK = "glossary-ok:"


# ---- extracting and updating -------------------------------------------

def _jupyter_book():
    return str(Path(sys.executable).with_name("jupyter-book"))


def extract(out=POT_BUILD):
    """Run Sphinx's gettext builder over the book; the .pot folder.

    One template per document (``gettext_compact: false`` in
    _config.yml), without source locations, so a template changes only
    when a message does.
    """
    subprocess.run([_jupyter_book(), "build", str(ROOT), "--builder",
                    "custom", "--custom-builder", "gettext",
                    "--path-output", str(out), "-q"],
                   check=True, stdout=subprocess.DEVNULL)
    return Path(out) / "_build" / "gettext"


def templates(pot_dir):
    """{document name: template Catalog} of every .pot under `pot_dir`."""
    found = {}
    for path in sorted(Path(pot_dir).rglob("*.pot")):
        name = path.relative_to(pot_dir).with_suffix("").as_posix()
        with path.open("rb") as file:
            found[name] = read_po(file)
    return found


def catalogue_path(document, locale=LOCALE):
    """The .po file of `document` (e.g. ``chapters/01_convolution``)."""
    return Path(locale) / f"{document}.po"


def read_catalogue(path):
    """The Catalog at `path` (a .po file), obsolete entries included."""
    with Path(path).open("rb") as file:
        return read_po(file, locale=LANGUAGE)


def _write(catalog, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=79, no_location=True,
                 omit_header=False, ignore_obsolete=True,
                 include_previous=True)


def new_catalogue(document):
    """An empty Chinese catalogue for `document`, with a plain header."""
    return Catalog(
        locale=LANGUAGE, project=PROJECT, version="", fuzzy=False,
        copyright_holder="the cnn-layers-interactively authors",
        msgid_bugs_address="", last_translator="",
        language_team="", header_comment=(
            f"# Chinese edition of {document}\n"
            "# Text under CC BY-SA 4.0, as the English (LICENSE).\n"
            "# Refresh with `make translations`; see scripts/"
            "translations.py."))


def update(pot_dir, locale=LOCALE):
    """Merge the templates into the catalogues; remove orphans.

    Returns the list of catalogues written (new or changed).
    """
    written = []
    found = templates(pot_dir)
    for document, template in found.items():
        path = catalogue_path(document, locale)
        catalog = (read_catalogue(path) if path.exists()
                   else new_catalogue(document))
        catalog.update(template, update_creation_date=False)
        _write(catalog, path)
        written.append(path)
    for path in sorted(Path(locale).rglob("*.po")):
        document = path.relative_to(locale).with_suffix("").as_posix()
        if document not in found:
            path.unlink()
    return written


# ---- the state of each catalogue ----------------------------------------

def entries(catalog):
    """The catalogue's messages (the header left out)."""
    return [message for message in catalog if message.id]


def counts(pot_dir, locale=LOCALE):
    """{document: Counter(messages, translated, fuzzy, untranslated,
    obsolete)} against the fresh templates."""
    table = {}
    for document, template in templates(pot_dir).items():
        wanted = {message.id for message in entries(template)}
        path = catalogue_path(document, locale)
        catalog = read_catalogue(path) if path.exists() else None
        have = {m.id: m for m in entries(catalog)} if catalog else {}
        row = Counter(messages=len(wanted))
        for msgid in wanted:
            message = have.get(msgid)
            if message is None or not message.string:
                row["untranslated"] += 1
            elif message.fuzzy:
                row["fuzzy"] += 1
            else:
                row["translated"] += 1
        row["obsolete"] = len(set(have) - wanted) + (
            len(catalog.obsolete) if catalog else 0)
        table[document] = row
    return table


def status_table(table):
    """The counts as a plain-text table, one line per document."""
    columns = ("messages", "translated", "fuzzy", "untranslated",
               "obsolete")
    width = max(len(name) for name in table) if table else 8
    lines = [f"{'document':<{width}}  " + "  ".join(f"{c:>12}"
                                                    for c in columns)]
    for document, row in table.items():
        lines.append(f"{document:<{width}}  " + "  ".join(
            f"{row[c]:>12}" for c in columns))
    total = sum(table.values(), Counter())
    lines.append(f"{'total':<{width}}  " + "  ".join(
        f"{total[c]:>12}" for c in columns))
    return "\n".join(lines)


# ---- what a translation must keep ---------------------------------------

_ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
_CODE = re.compile(r"(?<![}`])`([^`]+)`(?!`)")
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$")
_LINK = re.compile(r"\]\(([^)\s]+)\)|<(https?://[^>]+)>")
_TARGET = re.compile(r"<([^<>]+)>\s*$")


def role_targets(text):
    """The roles of `text` with their targets, as a sorted list.

    ``{term}`卷积 <convolution>``` and ``{term}`convolution``` have the
    same target; what a role shows may be translated, where it points
    may not.
    """
    found = []
    for role, body in _ROLE.findall(text):
        target = _TARGET.search(body)
        found.append((role, (target.group(1) if target else body).strip()))
    return sorted(found)


def code_spans(text):
    """The inline code of `text` (roles' bodies excluded), sorted."""
    return sorted(_CODE.findall(_ROLE.sub("", text)))


def math_spans(text):
    """The $...$ and $$...$$ math of `text`, sorted."""
    display = _DISPLAY_MATH.findall(text)
    rest = _DISPLAY_MATH.sub("", _ROLE.sub("", text))
    rest = _CODE.sub("", rest)
    return sorted(display) + sorted(_INLINE_MATH.findall(rest))


def link_targets(text):
    """The targets of Markdown links and autolinks in `text`, sorted."""
    return sorted(a or b for a, b in _LINK.findall(text))


# A message never starts with a list marker (Markdown took it off), so
# a translation that does ("1. 输出尺寸") is read as a list and dropped.
_LIST_START = re.compile(r"(\d+[.)]|[-+*])\s")
_EMPHASIS = re.compile(r"(\*\*|\*)(?=\S)(.+?)(?<=\S)\1")


def _is_punct(char):
    import unicodedata
    return unicodedata.category(char)[0] in "PS"


def unclosed_emphasis(text):
    """The **bold** or *italic* spans of `text` that Markdown will not
    render: CommonMark opens a run only if the character after it is not
    punctuation or the one before is space or punctuation, and closes it
    likewise, so ``**动手试一试。**在`` stays literal asterisks (the
    full-width stop before the closing run, a letter after it)."""
    def blank(match):   # its delimiters are punctuation: "§", kept apart
        return "§" + "x" * (len(match.group(0)) - 2) + "§"
    plain = text
    for pattern in (_ROLE, _CODE, _DISPLAY_MATH, _INLINE_MATH):
        plain = pattern.sub(blank, plain)
    bad = []
    for match in _EMPHASIS.finditer(plain):
        start, end = match.start(), match.end()
        before = plain[start - 1] if start else " "
        after = plain[end] if end < len(plain) else " "
        first, last = match.group(2)[0], match.group(2)[-1]
        opens = not _is_punct(first) or before.isspace() or _is_punct(before)
        closes = not _is_punct(last) or after.isspace() or _is_punct(after)
        if not (opens and closes):
            bad.append(match.group(0))
    return bad


KEPT = {"roles": role_targets, "inline code": code_spans,
        "math": math_spans, "link targets": link_targets}


def kept_differences(source, translation):
    """[what differs] between a message and its translation."""
    return [name for name, spans in KEPT.items()
            if spans(source) != spans(translation)]


# ---- glossary terms ----------------------------------------------------

_CJK_CHAR = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff"
                       r"\uff00-\uffef]")


def glossary(path=ROOT / "book" / "glossary.md"):
    """{English term: the book's Chinese term} from the glossary page.

    An entry is its term lines (English first, then Chinese, the first
    Chinese one being the book's term) followed by an indented
    definition.
    """
    return {term: chinese[0] for term, chinese in _entries(path).items()}


def aligned_terms(path=ROOT / "book" / "glossary.md"):
    """{English term: its own Chinese term} for an entry that pairs its
    English synonyms with Chinese ones in order ("global pooling", "global
    average pooling" / 全局池化, 全局平均池化): the second English term's
    Chinese is the second Chinese one. A translation may use it instead
    of the entry's first."""
    aligned, entries = {}, _entries(path)
    for term, chinese in entries.items():
        english = [t for t, c in entries.items() if c is chinese]
        index = english.index(term)
        if 0 < index < len(chinese):
            aligned[term] = chinese[index]
    return aligned


def _entries(path):
    """{English term: the entry's Chinese terms, a list shared by the
    entry's English terms}, in the glossary's order."""
    text = Path(path).read_text(encoding="utf-8")
    block = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    terms, header = {}, []
    for line in block.splitlines():
        if not line.strip() or line.startswith(":"):
            header = []
            continue
        if line.startswith((" ", "\t")):
            english = [t for t in header if not _CJK_CHAR.search(t)]
            chinese = [t for t in header if _CJK_CHAR.search(t)]
            if chinese:
                for term in english:
                    terms[term] = chinese
            header = []
            continue
        header.append(line.strip())
    return terms


def _mentions(text, term):
    plain = _CODE.sub("", _display_text(text))
    plain = _INLINE_MATH.sub("", _DISPLAY_MATH.sub("", plain))
    return re.search(rf"(?<![\w-]){re.escape(term)}(?:s|es)?(?![\w-])",
                     plain, re.I) is not None


def missing_terms(message, terms, aligned=None):
    """Glossary terms whose English the source names and whose Chinese
    the translation lacks (leaving out terms inside longer ones found,
    and those a ``# glossary-ok: <term>`` comment excuses). The
    translation is read as shown (a role by its text); an acronym or
    name (CNN, ReLU), or a term whose Chinese keeps the English name
    ("sigmoid 函数"), may also stand as the English."""
    excused = {c.split(GLOSSARY_OK, 1)[1].strip().lower()
               for c in message.user_comments if GLOSSARY_OK in c}
    named = [term for term in terms if _mentions(message.id, term)]
    named = [t for t in named if not any(
        t.lower() != u.lower() and t.lower() in u.lower() for u in named)]
    shown = _display_text(message.string)
    aligned = {} if aligned is None else aligned
    return [t for t in named if t.lower() not in excused
            and terms[t] not in shown and aligned.get(t, terms[t]) not in shown
            and not ((_is_name(t) or t.lower() in terms[t].lower())
                     and t.lower() in shown.lower())]


def _display_text(text):
    """`text` as the reader sees its words: a role shows its text."""
    def shown(match):
        body = match.group(2)
        return _TARGET.sub("", body).strip() if _TARGET.search(body) \
            else body
    return _ROLE.sub(shown, text)


def _is_name(term):
    """An acronym or name such as CNN, ReLU, Leaky ReLU, which Chinese
    texts write as it is: every word capitalised, two or more capitals."""
    return (all(word[0].isupper() for word in term.split())
            and sum(c.isupper() for c in term) >= 2)


# ---- all the checks ---------------------------------------------------

def problems(pot_dir, locale=LOCALE, terms=None):
    """Every problem of the catalogues, as (document, message, what).

    What: untranslated, fuzzy, obsolete (in the catalogue, not in the
    source), a translation whose roles, inline code, math or link
    targets differ from its source, bold or italic that Markdown will
    not render, and glossary terms missing.
    """
    aligned = aligned_terms() if terms is None else {}
    terms = glossary() if terms is None else terms
    found = []
    for document, template in templates(pot_dir).items():
        wanted = {m.id for m in entries(template)}
        path = catalogue_path(document, locale)
        catalog = read_catalogue(path) if path.exists() else None
        have = {m.id: m for m in entries(catalog)} if catalog else {}
        for msgid in sorted(wanted):
            message = have.get(msgid)
            if message is None or not message.string:
                found.append((document, msgid, "untranslated"))
                continue
            if message.fuzzy:
                found.append((document, msgid, "fuzzy"))
            for what in kept_differences(msgid, message.string):
                found.append((document, msgid, f"{what} differ"))
            if _LIST_START.match(message.string):
                found.append((document, msgid, "starts like a list item "
                              "(write 1\\. for a heading's number)"))
            for span in unclosed_emphasis(message.string):
                found.append((document, msgid,
                              f"emphasis Markdown will not render: {span}"))
            if msgid in terms or msgid.startswith("\n"):
                continue   # a glossary entry's own term line, display math
            for term in missing_terms(message, terms, aligned):
                found.append((document, msgid,
                              f"glossary: {term!r} is {terms[term]!r}"))
        stale = set(have) - wanted
        stale |= {m.id for m in (catalog.obsolete.values()
                                 if catalog else ())}
        found += [(document, msgid, "obsolete") for msgid in sorted(stale)]
    return found


# ---- the notebooks a Chinese reader downloads ---------------------------

# What may stand before a message on its line in Markdown: a heading's
# hashes, a list bullet or number, a quote mark, a directive's opening
# (whose title is a message).
_LINE_START = (r"^([ \t]*(?:#{1,6}[ \t]+|[-*+][ \t]+|\d+\.[ \t]+"
               r"|>[ \t]*|(?::{3,}|`{3,})\{[^}]*\}[ \t]*)?)")


def _pattern(msgid):
    """A message as a whole line (after `_LINE_START`) or a table cell."""
    # words go over lines; a block quote's next lines start with ">"
    words = r"(?:[ \t]*\n[ \t]*>?)?\s+".join(
        re.escape(word) for word in msgid.split())
    return re.compile(f"(?m){_LINE_START}{words}[ \\t]*$"
                      f"|(\\|[ \\t]*){words}(?=[ \\t]*\\|)")


def translate_markdown(source, messages):
    """Markdown `source` with each message (msgid -> msgstr) replaced.

    A message is a paragraph, heading, list item or title, written in
    the source over one or more lines; Sphinx joins the lines with
    spaces. Longer messages go first, so a heading "Padding" is not
    replaced inside a paragraph that contains the word. Returns the new
    source and the msgids replaced.
    """
    done = []
    for msgid, msgstr in sorted(messages.items(), key=lambda m: -len(m[0])):
        if not msgstr or msgstr == msgid:
            continue
        new, count = _pattern(msgid).subn(
            lambda m: (m.group(1) or m.group(2) or "") + msgstr, source)
        if count:
            source = new
            done.append(msgid)
    return source, done


def translate_notebook(notebook, catalog):
    """A notebook (parsed JSON) with its Markdown in the catalogue's
    language; the msgids that were applied."""
    messages = {m.id: m.string for m in entries(catalog)
                if m.string and not m.fuzzy}
    applied = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"]) if isinstance(
            cell["source"], list) else cell["source"]
        text, done = translate_markdown(text, messages)
        cell["source"] = text
        applied += done
    return notebook, applied


def translate_sources(site, locale=LOCALE):
    """Rewrite the notebooks under ``site/_sources`` (the download
    button's files) in Chinese; {document: messages applied}."""
    report = {}
    for path in sorted(Path(site, "_sources").rglob("*.ipynb")):
        document = path.relative_to(Path(site, "_sources")).with_suffix("")
        po = catalogue_path(document.as_posix(), locale)
        if not po.exists():
            continue
        notebook = json.loads(path.read_text(encoding="utf-8"))
        notebook, applied = translate_notebook(notebook, read_catalogue(po))
        path.write_text(json.dumps(notebook, ensure_ascii=False, indent=1)
                        + "\n", encoding="utf-8")
        report[document.as_posix()] = applied
    return report


# ---- the Chinese build ----------------------------------------------------

def zh_config(out=ZH_BUILD):
    """Write _config.yml with the Chinese language; its path."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text("utf-8"))
    config["sphinx"]["config"]["language"] = LANGUAGE
    # jupyter-book finds local extensions beside the config file
    extensions = config["sphinx"]["local_extensions"]
    for name, folder in extensions.items():
        extensions[name] = str(ROOT / folder)
    root = yaml.safe_load((ROOT / "_toc.yml").read_text("utf-8"))["root"]
    title = read_catalogue(catalogue_path(root)).get(config["title"])
    config["title"] = (title.string if title is not None and title.string
                       else config["title"] + " · 中文版")
    # words of the page chrome that Sphinx's own catalogues lack
    config["sphinx"]["config"].update(CHROME)
    config["sphinx"]["config"]["html_theme_options"]["search_bar_text"] = (
        "搜索本书……")
    out.mkdir(parents=True, exist_ok=True)
    path = out / "_config.yml"
    path.write_text("# Generated by scripts/translations.py from "
                    "_config.yml: do not edit.\n"
                    + yaml.safe_dump(config, allow_unicode=True,
                                     sort_keys=False), encoding="utf-8")
    return path


def zh_toc(out=ZH_BUILD, locale=LOCALE):
    """Write _toc.yml with the parts' captions in Chinese; its path.

    The captions are messages of the root page's catalogue (its
    toctree), but sphinx-external-toc adds them after Sphinx has
    translated the page, so the Chinese table of contents takes them
    from the catalogue here.
    """
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text("utf-8"))
    catalog = read_catalogue(catalogue_path(toc["root"], locale))
    for part in toc.get("parts", []):
        message = catalog.get(part["caption"])
        if message is not None and message.string and not message.fuzzy:
            part["caption"] = message.string
    out.mkdir(parents=True, exist_ok=True)
    path = out / "_toc.yml"
    path.write_text("# Generated by scripts/translations.py from _toc.yml: "
                    "do not edit.\n" + yaml.safe_dump(
                        toc, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def build(flags=("-W", "-n", "--keep-going"), site=BUILD / "html"):
    """Build the Chinese book and copy it into ``site/zh``."""
    subprocess.run([_jupyter_book(), "build", str(ROOT), "--config",
                    str(zh_config()), "--toc", str(zh_toc()),
                    "--path-output", str(ZH_BUILD), *flags], check=True)
    target = Path(site) / ZH_SUBDIR
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(ZH_BUILD / "_build" / "html", target)
    # Sphinx keeps a static file the output already has, and the font
    # changes whenever a translation gains a character: copy it afresh.
    shutil.copytree(ROOT / "book" / "_vendor" / "cjk-font",
                    target / "_static" / "cjk-font", dirs_exist_ok=True)
    translate_sources(target)
    return target


# ---- exchanging work with a translator ---------------------------------

def export_todo(document, locale=LOCALE):
    """The messages of `document` that need work, as JSON-ready dicts:
    ``{"id": msgid, "zh": current translation, "fuzzy": bool}``."""
    catalog = read_catalogue(catalogue_path(document, locale))
    return [{"id": m.id, "zh": m.string, "fuzzy": m.fuzzy}
            for m in entries(catalog) if not m.string or m.fuzzy]


def import_done(document, items, locale=LOCALE):
    """Write translations (dicts with "id" and "zh", and optionally
    "glossary_ok": [English terms the translation may leave out, e.g.
    "kernel" in "Python kernel"]) into `document`'s catalogue, clearing
    their fuzzy marks; the number written.

    Raises
    ------
    KeyError
        For an id the catalogue does not hold (the source changed:
        run `make translations` and export again).
    """
    path = catalogue_path(document, locale)
    catalog = read_catalogue(path)
    written = 0
    for item in items:
        if not item.get("zh"):
            continue
        message = catalog.get(item["id"])
        if message is None:
            raise KeyError(f"{document}: no message {item['id'][:60]!r}")
        message.string = item["zh"]
        message.flags.discard("fuzzy")
        for term in item.get("glossary_ok", ()):
            comment = f"{GLOSSARY_OK} {term}"
            if comment not in message.user_comments:
                message.user_comments.append(comment)
        written += 1
    _write(catalog, path)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["update", "build", "check",
                                            "status", "export", "import"])
    parser.add_argument("document", nargs="?",
                        help="export/import: e.g. chapters/01_convolution")
    parser.add_argument("file", nargs="?",
                        help="import: a JSON list from export, filled in")
    args = parser.parse_args(argv)
    if args.command == "export":
        json.dump(export_todo(args.document), sys.stdout,
                  ensure_ascii=False, indent=1)
        return 0
    if args.command == "import":
        items = json.loads(Path(args.file).read_text(encoding="utf-8"))
        print(f"{import_done(args.document, items)} translation(s) "
              f"written to {catalogue_path(args.document)}")
        return 0
    if args.command == "build":
        print(f"The Chinese edition is in {build()}")
        return 0
    pot_dir = extract()
    if args.command == "update":
        written = update(pot_dir)
        print(f"{len(written)} catalogue(s) updated in "
              f"{LOCALE.relative_to(ROOT)}")
    print(status_table(counts(pot_dir)))
    if args.command == "check":
        found = problems(pot_dir)
        for document, msgid, what in found:
            short = msgid if len(msgid) < 70 else msgid[:67] + "..."
            print(f"{document}: {what}: {short!r}")
        print(f"{len(found)} problem(s)")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
