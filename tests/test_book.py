"""Checks on the built book in _build/html, and on the book's sources.

Build first: ``jupyter-book build . -W -n --keep-going`` (``make book``).
Without a build the tests that need one fail, saying so.
"""
import codecs
import hashlib
import json
import re
import sys
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
import nbformat
import pytest
import yaml

from browser import BUILD_DIR, ROOT, require_build, toc_files, toc_pages

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import offline_book  # noqa: E402  (book/_ext/offline_book.py)

VENDOR = ROOT / "book" / "_vendor"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
# The one setting for the repository (scripts/setup_cell.py reads it too).
REPO_URL = CONFIG["repository"]["url"]
sys.path.insert(0, str(ROOT / "scripts"))
import setup_cell  # noqa: E402  (scripts/setup_cell.py)


@pytest.fixture(scope="module")
def html():
    """The build directory; fails the test if the book was not built."""
    return require_build()


def _edition(page, html):
    """The root of the edition `page` belongs to: the site, or its
    Chinese edition in zh/ (scripts/translations.py), whose pages load
    its own _static."""
    parts = page.relative_to(html).parts
    return html / "zh" if parts[:1] == ("zh",) else html


def _pages(html):
    return sorted(p for p in html.rglob("*.html")
                  if "_sources" not in p.relative_to(html).parts
                  and "_static" not in p.relative_to(html).parts)


# --- the build ---------------------------------------------------------------

def test_every_toc_document_has_a_page(html):
    missing = [p for p in toc_pages() if not (html / p).is_file()]
    assert not missing, f"toc documents without an HTML page: {missing}"


def test_the_build_logged_no_warning(html):
    log = html.parent / offline_book.WARNINGS_LOG
    assert log.is_file(), (
        f"{log} missing: it is written by book/_ext/offline_book.py at the "
        "end of every build; rebuild the book")
    assert log.stat().st_mtime >= (html / "index.html").stat().st_mtime - 60
    warnings = log.read_text(encoding="utf-8").strip()
    assert not warnings, f"the last build logged:\n{warnings}"


def test_no_page_or_stylesheet_loads_from_another_host(html):
    problems = offline_book.scan_output(html)
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


def test_no_page_mentions_a_cdn_in_a_script(html):
    # catches loaders that build the URL in inline JavaScript
    cdn = re.compile(r"cdn\.jsdelivr|unpkg\.com|cdnjs|googleapis|"
                     r"googletagmanager|plausible\.io|THEBE_JS_URL")
    found = {}
    for page in _pages(html):
        scripts = re.findall(r"<script\b[^>]*>(.*?)</script>",
                             page.read_text(encoding="utf-8"), re.S)
        hits = sorted({m for s in scripts for m in cdn.findall(s)})
        if hits:
            found[str(page.relative_to(html))] = hits
    assert not found, found


def test_pages_with_math_load_the_vendored_mathjax(html):
    with_math = 0
    for page in _pages(html):
        text = page.read_text(encoding="utf-8")
        if 'class="math' not in text:
            continue
        with_math += 1
        srcs = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', text)
        assert len(srcs) == 1, (page, srcs)
        local = (page.parent / srcs[0].split("?")[0]).resolve()
        static = _edition(page, html) / "_static"
        assert local == (static / "mathjax/tex-chtml.js").resolve()
        assert local.is_file()
    assert with_math >= 2  # at least the notation page and the glossary


def test_pages_with_widgets_load_the_vendored_widget_manager(html):
    order = ["requirejs/require.js", "require-config.js",
             "html-manager/embed-amd.js"]
    with_widgets = 0
    for page in _pages(html):
        text = page.read_text(encoding="utf-8")
        if "application/vnd.jupyter.widget-state+json" not in text:
            continue
        with_widgets += 1
        srcs = [s.split("?")[0] for s in
                re.findall(r'<script[^>]*\ssrc="([^"]*)"', text)]
        static = (_edition(page, html) / "_static").resolve()
        rel = [str((page.parent / s).resolve().relative_to(static))
               for s in srcs
               if (page.parent / s).resolve().is_relative_to(static)]
        positions = [rel.index(name) for name in order]
        assert positions == sorted(positions), (page, rel)
        for name in order + ["anywidget/index.js"]:
            assert (static / name).is_file(), name
    assert with_widgets >= 1, "no page embeds widget state"


def test_index_redirects_to_the_intro(html):
    text = (html / "index.html").read_text(encoding="utf-8")
    target = re.search(r'url=([^"\'>]+)', text).group(1)
    assert (html / target).is_file()
    assert target.endswith("intro.html")


def test_chapter_pages_have_launch_and_download_buttons(html):
    chapters = [f for f in toc_files() if f.startswith("chapters/")]
    assert chapters, "the toc has no chapter"
    for doc in chapters:
        text = (html / f"{doc}.html").read_text(encoding="utf-8")
        nb = f"{doc}.ipynb"
        repo = REPO_URL.removeprefix("https://github.com/")
        ref = CONFIG["repository"]["branch"]  # = repository.ref, the pin
        assert (f"https://colab.research.google.com/github/{repo}/blob/"
                f"{ref}/{nb}") in text, f"no Colab button on {doc}"
        # only services every reader can use: no Binder (it cannot build
        # this repository), no one institution's JupyterHub
        assert "mybinder.org" not in text, f"Binder button on {doc}"
        assert "hub/user-redirect" not in text, f"JupyterHub on {doc}"
        assert f"_sources/{nb}" in text, f"no .ipynb download on {doc}"
        assert (html / "_sources" / nb).is_file()


def test_search_page_and_index_exist(html):
    assert (html / "search.html").is_file()
    index = (html / "searchindex.js").read_text(encoding="utf-8")
    # words are stored stemmed ("recept"); documents by name
    assert '"book/glossary"' in index and '"recept"' in index


def test_bibliography_lists_every_entry(html):
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,]+),", bib, re.M)
    required = {"dumoulin2016guide", "yu2016dilated", "wang2018understanding",
                "araujo2019computing", "graham2014fractional",
                "chollet2017xception", "howard2017mobilenets",
                "zhang2018shufflenet", "krizhevsky2012imagenet",
                "odena2016deconvolution", "he2015delving", "xu2015empirical",
                "clevert2016elu", "klambauer2017selu", "hendrycks2016gelu",
                "misra2019mish", "ramachandran2017searching",
                "lecun1998gradient", "zeiler2014visualizing",
                "long2015fully", "lin2014network", "boureau2010theoretical"}
    assert required <= set(keys), required - set(keys)
    assert len(keys) == len(set(keys)), "duplicate bibtex keys"
    page = (html / "book" / "references.html").read_text(encoding="utf-8")
    page = page.replace("\xa0", " ")  # "van\xa0den Oord": style's tie
    surnames = re.findall(r"author\s*=\s*\{([^,]+),", bib)
    assert len(surnames) == len(keys)
    for surname in surnames:  # {{Stanford CS231n}}, Radenovi{\'c}
        surname = codecs.decode(surname, "ulatex").replace("{", "")
        surname = surname.replace("}", "")
        assert surname in page, f"{surname} missing from the bibliography"
    entries = re.findall(r'<div class="citation" id="', page)
    assert len(entries) == len(keys)


def test_glossary_has_the_required_terms_in_both_languages(html):
    page = (html / "book" / "glossary.html").read_text(encoding="utf-8")
    terms = {re.sub(r"<[^>]+>", "", t).strip()
             for t in re.findall(r"<dt[^>]*>(.*?)<a class=\"headerlink",
                                 page)}
    pairs = [
        ("convolution", "卷积"), ("cross-correlation", "互相关"),
        ("kernel", "卷积核"), ("filter", "滤波器"), ("weight", "权重"),
        ("MAC", "乘加运算"), ("normalised cross-correlation", "归一化互相关"),
        ("feature map", "特征图"), ("channel", "通道"),
        ("padding", "填充"), ("stride", "步长"),
        ("dilated convolution", "空洞卷积"), ("dilated convolution", "扩张卷积"),
        ("receptive field", "感受野"),
        ("depthwise separable convolution", "深度可分离卷积"),
        ("spatially separable convolution", "空间可分离卷积"),
        ("group convolution", "分组卷积"), ("channel shuffle", "通道混洗"),
        ("pointwise convolution", "逐点卷积"), ("1×1 convolution", "1×1 卷积"),
        ("transposed convolution", "转置卷积"), ("deconvolution", "反卷积"),
        ("checkerboard artifact", "棋盘效应"), ("gridding", "网格效应"),
        ("HDC", "混合空洞卷积"), ("pooling", "池化"),
        ("max pooling", "最大池化"), ("average pooling", "平均池化"),
        ("adaptive pooling", "自适应池化"),
        ("fractional max pooling", "分数最大池化"), ("LP pooling", "幂平均池化"),
        ("global pooling", "全局池化"), ("unpooling", "反池化"),
        ("fully connected layer", "全连接层"),
        ("activation function", "激活函数"), ("sigmoid", "S 型函数"),
        ("tanh", "双曲正切"), ("ReLU", "修正线性单元"),
        ("Leaky ReLU", "带泄露修正线性单元"), ("PReLU", "参数化修正线性单元"),
        ("RReLU", "随机修正线性单元"), ("ELU", "指数线性单元"),
        ("SELU", "缩放指数线性单元"), ("GELU", "高斯误差线性单元"),
        ("vanishing gradient", "梯度消失"), ("dying ReLU", "神经元死亡"),
        ("im2col", "图像块展开"), ("translation invariance", "平移不变性"),
        ("translation equivariance", "平移等变性"),
        ("parameter sharing", "参数共享"),
    ]
    missing = [t for pair in pairs for t in pair if t not in terms]
    assert not missing, f"glossary lacks {missing}"


def test_math_source_is_left_for_mathjax(html):
    # Sphinx wraps TeX in \( \) / \[ \] inside .math elements for MathJax
    notation = (html / "book" / "notation.html").read_text(encoding="utf-8")
    assert notation.count('class="math notranslate nohighlight"') >= 20
    assert "\\lfloor" in notation


# --- the sources -------------------------------------------------------------

def test_config_renders_stored_outputs_and_fails_on_errors():
    # outputs come from the notebooks, verified by nbval (make test) and
    # tests/test_stored_outputs.py (executed in order, no error, demos
    # saved with their current scripts)
    execute = CONFIG["execute"]
    assert execute["execute_notebooks"] == "off"
    assert execute["allow_errors"] is False
    assert CONFIG["only_build_toc_files"] is True
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", REPO_URL)
    assert CONFIG["launch_buttons"]["thebe"] is False
    sphinx = CONFIG["sphinx"]["config"]
    assert not any(re.match(r"https?:|//", str(k))
                   for k in sphinx["nb_ipywidgets_js"])
    assert not re.match(r"https?:|//", sphinx["mathjax_path"])


def test_vendored_files_match_their_checksums():
    listed = {}
    for line in (VENDOR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name.removeprefix("./")] = digest
    present = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*")
               if p.is_file() and p.name != "SHA256SUMS"}
    assert present == set(listed), present ^ set(listed)
    for name, digest in listed.items():
        data = (VENDOR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name


def test_vendored_files_are_small():
    sizes = {str(p.relative_to(VENDOR)): p.stat().st_size
             for p in VENDOR.rglob("*") if p.is_file()}
    assert max(sizes.values()) < 5 * 2**20, max(sizes, key=sizes.get)
    assert sum(sizes.values()) < 8 * 2**20


def test_vendored_anywidget_matches_the_installed_wheel():
    import anywidget

    wheel = Path(anywidget.__file__).parent / "nbextension" / "index.js"
    assert (VENDOR / "anywidget" / "index.js").read_bytes() == \
        wheel.read_bytes(), "re-run scripts/vendor_js.sh after upgrading"
    versions = (VENDOR / "VERSIONS").read_text()
    assert f"anywidget {anywidget.__version__}" in versions


def setup_cell_source():
    """The set-up cell every notebook starts with, as book/how_to_use shows."""
    nb = nbformat.read(ROOT / "book" / "how_to_use.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    block = re.search(r"\(setup-cell\)=.*?```python\n(.*?)```", text, re.S)
    return block.group(1).strip()


# The set-up cell's text, pin and behaviour (offline, on a Colab-like
# runtime) are tested in tests/test_setup_cell.py.


def test_every_notebook_starts_with_the_setup_cell():
    cell = setup_cell_source()
    # chapters and front matter; exercises follow their own convention
    notebooks = [f for f in toc_files() if (ROOT / f"{f}.ipynb").is_file()
                 and f.split("/")[0] in ("chapters", "book")]
    assert any(f.startswith("chapters/") for f in notebooks)
    for doc in notebooks:
        nb = nbformat.read(ROOT / f"{doc}.ipynb", as_version=4)
        first = next(c for c in nb.cells if c.cell_type == "code")
        assert first.source.strip() == cell, (
            f"{doc}.ipynb: the first code cell must be the set-up cell "
            "shown in book/how_to_use.ipynb, verbatim (make setup-cell)")
    assert setup_cell.stale() == []


def test_the_chinese_edition_has_every_page_and_the_font_its_characters():
    """_build/html/zh (scripts/translations.py build): a twin of every
    English page, and no character the vendored web font lacks."""
    import cjk_font  # scripts/cjk_font.py
    site = require_build()
    have = set((cjk_font.OUT / "CHARACTERS.txt").read_text("utf-8"))
    zh_pages = sorted((site / "zh").rglob("*.html"))
    english = {p.relative_to(site).as_posix() for p in site.rglob("*.html")
               if "zh" not in p.relative_to(site).parts[:1]}
    assert {p.relative_to(site / "zh").as_posix()
            for p in zh_pages} == english
    missing = set()
    for page in zh_pages:
        text = re.sub(r"<[^>]+>", " ", page.read_text("utf-8"))
        missing |= {c for c in text if cjk_font.is_cjk(c)} - have
    assert not missing, f"the font lacks {''.join(sorted(missing))}"
