"""The reference pages: glossary, notation, references; licence, citation.

What issue 33 asked of them, held in place: the glossary's Chinese terms
follow established usage (the Chinese edition of Dive into Deep Learning,
PyTorch's Chinese docs) with the alternatives listed; every work a
chapter names is cited through the bibliography; one citation style, the
one "How to use" describes; no arXiv link printed twice; no author markup
or author-facing section on a reader's page; a licence and a valid
CITATION.cff.
"""
import json
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from browser import require_build

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text("utf-8"))
BIB = (BOOK / "references.bib").read_text("utf-8")
KEYS = set(re.findall(r"^@\w+\{([^,]+),", BIB, re.M))
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
CITE = re.compile(r"\{cite:[pt]\}`([^`]*)`")


def _glossary():
    """{English or Chinese term: the entry's set of terms}."""
    text = (BOOK / "glossary.md").read_text("utf-8")
    body = re.search(r"```\{glossary\}\n:sorted:\n(.*?)```", text, re.S)
    entries = {}
    for block in re.split(r"\n\s*\n", body.group(1).strip()):
        terms = [t for t in block.splitlines() if not t.startswith("  ")]
        for term in terms:
            entries[term] = set(terms)
    return entries


@pytest.mark.parametrize("english, chinese", [
    ("batch", "批量"), ("epoch", "轮"), ("epoch", "迭代周期"),
    ("sigmoid", "sigmoid 函数"), ("stride", "步幅"), ("stride", "步长"),
    ("pooling", "池化"), ("pooling", "汇聚"), ("max pooling", "最大汇聚"),
    ("dilated convolution", "空洞卷积"), ("dilated convolution", "膨胀卷积"),
    ("dying ReLU", "死亡 ReLU"), ("feature map", "特征图"),
    ("SiLU", "Sigmoid 线性单元"), ("Swish", "Swish 函数"),
])
def test_the_glossary_uses_the_established_chinese_terms(english, chinese):
    assert chinese in _glossary()[english]


def _entry(term):
    text = (BOOK / "glossary.md").read_text("utf-8")
    return re.search(rf"^{re.escape(term)}\n(?:\S.*\n)*((?:  .*\n)+)", text,
                     re.M).group(1)


def test_the_glossary_credits_silu_and_bounds_lp_pooling():
    silu = _entry("SiLU")
    for key in ("hendrycks2016gelu", "elfwing2018sigmoid",
                "ramachandran2017searching"):
        assert key in silu
    assert r"\sigma(\beta x)" in silu
    lp = _entry("LP pooling")
    assert "non-negative" in lp and "NaN" in lp


def test_lp_pooling_is_as_the_glossary_says():
    """max pooling only for non-negative inputs; NaN for odd p."""
    import torch
    import torch.nn.functional as F

    x = torch.tensor([[[[-1.0, 2.0], [-3.0, 0.5]]]])
    assert F.lp_pool2d(x, 50, 2).item() == pytest.approx(3.0)  # max |x|
    assert torch.isnan(F.lp_pool2d(-x.abs(), 3, 2)).all()
    assert F.lp_pool2d(x.abs(), 50, 2).item() == pytest.approx(3.0)


def test_notation_says_what_pytorch_counts_and_names():
    text = (BOOK / "notation.md").read_text("utf-8")
    assert "FlopCounterMode" in text and "2 \\times$ MACs" in text
    assert "it means MACs" not in text
    assert "`lower`, `upper`" in text and "`init`" in text
    assert "three meanings" in text


def test_flop_counter_counts_two_flops_per_mac():
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    x, w = torch.randn(1, 3, 8, 8), torch.randn(4, 3, 3, 3)
    with FlopCounterMode(display=False) as counter:
        torch.nn.functional.conv2d(x, w)
    macs = 6 * 6 * 4 * 3 * 3 * 3
    assert counter.get_total_flops() == 2 * macs


# --- citations ---------------------------------------------------------------

def _markdown(path):
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _cited(text):
    return {k.strip() for m in CITE.finditer(text) for k in m.group(1)
            .split(",")}


def test_every_citation_has_an_entry():
    pages = [_markdown(p) for p in CHAPTERS] + [
        p.read_text("utf-8") for p in BOOK.glob("*.md")]
    missing = set().union(*map(_cited, pages)) - KEYS
    assert not missing, missing


# A work named in a chapter's prose, and the entry it must cite there.
NAMED = {
    r"\bResNet": "he2016deep", r"[Bb]atch normali[sz]ation": "ioffe2015batch",
    r"\bSiLU\b": "elfwing2018sigmoid", r"DeepLab": "chen2017rethinking",
    r"LR-ASPP": "howard2019searching", r"\bMobileNet\b": "howard2017mobilenets",
    r"\bShuffleNet\b": "zhang2018shufflenet", r"\bAlexNet\b":
    "krizhevsky2012imagenet", r"\bVGG": "simonyan2015very", r"\bLeNet\b":
    "lecun1998gradient", r"\bSegNet\b": "badrinarayanan2017segnet",
    r"\bFCN\b|[Ff]ully convolutional network": "long2015fully",
    r"Network in Network": "lin2014network", r"\bGraham\b":
    "graham2014fractional", r"\bAdam\b": "kingma2015adam", r"\bdropout\b":
    "srivastava2014dropout", r"MNIST-1D": "greydanus2020scaling",
    r"CIFAR-10": "krizhevsky2009learning",
    r"handwritten\s+digits": "alpaydin1998optical",
}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_work_a_chapter_names_is_cited_there(path):
    text = _markdown(path)
    cited = _cited(text)
    plain = CITE.sub("", text)
    missing = [f"{pattern} -> {key}" for pattern, key in NAMED.items()
               if re.search(pattern, plain) and key not in cited]
    assert not missing, missing
    assert not re.search(r"\b[A-Z][a-z]+ (et al\.,? )?(19|20)\d\d\b", plain), (
        "an author and year in plain text: cite the work instead")


def test_an_arxiv_paper_is_linked_once():
    for entry in re.split(r"(?m)^@", BIB)[1:]:
        if "eprint" in entry:
            assert "url" not in entry, entry.splitlines()[0]
        assert "arxiv.org" not in entry, entry.splitlines()[0]


def test_one_citation_style_the_one_how_to_use_describes():
    sphinx = CONFIG["sphinx"]["config"]
    # numbered in the text and on the References page
    assert sphinx["bibtex_reference_style"] == "label"
    assert sphinx["bibtex_default_style"] in ("plain", "unsrt")
    how_to = _markdown(BOOK / "how_to_use.ipynb")
    assert "cited by number" in how_to
    references = (BOOK / "references.md").read_text("utf-8")
    assert "numbered" in references
    assert "chapter topics" not in references  # a promise it did not keep


def test_the_built_pages_number_citations_like_the_references(html):
    page = (html / "chapters" / "05_pooling.html").read_text("utf-8")
    refs = (html / "book" / "references.html").read_text("utf-8")
    number = re.search(
        r'id="(id\d+)" role="(?:doc-biblioentry|listitem)">\s*'
        r'<span class="label">'
        r'<span class="fn-bracket">\[</span>(\d+)<span class="fn-bracket">'
        r'\]</span></span>\s*(?:<span class="backrefs">.*?</span>\s*)?'
        r'<p>Benjamin Graham', refs)
    assert number, "Graham's entry is not numbered on the References page"
    assert "backrefs" not in refs, "the References page cites itself"
    link = re.search(rf'href="../book/references.html#{number.group(1)}"'
                     r'[^>]*>(.*?)</a>', page, re.S)
    assert link and re.sub("<[^>]+>", "", link.group(1)).strip() == \
        number.group(2)


# --- what a reader sees -------------------------------------------------------

@pytest.fixture(scope="module")
def html():
    return require_build()


READER_PAGES = ["book/intro.html", "book/how_to_use.html",
                "book/notation.html", "book/glossary.html",
                "book/references.html"]


@pytest.mark.parametrize("page", READER_PAGES)
def test_no_author_markup_or_author_section_on_a_reader_page(html, page):
    text = (html / page).read_text("utf-8")
    body = re.search(r'<article class="bd-article"[^>]*>(.*?)</article>',
                     text, re.S).group(1)
    words = re.sub(r"<[^>]+>", " ", body)
    for markup in ("{term}", "{cite:", "{doc}", "{cite}"):
        assert markup not in words, f"{page} shows {markup}"
    assert not re.search(r"(?i)for authors|chapter authors", words), page


def test_licence_and_citation_file():
    licence = (ROOT / "LICENSE").read_text("utf-8")
    assert "MIT License" in licence and "Permission is hereby granted" in \
        licence
    assert "CC BY-SA 4.0" in licence and \
        "creativecommons.org/licenses/by-sa/4.0" in licence
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text("utf-8"))
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):
        assert cff[key], key
    assert all("name" in a or "family-names" in a for a in cff["authors"])
    assert set(cff["license"]) == {"MIT", "CC-BY-SA-4.0"}
    assert cff["repository-code"] == CONFIG["repository"]["url"]
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml")
                        .read_text(), re.M).group(1)
    assert str(cff["version"]) == version
    json.dumps(cff)  # plain data, no YAML-only types
