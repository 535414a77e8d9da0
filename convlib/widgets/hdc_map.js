// Receptive-field / HDC coverage map for a stack of stride-1 K x K
// dilated convolutions.  `hdcReport` mirrors convlib.widgets.hdc_report
// (tests hold the two equal over every setting the controls offer), the
// spans from the kit's rules, the words from its string table; `mount`
// draws the controls (bounds from the config), the map and the verdicts
// with convlibKit.
(function (root) {
  "use strict";
  var K = root.convlibKit;

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
        title: K.t("hdc.map_title")});
  }

  function mount(el, init) {
    var state = {n: init.rates.length, rates: init.rates.slice(),
                 k: init.k};
    while (state.rates.length < init.max_layers) { state.rates.push(1); }
    var rateOptions = K.options(1, init.max_rate);
    var layerOptions = K.options(1, init.max_layers);
    var rateBox = K.h("span", {"class": "cl-rates"});
    var out = K.h("div", {"class": "cl-out"});
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
      var rep = hdcReport(state.rates.slice(0, state.n), state.k);
      K.fill(out, [
        K.formula(rep.steps.join("\n"), "cl-chain"),
        K.h("div", {"class": "cl-rule"}, rep.rule_text),
        K.h("div", {"class": "cl-exact"}, rep.exact_text),
        K.h("div", {"class": "cl-verdict", style: "font-weight:bold"},
            rep.verdict),
        K.h("div", {"class": "cl-holes"}, K.t(
          rep.holes.length ? "hdc.holes_at" : "hdc.holes",
          {holes: rep.holes.length, span: rep.span,
           offsets: rep.holes.join(", ")})),
        K.panel(K.t("hdc.map"), coverageMap(rep))]);
    }
    el.appendChild(K.controls([
      K.select(K.t("hdc.layers"), "layers", layerOptions, state.n,
               function (v) { state.n = Number(v); rateSelects(); draw(); }),
      rateBox,
      K.select(K.t("hdc.k"), "k", init.kernels, state.k, function (v) {
        state.k = Number(v); draw();
      })]));
    el.appendChild(out);
    rateSelects();
    draw();
  }

  root.convlibHDCMap = {hdcReport: hdcReport, coverage: coverage,
                        mChain: mChain, mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
