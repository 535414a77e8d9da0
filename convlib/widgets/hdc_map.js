// Receptive-field / HDC coverage map for a stack of stride-1 K x K
// dilated convolutions.  `hdcReport` mirrors convlib.widgets.hdc_report
// (tests hold the two equal over every setting the controls offer);
// `mount` draws the controls, the map and the verdicts with convlibKit.
(function (root) {
  "use strict";
  var K = root.convlibKit;
  var MINUS = "\u2212", TIMES = "\u00d7", LE = "\u2264";

  function num(v) { return v < 0 ? MINUS + String(-v) : String(v); }

  function gcd(a, b) { return b === 0 ? a : gcd(b, a % b); }

  // Paths from each input offset to the output: the convolution of the
  // layers' dilated all-ones kernels (convlib.shapes.coverage).
  function coverage(rates, k) {
    var counts = [1];
    rates.forEach(function (r) {
      var out = [];
      for (var i = 0; i < counts.length + r * (k - 1); i++) { out.push(0); }
      for (var a = 0; a < counts.length; a++) {
        for (var j = 0; j < k; j++) { out[a + r * j] += counts[a]; }
      }
      counts = out;
    });
    return counts;
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
    var n = rates.length, lines = ["M_" + n + " = r_" + n + " = " +
                                   rates[n - 1]];
    for (var i = n - 2; i >= 0; i--) {
      var m = chain[i + 1], r = rates[i];
      var terms = [m - 2 * r, m - 2 * (m - r), r].map(num);
      lines.push("M_" + (i + 1) + " = max(" + m + " " + MINUS + " 2" +
                 TIMES + r + ", " + m + " " + MINUS + " 2" + TIMES + "(" +
                 m + " " + MINUS + " " + r + "), " + r + ") = max(" +
                 terms.join(", ") + ") = " + chain[i]);
    }
    return lines;
  }

  function ruleText(k, chain, g) {
    if (chain === null) {
      return "HDC rule: needs at least two layers (M_2 is undefined)";
    }
    var m2 = chain[1];
    var parts = [m2 <= k ? "M_2 = " + m2 + " " + LE + " K = " + k
                 : "M_2 = " + m2 + " > K = " + k,
                 g === 1 ? "no common factor" : "common factor " + g];
    var ok = m2 <= k && g === 1;
    return "HDC rule: " + parts.join(" and ") + ": " +
      (ok ? "no holes predicted" : "holes predicted");
  }

  function exactText(span, nHoles, holes2d) {
    if (!nHoles) {
      return "exact check: no holes, all " + span + " " + TIMES + " " +
        span + " inputs reach the output";
    }
    return "exact check: " + nHoles + " of " + span + " offsets along an " +
      "axis are holes, " + holes2d + " of " + span * span +
      " pixels in 2-D";
  }

  function verdict(rule, exact) {
    if (rule === null) {
      return "one layer: no rule to test (a single dilated kernel has " +
        "holes whenever its rate is above 1)";
    }
    if (rule === exact) { return "the rule and the exact check agree"; }
    return rule ? "they disagree: the rule predicts no holes, but there are"
      : "they disagree: the rule predicts holes, but there are none";
  }

  // The report for `rates` (1..n ints) and kernel size k, with the fields
  // of convlib.widgets.HDCReport.
  function hdcReport(rates, k) {
    var counts = coverage(rates, k), span = counts.length, holes = [];
    counts.forEach(function (c, i) { if (c === 0) { holes.push(i); } });
    var seen = span - holes.length, holes2d = span * span - seen * seen;
    var g = rates.reduce(gcd), chain = null, steps = [], m2ok = null;
    var rule = null;
    if (rates.length >= 2) {
      chain = mChain(rates);
      steps = chainSteps(rates, chain);
      m2ok = chain[1] <= k;
      rule = m2ok && g === 1;
    }
    var exact = holes.length === 0;
    return {rates: rates, kernel_size: k, span: span, counts: counts,
            holes: holes, holes_2d: holes2d, chain: chain, steps: steps,
            m2_ok: m2ok, gcd: g, rule: rule, exact: exact,
            rule_text: ruleText(k, chain, g),
            exact_text: exactText(span, holes.length, holes2d),
            verdict: verdict(rule, exact)};
  }

  // The span x span map: outer product of the 1-D counts, holes in red.
  function coverageMap(rep) {
    var c = rep.counts, top = Math.max.apply(null, c), vals = [];
    for (var i = 0; i < c.length; i++) {
      var row = [];
      for (var j = 0; j < c.length; j++) { row.push(c[i] * c[j]); }
      vals.push(row);
    }
    var centre = (c.length - 1) / 2;
    var cell = Math.max(2, Math.min(20, Math.floor(260 / c.length)));
    var colours = {0: K.COLORS.hole};  // one colour per path count
    return K.raster(vals, function (r, col, v) {
      if (!(v in colours)) { colours[v] = K.shade(0.15 + 0.85 * v /
                                                  (top * top)); }
      return colours[v];
    }, {cell: cell, mark: [centre, centre], "class": "cl-map",
        title: "input pixels reaching the centre output"});
  }

  function mount(el, init) {
    var state = {n: init.rates.length, rates: init.rates.slice(),
                 k: init.k};
    while (state.rates.length < init.max_layers) { state.rates.push(1); }
    var rateOptions = [], layerOptions = [];
    for (var r = 1; r <= init.max_rate; r++) { rateOptions.push(r); }
    for (var n = 1; n <= init.max_layers; n++) { layerOptions.push(n); }
    var rateBox = K.h("span", {"class": "cl-rates"});
    var out = K.h("div", {"class": "cl-out"});
    function rateSelects() {
      var boxes = [];
      for (var i = 0; i < state.n; i++) {
        boxes.push(K.select("r_" + (i + 1), "r" + (i + 1), rateOptions,
          state.rates[i], (function (idx) {
            return function (v) { state.rates[idx] = Number(v); draw(); };
          })(i)));
      }
      K.fill(rateBox, boxes);
    }
    function draw() {
      var rep = hdcReport(state.rates.slice(0, state.n), state.k);
      K.fill(out, [
        K.formula(rep.steps.join("\n"), "cl-chain"),
        K.h("div", {"class": "cl-rule"}, rep.rule_text),
        K.h("div", {"class": "cl-exact"}, rep.exact_text),
        K.h("div", {"class": "cl-verdict", style: "font-weight:bold"},
            rep.verdict),
        K.h("div", {"class": "cl-holes"},
            "holes: " + rep.holes.length + " of " + rep.span +
            " along an axis" + (rep.holes.length ? " (offsets " +
            rep.holes.join(", ") + ")" : "") + "; receptive field " +
            rep.span + " " + TIMES + " " + rep.span),
        K.panel("which inputs reach the centre output (red: holes; " +
                "darker: more paths)", coverageMap(rep))]);
    }
    el.appendChild(K.controls([
      K.select("layers", "layers", layerOptions, state.n, function (v) {
        state.n = Number(v); rateSelects(); draw();
      }),
      rateBox,
      K.select("kernel size K", "k", init.kernels, state.k, function (v) {
        state.k = Number(v); draw();
      })]));
    el.appendChild(out);
    rateSelects();
    draw();
  }

  root.convlibHDCMap = {hdcReport: hdcReport, coverage: coverage,
                        mChain: mChain, mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
