"""The book's Chinese web font (scripts/cjk_font.py, book/_vendor/cjk-font).

The font must hold every CJK character the book's pages use, and only
those: a page that gains a Chinese term fails here until the font is
rebuilt with ``make cjk-font``. That it really renders in a browser is
checked in tests/test_browser.py.
"""
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import cjk_font  # noqa: E402  (scripts/cjk_font.py)

FONT = cjk_font.OUT / cjk_font.FONT_FILE
CSS = cjk_font.OUT / "cjk.css"


def test_is_cjk_knows_ideographs_punctuation_and_latin():
    assert all(map(cjk_font.is_cjk, "卷积核，（）。"))
    assert not any(map(cjk_font.is_cjk, "a×−é∑ "))


def test_the_sources_use_chinese_and_the_glossary_is_read(tmp_path):
    chars = cjk_font.source_characters()
    assert "卷" in chars and "积" in chars and len(chars) > 100
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "x.md").write_text("池化 pooling", "utf-8")
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "n.ipynb").write_text(
        '{"cells": [{"source": ["\\u5377"]}]}', "utf-8")
    assert cjk_font.source_characters(tmp_path) == "".join(
        sorted("池化卷"))


def test_font_has_every_cjk_character_of_the_sources():
    missing = cjk_font.missing_characters()
    assert not missing, (f"the Chinese font lacks {missing!r}: run "
                         "`make cjk-font` (scripts/cjk_font.py)")


def test_font_has_only_the_characters_of_the_sources():
    held = {c for c in cjk_font.font_characters(FONT) if cjk_font.is_cjk(c)}
    extra = held - set(cjk_font.source_characters())
    assert not extra, f"no page uses {sorted(extra)}: run make cjk-font"


def test_font_is_a_small_woff2_with_its_licence():
    assert FONT.read_bytes()[:4] == b"wOF2"
    # The Chinese edition (issue 34) shows about 1 100 characters: the
    # subset stays near 180 bytes a character and under 400 KB in all.
    characters = len((cjk_font.OUT / "CHARACTERS.txt").read_text("utf-8"))
    assert FONT.stat().st_size < min(250 * characters + 20_000, 400_000)
    licence = (cjk_font.OUT / "LICENSE").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert "Reserved Font Name" in licence or "Copyright" in licence


def test_font_is_renamed_as_a_modified_version():
    from fontTools.ttLib import TTFont

    name = TTFont(FONT)["name"]
    assert name.getDebugName(1) == cjk_font.FAMILY
    assert "Noto" not in name.getDebugName(4)


def test_stylesheet_declares_the_font_for_cjk_only():
    css = CSS.read_text(encoding="utf-8")
    assert css == cjk_font.stylesheet()
    face = re.search(r"@font-face \{(.*?)\}", css, re.S).group(1)
    assert f'font-family: "{cjk_font.FAMILY}"' in face
    assert f'url("{cjk_font.FONT_FILE}")' in face
    assert "U+4E00-9FFF" in face and "U+0" not in face


def test_the_book_loads_the_stylesheet():
    config = yaml.safe_load((ROOT / "_config.yml").read_text("utf-8"))
    sphinx = config["sphinx"]["config"]
    assert "cjk-font/cjk.css" in sphinx["html_css_files"]
    assert "book/_vendor" in sphinx["html_static_path"]


# --- reproducible, and no download unless needed ----------------------------

def test_a_rebuild_gives_the_same_bytes(tmp_path):
    """Same characters, same source font -> same bytes, a second later too
    (fontTools would stamp head.modified with the time of saving)."""
    import time

    import matplotlib
    from fontTools.ttLib import TTFont

    source = (Path(matplotlib.get_data_path()) / "fonts" / "ttf"
              / "DejaVuSans.ttf")
    first, second = tmp_path / "a.woff2", tmp_path / "b.woff2"
    cjk_font.subset(source, "convolution", first)
    time.sleep(1.1)  # head.modified counts seconds
    cjk_font.subset(source, "convolution", second)
    assert first.read_bytes() == second.read_bytes()
    assert (TTFont(first)["head"].modified
            == TTFont(source)["head"].modified)


def test_an_up_to_date_font_is_left_alone_and_nothing_downloaded(
        monkeypatch, capsys):
    def no_download(*args):
        raise AssertionError("downloaded although the font is up to date")

    monkeypatch.setattr(cjk_font, "_unpack_deb", no_download)
    monkeypatch.setattr(cjk_font, "subset", no_download)
    assert cjk_font.up_to_date(), "run make cjk-font"
    assert cjk_font.main([]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_the_download_is_announced_with_its_size(monkeypatch):
    fields = {"Size": "56547048", "Version": "1:20220127+repack1-1"}
    monkeypatch.setattr(cjk_font, "_apt_field", fields.get)
    notice = cjk_font.download_notice()
    assert "fonts-noto-cjk 1:20220127+repack1-1 (56.5 MB)" in notice
    assert str(cjk_font.cache_dir()) in notice
