// Pooling explorer: max or average pooling of a small square input, with
// every argument torch offers.  `poolReport` mirrors
// convlib.widgets.pool_report (tests hold the two equal, and equal to
// convlib.numpy's pooling, over the whole grid of controls), the sizes,
// starts and divisors from the kit's rules; `mount` draws it with the
// shared kit (convlibKit), its controls from the config's bounds.
(function (root) {
  "use strict";
  var K = root.convlibKit;

  // The sentence of each rule that can refuse a setting ("span_ceil":
  // "span" in ceil mode).
  var REASONS = {"int": "arg.int", "min": "arg.min",
                 half_pad: "pool.half_pad", span: "pool.span",
                 span_ceil: "pool.span_ceil"};

  // {size, text, reason} of one axis, from the kit's rules.
  function working(kind, n, k, s, p, d, ceil) {
    var out = K.rules.pool(n, k, s, p, d, ceil);
    var words = Object.assign({n: n, k: k, s: s, p: p, d: d, s1: s - 1,
                               size: out.size}, out.facts);
    var refused = function (key, text) {
      return {size: null, text: text || "", reason: K.t(key, words)};
    };
    if (out.rule === "int" || out.rule === "min") {
      return refused(REASONS[out.rule]);
    }
    if (kind === "avg" && d !== 1) {  // F.avg_pool2d takes no dilation
      return refused("pool.avg_dilation");
    }
    if (out.rule === "half_pad") { return refused("pool.half_pad"); }
    var text = K.t(ceil ? "pool.formula_ceil" : "pool.formula_floor",
                   words);
    if (out.rule) {
      return refused(REASONS[ceil ? "span_ceil" : "span"], text);
    }
    if (ceil) {
      words.formula = text;
      text = K.t(out.size === out.facts.raw ? "pool.kept" : "pool.dropped",
                 words);
    }
    return {size: out.size, text: text, reason: ""};
  }

  // One output cell: max (value, flat index) or average (value, divisor).
  function poolCell(kind, x, n, r0, c0, k, d, div) {
    var best = -Infinity, at = -1, sum = 0;
    for (var u = 0; u < k; u++) {
      var r = r0 + u * d;
      if (r < 0 || r >= n) { continue; }
      for (var v = 0; v < k; v++) {
        var c = c0 + v * d;
        if (c < 0 || c >= n) { continue; }
        if (x[r][c] > best) { best = x[r][c]; at = r * n + c; }
        sum += x[r][c];
      }
    }
    return kind === "max" ? [best, at] : [sum / div, div];
  }

  // The report for one setting: {size, starts, output, indices, divisors,
  // formula, reason}, as convlib.widgets.pool_report.  s = 0 or null
  // means the kernel size (torch's default stride).
  function poolReport(kind, x, k, s, p, d, ceil, cip) {
    var n = x.length, stride = s ? s : k;
    var res = {size: null, starts: [], output: null, indices: null,
               divisors: null, formula: "", reason: ""};
    var f = working(kind, n, k, stride, p, d, ceil);
    res.formula = f.text;
    res.reason = f.reason;
    if (f.size === null) { return res; }
    res.size = f.size;
    res.starts = K.rules.starts(f.size, stride, p);
    var div = K.rules.windowCounts(n, f.size, k, stride, p, cip);
    var out = [], aux = [];
    res.starts.forEach(function (r0, i) {
      var row = [], auxRow = [];
      res.starts.forEach(function (c0, j) {
        var cell = poolCell(kind, x, n, r0, c0, k, d, div[i] * div[j]);
        row.push(cell[0]);
        auxRow.push(cell[1]);
      });
      out.push(row);
      aux.push(auxRow);
    });
    res.output = out;
    if (kind === "max") { res.indices = aux; } else { res.divisors = aux; }
    return res;
  }

  // How many windows read each input cell (taps only, dilation included).
  function readCounts(n, starts, k, d) {
    var along = [];
    for (var c = 0; c < n; c++) { along.push(0); }
    starts.forEach(function (a) {
      for (var v = 0; v < k; v++) {
        if (a + v * d >= 0 && a + v * d < n) { along[a + v * d] += 1; }
      }
    });
    return along;
  }

  function mount(el, init) {
    var st = {kind: init.kind, k: init.k, s: init.s, p: init.p, d: init.d,
              ceil: init.ceil, cip: init.cip, win: 0};
    var x = init.input, n = x.length;
    var info = K.h("div", {}), grids = K.h("div", {"class": "cl-grids"});
    var slider = K.h("input", {type: "range", "data-field": "window",
                               min: 0, max: 0, value: 0});
    var windowText = K.formula("", "cl-window");
    var set = function (key, conv) {
      return function (v) { st[key] = conv(v); st.win = 0; draw(); };
    };
    var bounds = init.controls;
    var choices = function (key) {  // the integers of a select's bounds
      return K.options(bounds[key][0], bounds[key][1]);
    };
    var cipBox = K.checkbox(K.t("pool.cip"), "cip", st.cip,
                            set("cip", Boolean));
    K.fill(el, [K.controls([
      K.select(K.t("pool.kind"), "kind", bounds.kind.map(function (kind) {
        return [kind, K.t("pool.kind_" + kind)];
      }), st.kind, set("kind", String)),
      K.select(K.t("pool.k"), "k", choices("k"), st.k, set("k", Number)),
      K.select(K.t("pool.s"), "s", [[0, K.t("pool.s_kernel")]].concat(
        choices("s")), st.s, set("s", Number)),
      K.select(K.t("pool.p"), "p", choices("p"), st.p, set("p", Number)),
      K.select(K.t("pool.d"), "d", choices("d"), st.d, set("d", Number)),
      K.checkbox(K.t("pool.ceil"), "ceil", st.ceil, set("ceil", Boolean)),
      cipBox]),
      info, grids,
      K.h("label", {}, [K.t("pool.window") + " ", slider]), windowText]);
    slider.addEventListener("input", function () {
      st.win = Number(slider.value);
      draw();
    });
    grids.addEventListener("click", function (e) {
      var td = e.target.closest ? e.target.closest(".cl-output td") : null;
      var res = current();
      if (!td || !res.size) { return; }
      st.win = Number(td.getAttribute("data-r")) * res.size +
        Number(td.getAttribute("data-c"));
      draw();
    });

    function current() {
      return poolReport(st.kind, x, st.k, st.s, st.p, st.d, st.ceil,
                        st.cip);
    }

    function draw() {
      var res = current();
      cipBox.querySelector("input").disabled = st.kind !== "avg";
      var size = res.size === null ? K.t("pool.invalid")
        : res.size + K.TIMES + res.size;
      K.fill(info, [K.formula(res.formula),
        K.h("div", {}, [K.t("pool.output_size") + " ",
                        K.h("b", {"class": "cl-size"}, size)]),
        res.reason ? K.error(res.reason) : K.h("div", {"class": "cl-reason"})
      ]);
      var count = res.size ? res.size * res.size : 0;
      st.win = Math.max(0, Math.min(st.win, count - 1));
      slider.max = String(Math.max(count - 1, 0));
      slider.value = String(st.win);
      slider.disabled = !count;
      var panels = [K.panel(K.t("pool.input"), inputGrid(res),
                            "cl-input-panel")];
      if (count) {
        panels.push(K.panel(K.t("pool.output"), outputGrid(res),
                            "cl-output-panel"));
      }
      K.fill(grids, panels);
      K.fill(windowText, count ? describe(res) : "");
    }

    function selected(res) {
      return {i: Math.floor(st.win / res.size), j: st.win % res.size};
    }

    // The padded input, extended to cover windows that ceil_mode lets run
    // past the padding; cells shaded by how many windows read them.
    function inputGrid(res) {
      var p = st.p, k = st.k, d = st.d, span = K.rules.span(k, d);
      var hi = n + p;
      if (res.size) { hi = Math.max(hi, res.starts[res.size - 1] + span); }
      var cells = [], idx = [];
      for (var r = -p; r < hi; r++) {
        var row = [];
        for (var c = -p; c < hi; c++) { row.push([r, c]); }
        cells.push(row);
      }
      var counts = res.size ? readCounts(n, res.starts, k, d) : null;
      var sel = res.size ? selected(res) : null;
      var argmax = res.indices ? res.indices[sel.i][sel.j] : -1;
      var tap = function (a, start) {
        var off = a - start;
        return off >= 0 && off < span && off % d === 0;
      };
      return K.grid(cells, function (r0, c0, rc) {
        var r = rc[0], c = rc[1];
        var inside = r >= 0 && r < n && c >= 0 && c < n;
        var inPad = r < n + p && c < n + p;
        var s = {text: inside ? K.fmt(x[r][c]) : (inPad ?
          (st.kind === "max" ? K.MINUS + "\u221e" : "0") : ""),
                 bg: inside ? K.PAPER : (inPad ? K.COLORS.pad
                                         : K.tint(K.COLORS.pad, 0.3)),
                 color: inside ? K.INK : K.COLORS.muted};
        if (inside && counts) {
          var reads = counts[r] * counts[c];
          s.title = K.t(reads === 1 ? "pool.read_once" : "pool.read_by",
                        {reads: reads});
          s.bg = reads ? K.shade(0.12 * reads) : K.COLORS.hole;
          if (reads > 3) { s.color = K.PAPER; }
        } else if (!inPad) {
          s.title = K.t("pool.past_padding");
        }
        if (sel && tap(r, res.starts[sel.i]) && tap(c, res.starts[sel.j])) {
          s.bg = K.COLORS.window;
          s.color = K.INK;
        }
        if (inside && r * n + c === argmax) { s.border = K.COLORS.error; }
        return s;
      }, "cl-input");
    }

    function outputGrid(res) {
      var sel = selected(res);
      return K.grid(res.output, function (r, c) {
        return (r === sel.i && c === sel.j) ? {bg: K.COLORS.window} : {};
      }, "cl-output");
    }

    // "output[i, j] = max(...) = v" or "= (a + b + ...) / div = v".
    function describe(res) {
      var sel = selected(res), vals = [];
      var r0 = res.starts[sel.i], c0 = res.starts[sel.j];
      for (var u = 0; u < st.k; u++) {
        for (var v = 0; v < st.k; v++) {
          var r = r0 + u * st.d, c = c0 + v * st.d;
          if (r >= 0 && r < n && c >= 0 && c < n) {
            vals.push(K.fmt(x[r][c]));
          }
        }
      }
      var words = {i: sel.i, j: sel.j, value: K.fmt(res.output[sel.i][sel.j])};
      if (res.indices) {
        var at = res.indices[sel.i][sel.j];
        return K.t("pool.max_window", Object.assign(words, {
          values: vals.join(", "), r: Math.floor(at / n), c: at % n,
          at: at}));
      }
      return K.t("pool.avg_window", Object.assign(words, {
        values: vals.join(" + "), divisor: res.divisors[sel.i][sel.j]}));
    }

    draw();
  }

  root.convlibPoolingExplorer = {poolReport: poolReport, mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
