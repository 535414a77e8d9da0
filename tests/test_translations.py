"""The Chinese edition (scripts/translations.py, locale/zh_CN/).

The catalogues must hold a checked translation of every message of the
English sources: nothing untranslated, fuzzy or obsolete; roles, inline
code, math and link targets as in the source; the glossary's Chinese
term wherever the source names its English. Each check is shown to
catch one deliberately broken translation. (The built Chinese pages are
checked in tests/test_book.py.)
"""
import io
import re
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import cjk_font  # noqa: E402
import language_switch  # noqa: E402
import translations  # noqa: E402

TERMS = {"convolution": "卷积", "pooling": "池化", "kernel": "卷积核"}


def _catalogue(pairs, fuzzy=(), comments=None):
    catalog = Catalog(locale="zh_CN")
    for msgid, msgstr in pairs.items():
        catalog.add(msgid, msgstr, flags=("fuzzy",) if msgid in fuzzy
                    else (), user_comments=(comments or {}).get(msgid, ()))
    return catalog


def _write(catalog, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    path.write_bytes(buffer.getvalue())


def _problems(tmp_path, source, translated, **kw):
    """problems() of one document whose source messages are `source`."""
    _write(_catalogue(dict.fromkeys(source, "")),
           tmp_path / "pot" / "chapters" / "x.pot")
    _write(_catalogue(translated, **kw),
           tmp_path / "locale" / "chapters" / "x.po")
    return [what for _, _, what in translations.problems(
        tmp_path / "pot", tmp_path / "locale", terms=TERMS)]


GOOD = {
    "A {term}`convolution` slides a kernel: $y = x \\star w$.":
        "{term}`卷积 <convolution>`滑动卷积核：$y = x \\star w$。",
    "Call `conv2d` as in [the docs](https://pytorch.org/docs).":
        "像[文档](https://pytorch.org/docs)那样调用 `conv2d`。",
}


def test_a_faithful_translation_has_no_problem(tmp_path):
    assert _problems(tmp_path, GOOD, GOOD) == []


@pytest.mark.parametrize("broken, expected", [
    ({**GOOD, next(iter(GOOD)): ""}, "untranslated"),
    ({k: v.replace("$y = x \\star w$", "$y = w \\star x$")
      for k, v in GOOD.items()}, "math differ"),
    ({k: v.replace("<convolution>", "<pooling>")
      for k, v in GOOD.items()}, "roles differ"),
    ({k: v.replace("`conv2d`", "`conv1d`") for k, v in GOOD.items()},
     "inline code differ"),
    ({k: v.replace("pytorch.org/docs", "pytorch.org/zh")
      for k, v in GOOD.items()}, "link targets differ"),
    ({k: v.replace("卷积核", "核") for k, v in GOOD.items()},
     "glossary: 'kernel' is '卷积核'"),
])
def test_each_check_catches_a_broken_translation(tmp_path, broken,
                                                 expected):
    assert expected in _problems(tmp_path, GOOD, broken)


def test_fuzzy_and_obsolete_entries_are_problems(tmp_path):
    stale = {**GOOD, "A sentence the source no longer has.": "旧句子。"}
    found = _problems(tmp_path, GOOD, stale, fuzzy=[next(iter(GOOD))])
    assert sorted(found) == ["fuzzy", "obsolete"]


def test_a_marked_exception_may_keep_a_term_in_english(tmp_path):
    source = {"The kernel of ReLU networks.": ""}
    translated = {"The kernel of ReLU networks.": "ReLU 网络的 kernel。"}
    assert _problems(tmp_path, source, translated) == [
        "glossary: 'kernel' is '卷积核'"]
    comments = {"The kernel of ReLU networks.": ["glossary-ok: kernel"]}
    assert _problems(tmp_path, source, translated,
                     comments=comments) == []


def test_the_glossary_gives_each_english_term_its_first_chinese_one():
    terms = translations.glossary()
    assert terms["average pooling"] == "平均池化"
    assert terms["batch"] == terms["mini-batch"] == "批量"
    assert len(terms) > 50


def test_update_carries_translations_and_drops_what_left(tmp_path):
    pot, locale = tmp_path / "pot", tmp_path / "locale"
    _write(_catalogue({"Old sentence one.": "", "Kept.": ""}),
           pot / "book" / "a.pot")
    _write(_catalogue({"Gone.": ""}), pot / "book" / "gone.pot")
    translations.update(pot, locale)
    catalog = translations.read_catalogue(locale / "book" / "a.po")
    catalog["Kept."].string = "保留。"
    catalog["Old sentence one."].string = "旧的第一句。"
    translations._write(catalog, locale / "book" / "a.po")
    _write(_catalogue({"Old sentence two.": "", "Kept.": ""}),
           pot / "book" / "a.pot")
    (pot / "book" / "gone.pot").unlink()
    translations.update(pot, locale)
    catalog = translations.read_catalogue(locale / "book" / "a.po")
    assert catalog["Kept."].string == "保留。"
    changed = catalog["Old sentence two."]
    assert changed.fuzzy and changed.string == "旧的第一句。"
    assert not (locale / "book" / "gone.po").exists()
    counts = translations.counts(pot, locale)["book/a"]
    assert (counts["translated"], counts["fuzzy"]) == (1, 1)


@pytest.mark.parametrize("page, language, href", [
    ("book/intro", "en", "../zh/book/intro.html"),
    ("chapters/01_convolution", "zh_CN",
     "../../chapters/01_convolution.html"),
    ("index", "en", "zh/index.html"),
])
def test_each_page_links_to_its_twin(page, language, href):
    assert language_switch.twin(page, language) == href


@pytest.fixture(scope="module")
def pot_dir(tmp_path_factory):
    return translations.extract(tmp_path_factory.mktemp("i18n"))


def test_every_message_of_the_book_is_translated_and_checked(pot_dir):
    found = translations.problems(pot_dir)
    table = translations.status_table(translations.counts(pot_dir))
    assert not found, (
        f"{len(found)} problem(s) in the Chinese catalogues; run `make "
        f"translations` and translate:\n{table}\nfirst: {found[:5]}")


def test_a_downloaded_notebook_gets_every_message_of_its_markdown():
    """translate_notebook (the Chinese download button's notebook) finds
    every message of each chapter in its Markdown cells: paragraphs over
    several lines, headings, list items, table cells, titles. Only
    messages written nowhere in the cells may stay: display math (kept
    as it is) and the alternative texts (cell metadata)."""
    import json
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        document = f"chapters/{path.stem}"
        catalog = translations.read_catalogue(
            translations.catalogue_path(document))
        for message in translations.entries(catalog):
            message.string, message.flags = "译" + message.id, set()
        notebook = json.loads(path.read_text("utf-8"))
        alts = json.dumps([c["metadata"].get("alt")
                           for c in notebook["cells"]])
        _, applied = translations.translate_notebook(notebook, catalog)
        left = {m.id for m in translations.entries(catalog)} - set(applied)
        left = {m for m in left if not re.fullmatch(r"\s*[^A-Za-z]*\s*", m)
                and json.dumps(m)[1:-1] not in alts
                and "\\" not in m}
        assert not left, (document, sorted(left)[:5])


def test_translate_markdown_keeps_structure_and_whole_lines():
    source = ("# Padding\n\nPadding adds zeros\naround the input.\n\n"
              "| op | Padding |\n|---|---|\n")
    messages = {"Padding": "填充", "Padding adds zeros around the input.":
                "填充在输入四周补零。", "op": "运算"}
    text, done = translations.translate_markdown(source, messages)
    assert text == ("# 填充\n\n填充在输入四周补零。\n\n"
                    "| 运算 | 填充 |\n|---|---|\n")
    assert sorted(done) == sorted(messages)


def test_the_glossary_check_reads_text_between_a_role_and_code():
    source = "See {doc}`notation`: the kernel size `k` matters."
    terms = {"kernel": "卷积核", "CNN": "卷积神经网络"}
    catalog = _catalogue({source: "见{doc}`notation`：核的大小 `k` 很重要。",
                          "A small CNN.": "一个小型 CNN。",
                          "One kernel.": "一个{term}`卷积核 <kernel>`。"})
    found = {m.id: translations.missing_terms(m, terms)
             for m in translations.entries(catalog)}
    assert found == {source: ["kernel"], "A small CNN.": [],
                     "One kernel.": []}


def _slots(text):
    return sorted(re.findall(r"\{(\w+)\}", text))


def test_every_demo_string_has_a_chinese_column_with_the_same_slots():
    """The demos speak the page's language (kit.js picks the column of
    <html lang>): every entry of convlib/widgets/strings/*.json has its
    "zh" text, with the same {slots} as the English."""
    import json
    problems = []
    for path in sorted((ROOT / "convlib" / "widgets" / "strings").glob(
            "*.json")):
        for key, entry in json.loads(path.read_text("utf-8")).items():
            zh = entry.get("zh", "")
            if not zh.strip():
                problems.append(f"{path.name}: {key}: no zh")
            elif _slots(zh) != _slots(entry["en"]):
                problems.append(f"{path.name}: {key}: slots {_slots(zh)} "
                                f"!= {_slots(entry['en'])}")
    assert not problems, f"{len(problems)} problem(s): {problems[:5]}"


@pytest.mark.parametrize("text, bad", [
    ("**动手试一试。**在下面的演示中", ["**动手试一试。**"]),
    ("**动手试一试**。在下面的演示中", []),
    ("这是**“最显著的”**特征", ["**“最显著的”**"]),
    ("（**权重**）和 *kernel size*，$a * b * c$", []),
])
def test_emphasis_that_markdown_would_leave_as_asterisks(text, bad):
    assert translations.unclosed_emphasis(text) == bad


def test_the_check_reports_unrendered_bold(tmp_path):
    source = {"**Try it.** Move the slider.": ""}
    broken = {"**Try it.** Move the slider.": "**动手试一试。**移动滑块。"}
    assert _problems(tmp_path, source, broken) == [
        "emphasis Markdown will not render: **动手试一试。**"]
