"""The shared JavaScript kit (convlib/widgets/kit.js) that every demo
draws with, run in headless chromium, and the checks that it is the one
kit: no colour of its own, no shape arithmetic in the demos' scripts.
Its rules are held equal to convlib in tests/test_widget_rules.py."""
import re

import pytest

from convlib.palette import ROLES, SERIES
from convlib.widgets import script_source
from convlib.widgets._demo import demo_source
from _demo_page import demo_scripts


# ---- strings

@pytest.mark.browser
def test_t_fills_the_slots_in_the_pages_language(page):
    got = page.evaluate("""() => {
        const K = convlibKit, out = [K.lang(),
            K.t("arg.min", {name: "stride", minimum: 1, value: -2}),
            K.t("arg.int", {name: "k", value: 1.5})];
        for (const bad of [() => K.t("no.such.key"),
                           () => K.t("arg.min", {name: "stride"})]) {
            try { bad(); out.push("no error"); }
            catch (e) { out.push(e.message); }
        }
        return out;
    }""")
    assert got[:3] == ["en", "stride must be >= 1, got \u22122",
                       "k must be an int, got 1.5"]
    assert "no string 'no.such.key'" in got[3] and "needs minimum" in got[4]


# ---- colours

@pytest.mark.browser
def test_colours_are_the_palettes(page):
    got = page.evaluate("""() => [convlibKit.COLORS, convlibKit.SERIES,
        convlibKit.tint("#ff0000", 0.5), convlibKit.tint("#0000ff", 0),
        convlibKit.shade(1)]""")
    colours, series, half_red, white, line = got
    assert colours == ROLES and series == list(SERIES)
    assert half_red == "rgb(255,128,128)" and white == "rgb(255,255,255)"
    r, g, b = (int(ROLES["line"][i:i + 2], 16) for i in (1, 3, 5))
    assert line == f"rgb({r},{g},{b})"


def test_no_script_writes_a_colour_of_its_own():
    """Colours come from the palette (K.COLORS, K.SERIES, tints of them)
    or are the page's own (K.PAPER, K.INK): no literal in any script."""
    literal = re.compile(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(\s*\d|"
                         r"[\"'](white|black|red|gr[ae]y|blue|green)[\"']")
    for name in ["kit.js"] + demo_scripts():
        found = literal.findall(script_source(name))
        assert not found, (name, found)


# ---- rules

def test_no_demo_script_does_shape_arithmetic():
    """Spans d*(k - 1) + 1 and output sizes are the kit's rules alone."""
    span = re.compile(r"\*\s*\(\s*\w+\s*-\s*1\s*\)")
    size = re.compile(r"/\s*(s|stride)\)\s*\+\s*1")
    for name in demo_scripts():
        source = script_source(name)
        assert not span.search(source) and not size.search(source), name
    kit = script_source("kit.js")
    assert span.search(kit) and "rules = {" in kit


def test_demo_scripts_use_the_kits_num_and_no_other():
    for name in demo_scripts():
        assert not re.search(r"\bfunction num\b|\bvar num\b",
                             script_source(name)), name


# ---- formatting

@pytest.mark.parametrize("value, digits, text", [
    (3, None, "3"), (-3, None, "\u22123"), (0.12345, None, "0.123"),
    (-2.5, None, "\u22122.5"), (1 / 3, 2, "0.33"), (-0.0001, None, "0"),
    (float("inf"), None, "\u221e"), (None, None, "")])
@pytest.mark.browser
def test_fmt(page, value, digits, text):
    if value == float("inf"):
        got = page.evaluate("d => convlibKit.fmt(Infinity, d)", digits)
    else:
        got = page.evaluate("a => convlibKit.fmt(a[0], a[1] ?? undefined)",
                            [value, digits])
    assert got == text


@pytest.mark.browser
def test_big_separates_thousands(page):
    assert page.evaluate("convlibKit.big(4231000)") == \
        "4\u2009231\u2009000"
    assert page.evaluate("convlibKit.big(-999)") == "\u2212999"



# ---- DOM

@pytest.mark.browser
def test_text_is_never_markup(page):
    text = page.evaluate("""() => {
        const el = document.getElementById('el');
        convlibKit.fill(el, convlibKit.error('<b>x</b>'));
        return [el.querySelector('b') === null, el.textContent];
    }""")
    assert text == [True, "<b>x</b>"]


def test_every_demo_is_loaded_after_the_kit():
    source = demo_source("window_stepper.js")
    assert source.index("convlibKit") < source.index("convlibWindowStepper")



# ---- controls

@pytest.mark.browser
def test_controls_call_back_with_numbers(page):
    got = page.evaluate("""() => {
        const K = convlibKit, el = document.getElementById('el'), seen = [];
        K.fill(el, K.controls([
            K.select('k', 'k', [1, 3, 5], 3, v => seen.push(['k', v])),
            K.range('s', 's', [1, 4], 1, v => seen.push(['s', v]))]));
        const sel = el.querySelector("[data-field='k']");
        sel.value = '5'; sel.dispatchEvent(new Event('change'));
        const rng = el.querySelector("[data-field='s']");
        rng.value = '3'; rng.dispatchEvent(new Event('input'));
        return [seen, el.querySelector("[data-value='s']").textContent];
    }""")
    assert got == [[["k", "5"], ["s", 3]], "3"]



# ---- grids

@pytest.mark.browser
def test_grid_draws_values_and_styles(page):
    html = page.evaluate("""() => {
        const K = convlibKit, el = document.getElementById('el');
        K.fill(el, K.grid([[1, -2], [0.5, 3]], (r, c) =>
            r === c ? {bg: K.COLORS.window} : {}));
        return [...el.querySelectorAll('td')].map(td =>
            [td.textContent, td.style.background]);
    }""")
    assert [t for t, _ in html] == ["1", "\u22122", "0.5", "3"]
    assert html[0][1] and not html[1][1].startswith("rgb(255, 213")


@pytest.mark.browser
def test_repaint_updates_a_grid_in_place_or_refuses_another_shape(page):
    got = page.evaluate("""() => {
        const K = convlibKit, el = document.getElementById('el');
        const table = K.grid([[1, 2], [3, 4]], () => ({bg: K.COLORS.kernel}));
        K.fill(el, table);
        const first = table.rows[0].cells[0];
        const ok = K.repaint(table, [[5, -6], [7, 8]], (r, c) =>
            r === 1 && c === 1 ? {bg: K.COLORS.window, text: 'x'} : {});
        const wrong = K.repaint(table, [[1, 2, 3]], null);
        const fresh = K.grid([[5, -6], [7, 8]], (r, c) =>
            r === 1 && c === 1 ? {bg: K.COLORS.window, text: 'x'} : {});
        const cells = t => [...t.querySelectorAll('td')].map(td =>
            [td.textContent, td.style.background, td.style.color]);
        return {ok, wrong, same: table.rows[0].cells[0] === first,
                cells: cells(table), fresh: cells(fresh),
                nodes: el.querySelectorAll('td').length};
    }""")
    assert got["ok"] is True and got["wrong"] is False and got["same"]
    assert [c[0] for c in got["cells"]] == ["5", "\u22126", "7", "x"]
    assert got["cells"] == got["fresh"]  # as a new grid would draw it
    assert got["nodes"] == 4


@pytest.mark.browser
def test_raster_paints_one_square_per_value_and_marks_a_cell(page):
    got = page.evaluate("""() => {
        const K = convlibKit, el = document.getElementById('el');
        const c = K.raster([[0, 1, 2], [3, 0, 5]],
            (r, q, v) => v === 0 ? '#ff0000' : '#0000ff',
            {cell: 10, mark: [1, 2], title: 'map'});
        K.fill(el, c);
        const px = (x, y) => Array.from(c.getContext('2d').getImageData(
            x, y, 1, 1).data.slice(0, 3));
        return [c.width, c.height, c.dataset.rows, c.dataset.cols,
                c.title, px(5, 5), px(15, 5), px(15, 15), px(25, 15),
                px(20, 10)];
    }""")
    width, height, rows, cols, title, *pixels = got
    assert (width, height, rows, cols, title) == (30, 20, "2", "3", "map")
    red, blue, black = [255, 0, 0], [0, 0, 255], [0, 0, 0]
    assert pixels[:3] == [red, blue, red]
    assert pixels[3] == blue      # inside the marked cell
    assert pixels[4] == black     # its outline



# ---- charts

@pytest.mark.browser
def test_chart_draws_svg_paths_and_marks(page):
    got = page.evaluate("""() => {
        const K = convlibKit, el = document.getElementById('el');
        K.fill(el, [K.chart([{x: [0, 1, 2], y: [0, 1, 4]}],
                            {marks: [{x: 1, y: 1}]}),
                    K.chart([{x: [-1, 1], y: [1, -1]}])]);
        const clips = [...el.querySelectorAll('clipPath')].map(c => c.id);
        return [el.querySelectorAll('line').length,
                el.querySelectorAll('circle').length,
                el.querySelectorAll('path').length, new Set(clips).size,
                el.querySelector('path').getAttribute('stroke')];
    }""")
    lines, circles, paths, clip_ids, stroke = got
    assert circles == 1 and paths == 2 and clip_ids == 2
    assert lines == 2  # the axes x = 0 and y = 0 of the second chart
    assert stroke == SERIES[0]  # the palette's first series colour



# ---- pictures

@pytest.mark.browser
def test_layers_draws_rows_of_nodes_and_edges_by_colour(page):
    got = page.evaluate("""() => {
        const K = convlibKit, el = document.getElementById('el');
        K.fill(el, K.layers([4, 2, 3], [[[0, 0], [1, 0], [2, 1], [3, 1]],
                                        [[0, 0], [0, 1], [1, 2]]], {
            labels: ['in', '', 'out'], edgeLabels: ['a', 'b'],
            edgeColor: (l, i, o) => (l === 0 && i < 2) ? 'red' : 'blue'}));
        const rows = [0, 1, 2].map(r =>
            el.querySelectorAll(`circle[data-row='${r}']`).length);
        const paths = [...el.querySelectorAll('path')].map(p =>
            [p.dataset.layer, p.getAttribute('stroke'),
             Number(p.dataset.edges), p.getAttribute('d').split('M').length
             - 1]);
        const texts = [...el.querySelectorAll('text')].map(
            t => t.textContent);
        return [rows, paths, texts];
    }""")
    rows, paths, texts = got
    assert rows == [4, 2, 3]
    assert sorted(paths) == [["0", "blue", 2, 2], ["0", "red", 2, 2],
                             ["1", "blue", 3, 3]]
    assert set(texts) >= {"in", "out", "a", "b"}
