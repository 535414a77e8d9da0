// The HDC map: two stacks of stride-1 K x K dilated convolutions side by
// side, each with its coverage map, M chain, true largest gap and
// verdicts.  `hdcReport` mirrors convlib.widgets.hdc_report and
// `compareText` hdc_compare (tests hold them equal over every setting
// the controls offer), the spans from the kit's rules, the words from its
// string table; `mount` draws the controls (bounds from the config), the
// maps and the verdicts with convlibKit.  Keyboard: every control is a
// labelled <select> (Tab to it, arrow keys change it); each stack's
// verdict is a live region, so a screen reader hears the result.
(function (root) {
  "use strict";
  var K = root.convlibKit;
  var LISTED = 8, ELLIPSIS = "\u2026", NAMES = ["A", "B"];

  function gcd(a, b) { return b === 0 ? a : gcd(b, a % b); }

  // Paths from each input offset to the output: the convolution of the
  // layers' dilated all-ones kernels (convlib.shapes.coverage).
  function coverage(rates, k) {
    var counts = [1];
    rates.forEach(function (r) {
      var out = [];
      var size = counts.length + K.rules.span(k, r) - 1;
      for (var i = 0; i < size; i++) { out.push(0); }
      for (var a = 0; a < counts.length; a++) {
        for (var j = 0; j < k; j++) { out[a + r * j] += counts[a]; }
      }
      counts = out;
    });
    return counts;
  }

  // The longest step between neighbouring offsets reached
  // (convlib.shapes.largest_gap); 0 when one offset is reached.
  function largestGap(rates, k) {
    var last = null, gap = 0;
    coverage(rates, k).forEach(function (c, i) {
      if (c === 0) { return; }
      if (last !== null) { gap = Math.max(gap, i - last); }
      last = i;
    });
    return gap;
  }

  // M_1..M_n of Wang et al. (2018) (convlib.shapes.hdc_m_chain).
  function mChain(rates) {
    var n = rates.length, chain = [rates[n - 1]];
    for (var i = n - 2; i >= 0; i--) {
      var m = chain[0], r = rates[i];
      chain.unshift(Math.max(m - 2 * r, m - 2 * (m - r), r));
    }
    return chain;
  }

  function chainSteps(rates, chain) {
    var n = rates.length;
    var lines = [K.t("hdc.chain_last", {n: n, r: rates[n - 1]})];
    for (var i = n - 2; i >= 0; i--) {
      var m = chain[i + 1], r = rates[i];
      lines.push(K.t("hdc.chain_step", {i: i + 1, m: m, r: r, t1: m - 2 * r,
                                        t2: m - 2 * (m - r), t3: r,
                                        mi: chain[i]}));
    }
    return lines;
  }

  function ruleText(k, chain, g) {
    if (chain === null) { return K.t("hdc.rule_one_layer"); }
    var m2 = chain[1], ok = m2 <= k && g === 1;
    return K.t("hdc.rule", {
      m2: K.t(m2 <= k ? "hdc.m2_ok" : "hdc.m2_over", {m2: m2, k: k}),
      factor: K.t(g === 1 ? "hdc.no_factor" : "hdc.factor", {g: g}),
      prediction: K.t(ok ? "hdc.no_holes_predicted" : "hdc.holes_predicted")
    });
  }

  function exactText(span, nHoles, holes2d) {
    if (!nHoles) { return K.t("hdc.exact_none", {span: span}); }
    return K.t("hdc.exact_holes", {holes: nHoles, span: span,
                                   holes2d: holes2d, pixels: span * span});
  }

  function verdict(rule, exact) {
    if (rule === null) { return K.t("hdc.verdict_one_layer"); }
    if (rule === exact) { return K.t("hdc.agree"); }
    return K.t(rule ? "hdc.disagree_holes" : "hdc.disagree_no_holes");
  }

  function gapText(rates, k, chain, gap2) {
    if (chain === null) { return null; }
    var test = rates[0] !== 1
      ? K.t("hdc.gap_first_other", {r: rates[0]})
      : K.t(gap2 <= k ? "hdc.gap_first_one_ok" : "hdc.gap_first_one_over",
            {g: gap2, k: k});
    var which = rates.length === 2 ? K.t("hdc.gap_layer")
      : K.t("hdc.gap_layers", {n: rates.length});
    return K.t("hdc.gap_line", {test: test, gap: K.t("hdc.gap", {
      which: which, g: gap2, m2: chain[1]})});
  }

  // All hole offsets up to LISTED, else the first three, "…", the last 3.
  function holeList(holes) {
    var shown = holes.map(String);
    if (shown.length > LISTED) {
      shown = shown.slice(0, 3).concat([ELLIPSIS], shown.slice(-3));
    }
    return shown.join(", ");
  }

  function holesText(holes, span) {
    if (!holes.length) { return K.t("hdc.holes", {holes: 0, span: span}); }
    return K.t(holes.length === 1 ? "hdc.holes_at_one" : "hdc.holes_at",
               {holes: holes.length, span: span, offsets: holeList(holes)});
  }

  // The report for `rates` (1..n ints) and kernel size k, with the fields
  // of convlib.widgets.HDCReport.
  function hdcReport(rates, k) {
    var counts = coverage(rates, k), span = counts.length, holes = [];
    counts.forEach(function (c, i) { if (c === 0) { holes.push(i); } });
    var seen = span - holes.length, holes2d = span * span - seen * seen;
    var g = rates.reduce(gcd), chain = null, steps = [], m2ok = null;
    var rule = null, gap2 = null;
    if (rates.length >= 2) {
      chain = mChain(rates);
      steps = chainSteps(rates, chain);
      m2ok = chain[1] <= k;
      rule = m2ok && g === 1;
      gap2 = largestGap(rates.slice(1), k);
    }
    var exact = holes.length === 0;
    // an odd K has a middle tap: the centre input is always reached
    var centre = k % 2 === 1 ? (span - 1) / 2 : null;
    return {rates: rates, kernel_size: k, span: span, counts: counts,
            holes: holes, holes_2d: holes2d, chain: chain, steps: steps,
            m2_ok: m2ok, gcd: g, rule: rule, exact: exact,
            rule_text: ruleText(k, chain, g),
            exact_text: exactText(span, holes.length, holes2d),
            verdict: verdict(rule, exact), gap2: gap2,
            gap_text: gapText(rates, k, chain, gap2),
            holes_text: holesText(holes, span), centre: centre,
            centre_text: centre === null ? K.t("hdc.centre_even")
              : K.t("hdc.centre_odd", {c: centre})};
  }

  // Whether two reports' stacks reach the same inputs (hdc_compare).
  function compareText(a, b) {
    var same = a.span === b.span && a.holes.join() === b.holes.join();
    return K.t(same ? "hdc.compare_same" : "hdc.compare_differ");
  }

  // The span x span map: outer product of the 1-D counts, holes in the
  // palette's hole colour with a diagonal stroke (not colour alone), the
  // centre input outlined for an odd K.
  function coverageMap(rep) {
    var c = rep.counts, top = Math.max.apply(null, c), vals = [];
    for (var i = 0; i < c.length; i++) {
      var row = [];
      for (var j = 0; j < c.length; j++) { row.push(c[i] * c[j]); }
      vals.push(row);
    }
    var cell = Math.max(2, Math.min(20, Math.floor(260 / c.length)));
    var colours = {0: K.COLORS.hole};  // one colour per path count
    var centre = rep.centre === null ? null : [rep.centre, rep.centre];
    var canvas = K.raster(vals, function (r, col, v) {
      if (!(v in colours)) { colours[v] = K.shade(0.15 + 0.85 * v /
                                                  (top * top)); }
      return colours[v];
    }, {cell: cell, mark: centre, "class": "cl-map"});
    strokeHoles(canvas, vals, cell);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", K.t("hdc.map_label", {
      span: rep.span, holes2d: rep.holes_2d}));
    return canvas;
  }

  function strokeHoles(canvas, vals, cell) {
    if (cell < 4 || !canvas.getContext) { return; }
    var ctx = canvas.getContext("2d");
    ctx.strokeStyle = K.COLORS.muted;
    ctx.lineWidth = Math.max(1, cell / 8);
    ctx.beginPath();
    vals.forEach(function (row, r) {
      row.forEach(function (v, c) {
        if (v !== 0) { return; }
        ctx.moveTo(c * cell + 1, (r + 1) * cell - 1);
        ctx.lineTo((c + 1) * cell - 1, r * cell + 1);
      });
    });
    ctx.stroke();
  }

  var FOCUS = ".convlib-hdc-map select:focus-visible{outline:3px solid " +
    K.COLORS.line + ";outline-offset:2px}";

  // One stack: a fieldset of controls, its texts, its map; onChange()
  // after every change.  Returns {node, report()}.
  function stack(name, init, start, onChange) {
    var state = {n: start.rates.length, rates: start.rates.slice(),
                 k: start.k};
    while (state.rates.length < init.max_layers) { state.rates.push(1); }
    var rateOptions = K.options(1, init.max_rate);
    var rateBox = K.h("span", {"class": "cl-rates"});
    var out = K.h("div", {"class": "cl-out"});
    var live = K.h("div", {"class": "cl-verdict", role: "status",
                           "aria-live": "polite",
                           style: "font-weight:bold;margin:.3em 0"});
    function report() { return hdcReport(state.rates.slice(0, state.n),
                                         state.k); }
    function rateSelects() {
      var boxes = [];
      for (var i = 0; i < state.n; i++) {
        boxes.push(K.select(K.t("hdc.rate", {i: i + 1}), "r" + (i + 1),
                            rateOptions, state.rates[i], (function (idx) {
                              return function (v) {
                                state.rates[idx] = Number(v);
                                draw();
                              };
                            })(i)));
      }
      K.fill(rateBox, boxes);
    }
    function draw() {
      var rep = report();
      live.textContent = rep.verdict;
      K.fill(out, [
        K.h("div", {"class": "cl-holes"}, rep.holes_text),
        K.formula(rep.steps.join("\n"), "cl-chain"),
        rep.gap_text === null ? null
          : K.h("div", {"class": "cl-gap"}, rep.gap_text),
        K.h("div", {"class": "cl-rule"}, rep.rule_text),
        K.h("div", {"class": "cl-exact"}, rep.exact_text),
        K.panel(K.t("hdc.map"), coverageMap(rep)),
        K.h("div", {"class": "cl-centre", style: "font-size:90%"},
            rep.centre_text)]);
      onChange();
    }
    var legend = K.h("legend", {style: "font-weight:bold;font-size:1.1em"},
                     K.t("hdc.stack", {name: name}));
    var controls = K.controls([
      K.select(K.t("hdc.layers"), "layers", K.options(1, init.max_layers),
               state.n, function (v) {
                 state.n = Number(v); rateSelects(); draw();
               }),
      rateBox,
      K.select(K.t("hdc.k"), "k", init.kernels, state.k, function (v) {
        state.k = Number(v); draw();
      })]);
    var node = K.h("fieldset", {"class": "cl-stack", "data-stack": name,
                                style: "flex:1 1 18em;min-width:0;" +
                                       "margin:0 0 .5em 0"},
                   [legend, controls, live, out]);
    rateSelects();
    return {node: node, report: report, draw: draw};
  }

  function mount(el, init) {
    var compare = K.h("div", {"class": "cl-compare",
                              style: "font-weight:bold"});
    var stacks = [];
    function update() {
      if (stacks.length === 2) {
        compare.textContent = compareText(stacks[0].report(),
                                          stacks[1].report());
      }
    }
    el.appendChild(K.h("style", {}, FOCUS));
    var row = K.h("div", {style: "display:flex;flex-wrap:wrap;gap:1em"});
    init.stacks.forEach(function (start, i) {
      stacks.push(stack(NAMES[i], init, start, update));
      row.appendChild(stacks[i].node);
    });
    el.appendChild(row);
    el.appendChild(compare);
    stacks.forEach(function (s) { s.draw(); });
  }

  root.convlibHDCMap = {hdcReport: hdcReport, compareText: compareText,
                        coverage: coverage, largestGap: largestGap,
                        mChain: mChain, mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
