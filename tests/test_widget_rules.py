"""The demos' shape rules: one source per language, held equal.

In Python the demos ask `convlib._args` / `convlib.shapes` through
`convlib.widgets._rules`; in JavaScript they ask the kit's `K.rules`
(kit.js). The browser tests here hold `K.rules` equal to `_rules` --
size, refusing rule and the numbers the sentences name -- over every
setting the demos' controls offer, the grids enumerated from the bounds
each demo's config carries. The words come from one string table
(strings.json): its sentences for the argument checks are the argument
layer's own messages, and a page in another language takes another
column of it without any demo changing.
"""
import itertools
import json

import pytest

from convlib import _args, shapes
from convlib.widgets import (cnn_tracer, conv_matrix_explorer, hdc_map,
                             pooling_explorer, shape_calculator,
                             transposed_stepper, variant_comparer,
                             window_stepper)
from convlib.widgets import _demo, _rules, _strings
from convlib.widgets.pooling import INPUT_SIDES
from _demo_page import mount

# ------------------------------------------------------------ the grids


def _span(bounds):
    lo, hi = bounds
    return list(range(lo, hi + 1))


def calculator_grid():
    """(n, k, s, p, d) of every setting of the shape calculator's boxes,
    padding='same' included."""
    b = shape_calculator().config["controls"]
    return [_span(b["n"]), _span(b["k"]), _span(b["s"]),
            _span(b["p"]) + ["same"], _span(b["d"])]


def stepper_grid():
    """(n, k, s, p, d) of the window stepper: both axes of its input and
    kernel, every stride, padding and dilation it offers."""
    c = window_stepper().config
    sizes = {len(c["input"]), len(c["input"][0])}
    kernels = {len(c["kernel"]), len(c["kernel"][0])}
    return [sorted(sizes), sorted(kernels), c["strides"], c["paddings"],
            c["dilations"]]


def pooling_grid():
    """(n, k, s, p, d, ceil_mode) of the pooling explorer, over every
    input side it accepts."""
    b = pooling_explorer().config["controls"]
    return [_span(INPUT_SIDES), _span(b["k"]), _span(b["s"]),
            _span(b["p"]), _span(b["d"]), [False, True]]


def transposed_grid():
    """(n, k, s, p, op, d) of the transposed stepper: its output, and the
    uncropped sum (padding 0, output_padding 0)."""
    c = transposed_stepper().config
    sizes = sorted({len(x) for x in c["inputs"].values()}
                   | {len(x[0]) for x in c["inputs"].values()})
    return [sizes, c["kernel_sizes"], c["strides"],
            sorted(set(c["paddings"]) | {0}),
            sorted(set(c["output_paddings"]) | {0}), c["dilations"]]


def tracer_grids():
    """The conv and pooling settings of the CNN tracer, over every size
    its network can meet (its input sizes, and what its layers make of
    them)."""
    b = cnn_tracer().config["controls"]
    conv = [_span(b["kernel"]), _span(b["stride"]), _span(b["padding"])]
    pool = [_span(b["window"]), _span(b["window_stride"])]

    def after(sizes, grid, size_of):
        return {out.size for n in sizes for args in itertools.product(*grid)
                if (out := size_of(n, *args)).size is not None}

    def conv_of(n, k, s, p):
        return _rules.conv(n, k, s, p, 1)

    def pool_of(n, k, s):
        return _rules.pool(n, k, s, 0, 1, False)

    inputs = set(_span(b["size"]))
    conv1 = after(inputs, conv, conv_of)
    to_conv2 = conv1 | after(conv1, pool, pool_of)  # pool 1 may be 'none'
    conv2 = after(to_conv2, conv, conv_of)
    conv_sizes, pool_sizes = sorted(inputs | to_conv2), sorted(conv1 | conv2)
    return ([conv_sizes] + conv + [[1]],
            [pool_sizes] + pool + [[0], [1], [False]])


def matrix_grids():
    """The conv setting (n, k, s, p, d) and the channel split (C_in,
    C_out, groups) of every setting of the matrix explorer's selects."""
    b = conv_matrix_explorer().config["controls"]
    return ([_span(b["n"]), _span(b["k"]), _span(b["s"]), _span(b["p"]),
             [1]], [_span(b["cin"]), _span(b["cout"]), _span(b["g"])])


# ------------------------------------------------------------ Python side

def test_rules_sizes_are_convlib_shapes_and_refusals_its_errors():
    def shapes_size(function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ValueError:
            return None

    for n, k, s, p, d in itertools.product(range(1, 9), range(1, 5),
                                           range(1, 4),
                                           [0, 1, 2, "same"], range(1, 4)):
        out = _rules.conv(n, k, s, p, d)
        assert out.size == shapes_size(
            shapes.conv_output_size, n, kernel_size=k, stride=s,
            padding=p, dilation=d)
        assert (out.size is None) == bool(out.rule)
        if p != "same":
            out = _rules.pool(n, k, s, p, d, s == 2)
            assert out.size == shapes_size(
                shapes.pool_output_size, n, kernel_size=k, stride=s,
                padding=p, dilation=d, ceil_mode=s == 2)
            assert (out.size is None) == bool(out.rule)
        out = _rules.transpose(n, k, s, p if p != "same" else 0, 0, d)
        assert out.size == shapes_size(
            shapes.conv_transpose_output_size, n, kernel_size=k, stride=s,
            padding=p if p != "same" else 0, dilation=d)


@pytest.mark.parametrize("value, minimum", [
    (0, 1), (-3, 0), (1.5, 1), (2.0, 1), (True, 1), ("3", 1), (None, 0)])
def test_table_says_what_the_argument_layer_says(value, minimum):
    """The demos' sentences for a refused integer are the argument
    layer's own message (less its function name; with a true minus)."""
    with pytest.raises((TypeError, ValueError)) as error:
        _args.check_int(value, "stride", "f", minimum)
    out = _rules.ints([("stride", value, minimum)])
    said = _strings.text(f"arg.{out.rule}", **out.facts)
    expected = str(error.value).removeprefix("f: ")
    if out.rule == "int":  # the argument layer writes repr(value)
        expected = expected.replace(repr(value), _strings.show(value))
    assert said.replace("\u2212", "-") == expected


def test_an_error_no_rule_names_is_not_swallowed():
    error = ValueError("f: something no demo has a sentence for")
    with pytest.raises(ValueError, match="no demo"):
        _rules.rule_of(error)


def test_every_refusal_of_the_argument_layer_has_a_rule():
    cases = [(_rules.conv, (5, 3, 2, "same", 1), "same_stride"),
             (_rules.conv, (3, 5, 1, 0, 1), "span"),
             (_rules.pool, (5, 2, 1, 2, 1, False), "half_pad"),
             (_rules.pool, (3, 3, 1, 0, 2, False), "span"),
             (_rules.transpose, (3, 3, 2, 0, 2, 1), "output_padding"),
             (_rules.transpose, (3, 1, 1, 2, 0, 1), "not_positive"),
             (_rules.groups, (6, 8, 4), "groups_in"),
             (_rules.groups, (8, 6, 4), "groups_out")]
    for function, args, rule in cases:
        assert function(*args).rule == rule, (function.__name__, args)
    assert {rule for _, rule in _rules.REFUSALS} == {
        rule for *_, rule in cases}


def test_the_table_has_every_slot_the_sentences_need():
    """Every string has an English text, and a Chinese one (issue 34),
    whose slots are plain names (tests/test_translations.py holds the
    Chinese to the English slots)."""
    for key, entry in _strings.TABLE.items():
        assert set(entry) == {"en", "zh"} and entry["en"], key
        assert not any("{}" in text for text in entry.values()), key


def test_the_kit_gets_the_palette_and_the_table():
    source = _demo.kit_source(["shape_calculator.js"])
    assert _demo.KIT_DATA not in source
    own = _strings.table_for(["shape_calculator.js"])
    data = json.dumps({"palette": _demo.palette.as_config(),
                       "strings": own},
                      ensure_ascii=False, separators=(",", ":"))
    assert data in source
    # the kit's words and the calculator's, no other demo's
    assert "calc.span" in own and "kit.next" in own
    assert not any(key.startswith("pool.") for key in own)


def test_each_strings_file_holds_one_demo_s_words():
    """A demo's words are in strings/<its script>.json, so changing one
    demo's words changes no other demo's module. (The kit's optional
    parts, kit_*.js, show no words.)"""
    scripts = {path.stem for path in _demo._HERE.glob("*.js")
               if path.stem != "kit" and not path.stem.startswith("kit_")}
    assert set(_strings.FILES) == scripts | {_strings.KIT_FILE}
    for stem, keys in _strings.FILES.items():
        prefixes = {key.split(".")[0] for key in keys}
        assert len(prefixes) == 1 or stem == _strings.KIT_FILE, stem


# ------------------------------------------------------------ K.rules

# An outcome as one line of text, the same in both languages.
_ENCODE_JS = """
  const encode = o => typeof o === "number" || Array.isArray(o)
    ? String(o) : [o.size === null ? "None" : o.size, o.rule,
       Object.keys(o.facts).sort().map(k => k + "=" + o.facts[k]).join(",")
      ].join("|");
"""

_GRID_JS = """([rule, lists]) => {""" + _ENCODE_JS + """
  const lines = [];
  const walk = (i, args) => {
    if (i === lists.length) {
      lines.push(encode(convlibKit.rules[rule](...args)));
      return;
    }
    for (const v of lists[i]) { args.push(v); walk(i + 1, args); args.pop(); }
  };
  walk(0, []);
  return lines.join("\\n");
}"""

_PYTHON = {"conv": _rules.conv, "pool": _rules.pool,
           "transpose": _rules.transpose, "groups": _rules.groups,
           "span": _rules.span, "windowCounts": _rules.window_counts}


def _encode(outcome):
    if isinstance(outcome, (int, list)):
        return str(outcome).replace(" ", "")
    facts = ",".join(f"{k}={v}" for k, v in sorted(outcome.facts.items()))
    return f"{outcome.size}|{outcome.rule}|{facts}"


def _hold_equal(page, rule, lists):
    """K.rules[rule] equals _rules over the product of `lists`; returns
    the number of settings."""
    js = page.evaluate(_GRID_JS, [rule, lists]).split("\n")
    grid = list(itertools.product(*lists))
    assert len(js) == len(grid)
    for args, got in zip(grid, js):
        expected = _encode(_PYTHON[rule](*args))
        if got != expected:  # one message for the first difference
            assert got == expected, (rule, args)
    return len(grid)


@pytest.mark.browser
def test_k_rules_equal_convlib_over_the_calculators_every_setting(page):
    assert _hold_equal(page, "conv", calculator_grid()) == 64 * 15 * 8 \
        * 12 * 8


@pytest.mark.browser
def test_k_rules_equal_convlib_over_every_demo_setting(page):
    counted = _hold_equal(page, "conv", stepper_grid())
    counted += _hold_equal(page, "pool", pooling_grid())
    counted += _hold_equal(page, "transpose", transposed_grid())
    for rule, grid in zip(("conv", "pool"), tracer_grids()):
        counted += _hold_equal(page, rule, grid)
    c = variant_comparer().config
    counted += _hold_equal(page, "groups", [c["channel_options"],
                                            c["channel_options"],
                                            c["group_options"]])
    counted += _hold_equal(page, "span", [c["kernel_options"], [2]])
    # the comparer's output sizes: its input and the first layer's
    # outputs, every kernel and stride, the paddings d(k - 1)/2 it uses
    counted += _hold_equal(page, "conv", [
        sorted({c["input_size"]} | {c["input_size"] // s
                                    for s in c["stride_options"]}),
        sorted(set(c["kernel_options"]) | {1}), c["stride_options"],
        sorted({d * (k - 1) // 2 for k in c["kernel_options"]
                for d in (1, 2)} | {0}) + ["same"], [1, 2]])
    h = hdc_map().config
    counted += _hold_equal(page, "span", [h["kernels"],
                                          list(range(1, h["max_rate"] + 1))])
    conv, split = matrix_grids()
    counted += _hold_equal(page, "conv", conv)
    counted += _hold_equal(page, "groups", split)
    assert counted > 20_000


@pytest.mark.browser
def test_k_rules_window_counts_equal_convlib_over_the_explorer(page):
    """The divisors of every valid average-pooling setting."""
    cases = []
    for n, k, s, p, _, ceil in itertools.product(*pooling_grid()[:4],
                                                 [1], [False, True]):
        out = _rules.pool(n, k, s, p, 1, ceil)
        if out.size is not None:
            cases += [(n, out.size, k, s, p, cip) for cip in (True, False)]
    got = page.evaluate(
        "cases => cases.map(a => convlibKit.rules.windowCounts(...a))",
        cases)
    assert got == [_args.window_counts(*case) for case in cases]
    assert len(cases) > 1000


@pytest.mark.browser
def test_k_rules_integer_checks_equal_the_argument_layer(page):
    cases = [[name, value, minimum] for name in ("stride", "C_in")
             for value in (-2, -1, 0, 1, 2, 3, 1.5, -0.5, 10**9)
             for minimum in (0, 1, 2)]
    got = page.evaluate(
        "cases => cases.map(c => convlibKit.rules.ints([c]))", cases)
    for case, js in zip(cases, got):
        py = _rules.ints([tuple(case)])
        if py is None:
            assert js is None, case
        else:
            assert js == dict(size=None, rule=py.rule, facts=py.facts)


# ------------------------------------------------------------ languages

def _kit_with_a_second_column(monkeypatch):
    """The kit with a column of a language the table does not have (a
    made-up "xx") for two strings only, so that the others fall back to
    English."""
    table = {key: dict(entry) for key, entry in _strings.TABLE.items()}
    table["calc.size"]["xx"] = "\u8f93\u51fa\u5927\u5c0f\uff1a"
    table["calc.span"]["xx"] = "\u6838\u8de8 {span} \u683c"
    monkeypatch.setattr(_strings, "TABLE", table)
    return _demo.kit_source(["shape_calculator.js"])


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["xx-YY", "en"])
def test_a_page_in_another_language_takes_that_column(page, monkeypatch,
                                                      lang):
    _kit_with_a_second_column(monkeypatch)  # what its fallback HTML holds
    page.evaluate("lang => { document.documentElement.lang = lang; }", lang)
    try:
        root = mount(page, shape_calculator(), "html")
        shown = root.inner_text()
        root.locator("[data-field='k']").fill("9")
        reason = root.locator(".cl-reason").inner_text()
    finally:
        page.evaluate("() => { document.documentElement.lang = 'en'; }")
    if lang == "en":
        assert "output size:" in shown
        assert reason.startswith("the kernel spans")
    else:
        assert "\u8f93\u51fa\u5927\u5c0f\uff1a" in shown  # its column
        assert "kernel size k" in shown  # no column: English
        assert reason == "\u6838\u8de8 9 \u683c"  # and it still responds
