"""Rebuild the book's Chinese web font: exactly the CJK characters it uses.

The book shows Chinese terms beside the English ones. A reader whose
machine has no CJK font would see empty boxes ("tofu") for them, so the
book ships its own font: a subset of Noto Sans CJK SC (SIL Open Font
License 1.1) holding only the CJK characters found in the book's sources,
as WOFF2, with a stylesheet that uses it for those characters only
(``unicode-range``). It is written to ``book/_vendor/cjk-font/`` and
listed in ``book/_vendor/SHA256SUMS``.

Run it whenever a page gains a Chinese character (``tests/test_cjk_font.py``
fails until you do)::

    make cjk-font            # = .venv/bin/python scripts/cjk_font.py
    .venv/bin/python scripts/cjk_font.py --check   # exit 1 if out of date

The full font comes from Debian's ``fonts-noto-cjk`` package: used in place
when it is installed, otherwise fetched with ``apt-get download`` and
unpacked into a temporary folder (nothing is installed). Subsetting needs
fontTools and brotli (pinned in requirements.txt).
"""
import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "book" / "_vendor"
OUT = VENDOR / "cjk-font"
FONT_FILE = "noto-sans-cjk-sc-subset.woff2"
FAMILY = "CNN Book CJK"
DEB = "fonts-noto-cjk"
TTC = "usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
COPYRIGHT = "usr/share/doc/fonts-noto-cjk/copyright"
FACE = "Noto Sans CJK SC"  # the Simplified Chinese face of the collection
# CJK blocks: radicals, symbols and punctuation, kana, unified ideographs
# (with extension A and B+), compatibility ideographs, full-width forms.
RANGES = [(0x2E80, 0x2FDF), (0x3000, 0x30FF), (0x3400, 0x4DBF),
          (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF),
          (0x20000, 0x2FFFF)]
# The pages whose text the book shows (notebooks: sources and outputs).
SOURCES = ["book/*.md", "book/*.ipynb", "book/references.bib",
           "chapters/*.ipynb", "exercises/*.ipynb", "_config.yml",
           "_toc.yml"]


def is_cjk(char):
    """True if `char` is in one of the CJK blocks of RANGES."""
    return any(lo <= ord(char) <= hi for lo, hi in RANGES)


def _text(path):
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":  # decode JSON escapes such as \u5377
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return text


def source_characters(root=ROOT):
    """The sorted string of CJK characters in the book's sources."""
    chars = set()
    for pattern in SOURCES:
        for path in sorted(root.glob(pattern)):
            chars.update(c for c in _text(path) if is_cjk(c))
    return "".join(sorted(chars))


def font_characters(path):
    """The characters the font file at `path` maps to glyphs."""
    from fontTools.ttLib import TTFont

    return {chr(code) for code in TTFont(path).getBestCmap()}


def _unpack_deb(tmp):
    """Download fonts-noto-cjk with apt and unpack it into `tmp`."""
    subprocess.run(["apt-get", "download", DEB], cwd=tmp, check=True)
    deb = next(Path(tmp).glob(f"{DEB}_*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(deb), str(tmp)], check=True)
    return Path(tmp)


def _face_index(ttc):
    """Index of the Simplified Chinese face in the collection."""
    from fontTools.ttLib import TTCollection

    for i, font in enumerate(TTCollection(ttc).fonts):
        if font["name"].getDebugName(1) == FACE:
            return i
    raise SystemExit(f"cjk_font: no face named {FACE!r} in {ttc}")


def subset(ttc, chars, out):
    """Write the WOFF2 subset of `ttc` holding `chars`, renamed FAMILY."""
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    font = TTFont(ttc, fontNumber=_face_index(ttc), lazy=False)
    options = ft_subset.Options()
    options.flavor = "woff2"
    # no OpenType features: horizontal Chinese needs none, and they would
    # pull in the vertical and regional (locl) alternates
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    sub = ft_subset.Subsetter(options)
    sub.populate(text=chars)
    sub.subset(font)
    name = font["name"]
    for record in list(name.names):  # a modified font gets its own name
        if record.nameID in (1, 4, 16):
            name.setName(FAMILY, record.nameID, record.platformID,
                         record.platEncID, record.langID)
        if record.nameID in (3, 6):
            name.setName(FAMILY.replace(" ", "") + "-Regular",
                         record.nameID, record.platformID,
                         record.platEncID, record.langID)
    font.flavor = "woff2"
    font.save(out)
    return font["name"].getDebugName(0)  # the copyright notice


def _unicode_range():
    return ", ".join(f"U+{lo:X}-{hi:X}" for lo, hi in RANGES)


def stylesheet():
    """The @font-face rule and the theme's font stacks with FAMILY first.

    Because of ``unicode-range`` the browser uses the font for CJK
    characters only; everything else keeps the theme's fonts.
    """
    return f"""/* The book's Chinese font: scripts/cjk_font.py writes this file. */
@font-face {{
  font-family: "{FAMILY}";
  src: url("{FONT_FILE}") format("woff2");
  unicode-range: {_unicode_range()};
  font-display: block;
}}
html {{
  --pst-font-family-base: "{FAMILY}", var(--pst-font-family-base-system);
  --pst-font-family-heading: "{FAMILY}",
    var(--pst-font-family-base-system);
  --pst-font-family-monospace: "{FAMILY}",
    var(--pst-font-family-monospace-system);
}}
"""


def _licence(copyright_file, notice):
    text = Path(copyright_file).read_text(encoding="utf-8")
    # the stand-alone licence paragraph: the licence's name, then its text
    # indented by one space ("." for a blank line), as Debian writes it
    body = re.search(r"^License: SIL-1\.1\n((?:[ \t].*\n)+)", text,
                     re.M).group(1)
    lines = [line[1:] if line.startswith(" ") else line
             for line in body.splitlines()]
    lines = ["" if line == "." else line for line in lines]
    return (f"{FONT_FILE}: a subset of Noto Sans CJK SC (Debian package "
            f"{DEB}),\nrenamed \"{FAMILY}\", made by scripts/cjk_font.py."
            f"\n\n{notice}\n\n" + "\n".join(lines).strip() + "\n")


def _write_checksums():
    files = sorted(p for p in VENDOR.rglob("*")
                   if p.is_file() and p.name != "SHA256SUMS")
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  "
             f"./{p.relative_to(VENDOR).as_posix()}" for p in files]
    (VENDOR / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def missing_characters():
    """CJK characters of the sources that the vendored font lacks."""
    font = OUT / FONT_FILE
    have = font_characters(font) if font.is_file() else set()
    return "".join(c for c in source_characters() if c not in have)


def build():
    chars = source_characters()
    with tempfile.TemporaryDirectory() as tmp:
        installed = (Path("/") / TTC).is_file()
        base = Path("/") if installed else _unpack_deb(tmp)
        OUT.mkdir(parents=True, exist_ok=True)
        notice = subset(base / TTC, chars, OUT / FONT_FILE)
        (OUT / "LICENSE").write_text(_licence(base / COPYRIGHT, notice))
    (OUT / "cjk.css").write_text(stylesheet())
    (OUT / "CHARACTERS.txt").write_text(chars + "\n", encoding="utf-8")
    _write_checksums()
    size = (OUT / FONT_FILE).stat().st_size
    print(f"{OUT / FONT_FILE}: {len(chars)} characters, {size} bytes")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report characters the font lacks")
    args = parser.parse_args(argv)
    if args.check:
        missing = missing_characters()
        if missing:
            print(f"cjk_font: the font lacks {missing!r}; run "
                  "`make cjk-font`", file=sys.stderr)
        return 1 if missing else 0
    build()
    return 0


if __name__ == "__main__":
    sys.exit(main())
