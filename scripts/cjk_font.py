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
    .venv/bin/python scripts/cjk_font.py --force   # rebuild even so

When the font already holds exactly the characters of the sources it
does nothing (and downloads nothing). The build is reproducible: the same
characters and the same Debian package give the same bytes (the subset
keeps the source font's timestamps; WOFF2's Brotli output is
deterministic), so a rebuild makes no spurious binary diff.

The full font comes from Debian's ``fonts-noto-cjk`` package: used in place
when it is installed; otherwise the script says what it downloads and how
big it is (56.5 MB for 1:20220127+repack1-1), fetches it with ``apt-get
download`` into ``~/.cache/cnn-layers-interactively/`` (kept for the next
run; nothing is installed) and unpacks it into a temporary folder.
Subsetting needs fontTools and brotli (pinned in requirements.txt).
"""
import argparse
import hashlib
import json
import os
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
           "_toc.yml",
           # the Chinese edition's text and the demos' string table
           "locale/*/LC_MESSAGES/**/*.po", "convlib/widgets/strings/*.json",
           # the Chinese build's own words (title, language switch)
           "scripts/translations.py", "book/_ext/language_switch.py"]


def is_cjk(char):
    """True if `char` is in one of the CJK blocks of RANGES."""
    return any(lo <= ord(char) <= hi for lo, hi in RANGES)


def _text(path):
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":  # decode JSON escapes such as \u5377
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return text


_CJK = re.compile("[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}"
                                for lo, hi in RANGES) + "]")


def source_characters(root=ROOT):
    """The sorted string of CJK characters in the book's sources."""
    chars = set()
    for pattern in SOURCES:
        for path in sorted(root.glob(pattern)):
            chars.update(_CJK.findall(_text(path)))
    return "".join(sorted(chars))


def font_characters(path):
    """The characters the font file at `path` maps to glyphs."""
    from fontTools.ttLib import TTFont

    return {chr(code) for code in TTFont(path).getBestCmap()}


def cache_dir():
    """Where a downloaded package is kept: $XDG_CACHE_HOME or ~/.cache."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cnn-layers-interactively"


def _apt_field(name):
    """Field `name` of the candidate fonts-noto-cjk in apt's lists, or ''."""
    try:
        shown = subprocess.run(["apt-cache", "show", "--no-all-versions",
                                DEB], capture_output=True, text=True).stdout
    except FileNotFoundError:
        return ""
    match = re.search(rf"^{name}: (.*)$", shown, re.M)
    return match.group(1).strip() if match else ""


def download_notice():
    """One sentence: what the build downloads, and how big it is."""
    size, version = _apt_field("Size"), _apt_field("Version")
    big = f"{int(size) / 1e6:.1f} MB" if size.isdigit() else "size unknown"
    return (f"cjk_font: the full font is needed and is not installed: "
            f"downloading Debian's {DEB} {version} ({big}) with apt-get "
            f"into {cache_dir()} (kept for the next run; nothing is "
            "installed)")


def _cached_deb():
    """The package in the cache (downloaded now if it is not there)."""
    folder = cache_dir()
    version = _apt_field("Version").replace(":", "%3a")
    found = sorted(folder.glob(f"{DEB}_{version or '*'}_*.deb"))
    if found:
        print(f"cjk_font: using {found[-1]} (downloaded before)")
        return found[-1]
    print(download_notice(), flush=True)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # no writable home: download into a temporary folder
        folder = Path(tempfile.mkdtemp(prefix="cjk-font-"))
    subprocess.run(["apt-get", "download", DEB], cwd=folder, check=True)
    return sorted(folder.glob(f"{DEB}_*.deb"))[-1]


def _unpack_deb(tmp):
    """Unpack fonts-noto-cjk (cached or downloaded) into `tmp`."""
    deb = _cached_deb()
    subprocess.run(["dpkg-deb", "-x", str(deb), str(tmp)], check=True)
    version = subprocess.run(["dpkg-deb", "-f", str(deb), "Version"],
                             capture_output=True, text=True).stdout.strip()
    return Path(tmp), version


def _installed_version():
    done = subprocess.run(["dpkg-query", "-W", "-f=${Version}", DEB],
                          capture_output=True, text=True)
    return done.stdout.strip()


def _open_face(path):
    """The face FACE of a collection (.ttc), or the font at `path`."""
    from fontTools.ttLib import TTCollection, TTFont

    # recalcTimestamp=False: keep head.modified as the source has it, so
    # that the same characters give the same bytes on every run
    if Path(path).read_bytes()[:4] != b"ttcf":
        return TTFont(path, recalcTimestamp=False, lazy=False)
    for i, font in enumerate(TTCollection(path).fonts):
        if font["name"].getDebugName(1) == FACE:
            return TTFont(path, fontNumber=i, recalcTimestamp=False,
                          lazy=False)
    raise SystemExit(f"cjk_font: no face named {FACE!r} in {path}")


def subset(source, chars, out):
    """Write the WOFF2 subset of `source` holding `chars`, renamed FAMILY.

    Deterministic: the same `source` and `chars` give the same bytes.
    """
    from fontTools import subset as ft_subset

    font = _open_face(source)
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


def _licence(copyright_file, notice, version):
    text = Path(copyright_file).read_text(encoding="utf-8")
    # the stand-alone licence paragraph: the licence's name, then its text
    # indented by one space ("." for a blank line), as Debian writes it
    body = re.search(r"^License: SIL-1\.1\n((?:[ \t].*\n)+)", text,
                     re.M).group(1)
    lines = [line[1:] if line.startswith(" ") else line
             for line in body.splitlines()]
    lines = ["" if line == "." else line for line in lines]
    return (f"{FONT_FILE}: a subset of Noto Sans CJK SC (Debian package "
            f"{DEB} {version}),\nrenamed \"{FAMILY}\", made by "
            "scripts/cjk_font.py."
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


def up_to_date():
    """True if the font was made for exactly the sources' characters."""
    listed = OUT / "CHARACTERS.txt"
    return ((OUT / FONT_FILE).is_file() and listed.is_file()
            and (OUT / "LICENSE").is_file()
            and listed.read_text("utf-8").strip() == source_characters()
            and (OUT / "cjk.css").read_text("utf-8") == stylesheet())


def build():
    chars = source_characters()
    with tempfile.TemporaryDirectory() as tmp:
        if (Path("/") / TTC).is_file():
            base, version = Path("/"), _installed_version()
        else:
            base, version = _unpack_deb(tmp)
        OUT.mkdir(parents=True, exist_ok=True)
        notice = subset(base / TTC, chars, OUT / FONT_FILE)
        (OUT / "LICENSE").write_text(_licence(base / COPYRIGHT, notice,
                                              version))
    (OUT / "cjk.css").write_text(stylesheet())
    (OUT / "CHARACTERS.txt").write_text(chars + "\n", encoding="utf-8")
    _write_checksums()
    size = (OUT / FONT_FILE).stat().st_size
    print(f"{OUT / FONT_FILE}: {len(chars)} characters, {size} bytes")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report characters the font lacks")
    parser.add_argument("--force", action="store_true",
                        help="rebuild even if the font is up to date")
    args = parser.parse_args(argv)
    if args.check:
        missing = missing_characters()
        if missing:
            print(f"cjk_font: the font lacks {missing!r}; run "
                  "`make cjk-font`", file=sys.stderr)
        return 1 if missing else 0
    if up_to_date() and not args.force:
        print(f"cjk_font: {OUT / FONT_FILE} already holds exactly the "
              f"{len(source_characters())} CJK characters of the sources; "
              "nothing to do (nothing downloaded)")
        return 0
    build()
    return 0


if __name__ == "__main__":
    sys.exit(main())
