"""What a reader sees on a built page: the checks of the reading rules.

A helper for ``tests/test_browser.py`` (which opens every page once and
runs these checks on it), not a test file. On an open page (a
:class:`browser.Visit`) :func:`reading_report` measures, with every
collapsed cell and dropdown opened:

- ``wide_outputs``: code-cell outputs wider than their box in a 1280-px
  window (a scrollbar inside the output, or content sticking out of it);
- ``boolean_outputs``: outputs with a line made only of ``True``/``False``
  tokens (an assertion shown to the reader);
- ``progress_bars``: progress bars saved in an output (a widget
  progress bar, a ``<progress>`` element or a tqdm text bar);
- ``bad_alt``: images in the page's content whose alternative text is
  empty or a file name;
- ``page_width_390``: how much wider than a 390-px phone screen the page
  is (0 when it fits), measured after resizing the same page.

:func:`axe_report` runs axe-core (vendored in ``tests/_vendor/axe-core``)
and returns its violations grouped by impact.

Run it by hand for a table of counts per page (the built book first)::

    .venv/bin/python tests/reading.py            # every page of the toc
    .venv/bin/python tests/reading.py chapters/04_dilated_hdc.html --json
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
AXE_DIR = HERE / "_vendor" / "axe-core"
AXE_JS = AXE_DIR / "axe.min.js"
AXE_VERSION = "4.14.1"
DESKTOP = (1280, 900)
PHONE = (390, 844)
# Impacts that fail the test; "moderate" and "minor" are reported only.
AXE_FAILING = ("critical", "serious")

_OPEN_EVERYTHING_JS = """() => {
  for (const d of document.querySelectorAll('details')) d.open = true;
  for (const e of document.querySelectorAll('.toggle-hidden'))
    e.classList.remove('toggle-hidden');
}"""

_READING_REPORT_JS = r"""() => {
  const describe = (el) => {
    const cell = el.closest('.cell');
    const code = cell && cell.querySelector('.cell_input pre');
    const first = code ? code.textContent.trim().split('\n')[0] : '';
    return first.slice(0, 70) || el.textContent.trim().slice(0, 70);
  };
  const outputs = [...document.querySelectorAll('.cell_output')];
  const report = {outputs: outputs.length, wide_outputs: [],
                  boolean_outputs: [], progress_bars: [], bad_alt: []};
  for (const out of outputs) {
    const box = out.getBoundingClientRect();
    if (box.width === 0) continue;            // not displayed
    let wide = out.scrollWidth > out.clientWidth + 1;
    for (const el of out.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      const style = getComputedStyle(el);
      const scrolls = ['auto', 'scroll'].includes(style.overflowX);
      if ((scrolls && el.scrollWidth > el.clientWidth + 1) ||
          r.right > box.right + 1 || r.left < box.left - 1) {
        wide = true;
        break;
      }
    }
    if (wide) report.wide_outputs.push(describe(out));
  }
  const textOutputs = document.querySelectorAll(
    '.cell_output .output pre, .cell_output .output_area pre');
  for (const pre of textOutputs) {
    const lines = pre.textContent.split('\n');
    const boolean = lines.some(line => {
      const tokens = line.split(/[\s,;:()\[\]{}'"]+/).filter(t => t);
      return tokens.length > 0 &&
             tokens.every(t => t === 'True' || t === 'False');
    });
    if (boolean) report.boolean_outputs.push(describe(pre));
    if (/\d+%\|[^|\n]*\|/.test(pre.textContent))
      report.progress_bars.push('text bar: ' + describe(pre));
  }
  const bars = document.querySelectorAll(
    '.cell_output .widget-hprogress, .cell_output .widget-vprogress,' +
    ' .cell_output progress, .cell_output [role=progressbar]');
  for (const bar of bars) report.progress_bars.push('widget: ' +
                                                    describe(bar));
  // progress-bar models saved in the page, drawn or not
  let models = 0;
  for (const s of document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-state+json"]'))
    models += (s.textContent.match(
      /"model_name": ?"(Float|Int)ProgressModel"/g) || []).length;
  for (let i = bars.length; i < models; i++)
    report.progress_bars.push('a progress-bar model in the widget state');
  const content = document.querySelector('main, article, .bd-article, body');
  for (const img of content.querySelectorAll('img')) {
    const alt = (img.getAttribute('alt') || '').trim();
    if (isFileName(alt)) report.bad_alt.push(img.getAttribute('src'));
  }
  return report;
}"""

# An alternative text that is empty or names a file, as a JS function.
_IS_FILE_NAME_JS = r"""function isFileName(alt) {
  return alt === '' || /\.(png|jpe?g|svg|gif|webp)\b/i.test(alt) ||
         /^[\w.\/-]*\/[\w.-]+$/.test(alt) || /^[0-9a-f]{16,}/i.test(alt) ||
         (!/\s/.test(alt) && !/[\u3400-\u9fff]/.test(alt));
}"""

_PAGE_WIDTH_JS = """() => Math.max(document.documentElement.scrollWidth,
                                   document.body.scrollWidth)"""


def is_file_name(alt: str) -> bool:
    """True if an alternative text is empty, one (non-Chinese) word or
    names a file.

    The Python twin of the check run in the browser (the unit tests use
    it on the extension's output).
    """
    import re

    alt = (alt or "").strip()
    return (alt == "" or bool(re.search(r"\.(png|jpe?g|svg|gif|webp)\b",
                                        alt, re.I))
            or bool(re.fullmatch(r"[\w./-]*/[\w.-]+", alt))
            or bool(re.match(r"[0-9a-f]{16,}", alt, re.I))
            # one word; a Chinese sentence has no spaces between words
            or not re.search(r"\s|[\u3400-\u9fff]", alt))


def reading_report(visit) -> dict:
    """The reading checks of an open page (see the module docstring).

    Opens every collapsed cell and dropdown, measures at 1280 px, then
    resizes the same page to a 390-px phone and measures its width; the
    page is left at that width.
    """
    page = visit.page
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.evaluate(_OPEN_EVERYTHING_JS)
    page.wait_for_timeout(100)
    report = page.evaluate(
        "() => {" + _IS_FILE_NAME_JS + "; return ("
        + _READING_REPORT_JS + ")(); }")
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.wait_for_timeout(200)
    report["page_width_390"] = max(
        0, page.evaluate(_PAGE_WIDTH_JS) - PHONE[0])
    return report


def reading_problems(report: dict) -> list[str]:
    """The failures of a :func:`reading_report`, as readable strings."""
    problems = [f"output wider than its box at 1280 px: {s!r}"
                for s in report["wide_outputs"]]
    problems += [f"output of only True/False: {s!r}"
                 for s in report["boolean_outputs"]]
    problems += [f"progress bar in the book: {s}"
                 for s in report["progress_bars"]]
    problems += [f"image without a real alternative text: {s}"
                 for s in report["bad_alt"]]
    if report["page_width_390"]:
        problems.append(f"page {report['page_width_390']} px wider than a "
                        "390-px phone screen")
    return problems


def axe_source() -> str:
    """The vendored axe-core script, checked against its recorded hash."""
    if not AXE_JS.is_file():
        raise FileNotFoundError(
            f"{AXE_JS} missing: run `make vendor-axe` (needs npm once)")
    text = AXE_JS.read_text(encoding="utf-8")
    recorded = (AXE_DIR / "SHA256").read_text(encoding="utf-8").split()[0]
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest != recorded:
        raise ValueError(f"{AXE_JS} does not match {AXE_DIR / 'SHA256'}")
    return text


def axe_report(visit) -> dict:
    """axe-core's violations on the open page, by impact.

    Returns ``{"version": ..., "counts": {impact: n}, "violations":
    [{"id", "impact", "help", "nodes": [target, ...]}, ...]}``, where a
    count is the number of offending elements (axe's nodes).
    """
    page = visit.page
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(content=axe_source())
    result = page.evaluate("""async () => {
      const r = await axe.run(document, {resultTypes: ['violations']});
      return {version: axe.version, violations: r.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => n.target.join(' '))}))};
    }""")
    if result["version"] != AXE_VERSION:
        raise ValueError(f"axe-core {result['version']} ran, the tests "
                         f"expect {AXE_VERSION} (tests/_vendor/axe-core)")
    counts = {}
    for v in result["violations"]:
        counts[v["impact"]] = counts.get(v["impact"], 0) + len(v["nodes"])
    result["counts"] = counts
    return result


def axe_problems(report: dict) -> list[str]:
    """The critical and serious violations of an :func:`axe_report`."""
    return [f"axe {v['impact']} {v['id']} ({v['help']}): "
            + ", ".join(v["nodes"][:5])
            + (f" and {len(v['nodes']) - 5} more" if len(v["nodes"]) > 5
               else "")
            for v in report["violations"] if v["impact"] in AXE_FAILING]


def _counts(pages, axe=True):
    from browser import browser_session

    rows = {}
    with browser_session() as session:
        for rel in pages:
            with session.open(rel) as visit:
                a = axe_report(visit) if axe else {"counts": {}}
                r = reading_report(visit)
            rows[rel] = {
                "wide": len(r["wide_outputs"]),
                "phone_px": r["page_width_390"],
                "bool": len(r["boolean_outputs"]),
                "bars": len(r["progress_bars"]),
                "bad_alt": len(r["bad_alt"]),
                **{f"axe_{k}": a["counts"].get(k, 0) for k in
                   ("critical", "serious", "moderate", "minor")},
                "details": {k: r[k] for k in ("wide_outputs",
                                              "boolean_outputs",
                                              "progress_bars")},
                "axe": [(v["id"], v["impact"], len(v["nodes"]))
                        for v in a.get("violations", [])],
            }
    return rows


def main(argv):
    sys.path.insert(0, str(HERE))
    from browser import toc_pages

    as_json = "--json" in argv
    pages = [a for a in argv if not a.startswith("--")] or toc_pages()
    rows = _counts(pages)
    if as_json:
        print(json.dumps(rows, indent=1))
        return
    columns = ["wide", "phone_px", "bool", "bars", "bad_alt",
               "axe_critical", "axe_serious", "axe_moderate", "axe_minor"]
    print(f"{'page':34}" + "".join(f"{c:>13}" for c in columns))
    for rel, row in rows.items():
        print(f"{rel:34}" + "".join(f"{row[c]:>13}" for c in columns))


if __name__ == "__main__":
    main(sys.argv[1:])
