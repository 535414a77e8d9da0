// Pooling explorer: max or average pooling of a small square input, with
// every argument torch offers.  `poolReport` mirrors
// convlib.widgets.pool_report (tests hold the two equal, and equal to
// convlib.numpy's pooling, over the whole grid of controls); `mount`
// draws it with the shared kit (convlibKit).
(function (root) {
  "use strict";
  var K = root.convlibKit, MINUS = K.MINUS, TIMES = K.TIMES;

  function checkSettings(kind, k, s, p, d) {
    var mins = [["kernel_size", k, 1], ["stride", s, 1], ["padding", p, 0],
                ["dilation", d, 1]];
    for (var i = 0; i < mins.length; i++) {
      var name = mins[i][0], v = mins[i][1], lo = mins[i][2];
      if (!Number.isInteger(v)) {
        return name + " must be an integer, got " + String(v);
      }
      if (v < lo) {
        return name + " must be \u2265 " + lo + ", got " + K.num(v);
      }
    }
    if (kind === "avg" && d !== 1) {
      return "average pooling has no dilation in PyTorch (avg_pool2d " +
        "takes no dilation argument), got dilation " + d;
    }
    if (p > Math.floor(k / 2)) {
      return "padding " + p + " is more than half the kernel: PyTorch " +
        "allows at most \u230ak / 2\u230b = \u230a" + k + " / 2\u230b = " +
        Math.floor(k / 2);
    }
    return "";
  }

  // {text, size, reason} of the output-size formula along one axis.
  function formula(n, k, s, p, d, ceil) {
    var top = n + 2 * p - d * (k - 1) - 1;
    var lo = ceil ? "\u2308" : "\u230a", hi = ceil ? "\u2309" : "\u230b";
    var raw = Math.floor((ceil ? top + s - 1 : top) / s) + 1;
    var text = lo + "(" + n + " + 2" + TIMES + p + " " + MINUS + " " + d +
      TIMES + "(" + k + " " + MINUS + " 1) " + MINUS + " 1) / " + s + hi +
      " + 1 = " + lo + K.num(top) + " / " + s + hi + " + 1 = " + raw;
    if (raw < 1) {
      return {text: text, size: null, reason: "the window spans d" + TIMES +
        "(k " + MINUS + " 1) + 1 = " + (d * (k - 1) + 1) + " cells but " +
        "the padded input n + 2p has only " + (n + 2 * p) +
        (ceil ? " plus s " + MINUS + " 1 = " + (s - 1) : "")};
    }
    if (!ceil) { return {text: text, size: raw, reason: ""}; }
    var last = (raw - 1) * s - p;
    var where = "(" + raw + " " + MINUS + " 1)" + TIMES + s + " " + MINUS +
      " " + p + " = ";
    if (last < n) {
      return {text: text + "; the last window starts at " + where +
        K.num(last) + " < n = " + n + ": kept", size: raw, reason: ""};
    }
    return {text: text + "; the last window would start at " + where +
      last + " \u2265 n = " + n + ", past the input: dropped, so " +
      (raw - 1), size: raw - 1, reason: ""};
  }

  function divisors(starts, n, k, p, cip) {
    return starts.map(function (a) {
      var end = Math.min(a + k, n + p);
      return cip ? end - a : Math.min(end, n) - Math.max(a, 0);
    });
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
    res.reason = checkSettings(kind, k, stride, p, d);
    if (res.reason) { return res; }
    var f = formula(n, k, stride, p, d, ceil);
    res.formula = f.text;
    res.reason = f.reason;
    if (f.size === null) { return res; }
    res.size = f.size;
    for (var i = 0; i < f.size; i++) { res.starts.push(i * stride - p); }
    var div = divisors(res.starts, n, k, p, cip), out = [], aux = [];
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
    var opts = function (lo, hi) {
      var o = [];
      for (var v = lo; v <= hi; v++) { o.push(v); }
      return o;
    };
    var cipBox = K.checkbox("count_include_pad", "cip", st.cip,
                            set("cip", Boolean));
    K.fill(el, [K.controls([
      K.select("kind", "kind", [["max", "max"], ["avg", "average"]],
               st.kind, set("kind", String)),
      K.select("kernel_size", "k", opts(1, 4), st.k, set("k", Number)),
      K.select("stride", "s", [[0, "= kernel_size"]].concat(opts(1, 4)),
               st.s, set("s", Number)),
      K.select("padding", "p", opts(0, 2), st.p, set("p", Number)),
      K.select("dilation", "d", opts(1, 3), st.d, set("d", Number)),
      K.checkbox("ceil_mode", "ceil", st.ceil, set("ceil", Boolean)),
      cipBox]),
      info, grids,
      K.h("label", {}, ["window ", slider]), windowText]);
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
      var size = res.size === null ? "invalid" : res.size + TIMES + res.size;
      K.fill(info, [K.formula(res.formula),
        K.h("div", {}, ["output: ", K.h("b", {"class": "cl-size"}, size)]),
        res.reason ? K.error(res.reason) : K.h("div", {"class": "cl-reason"})
      ]);
      var count = res.size ? res.size * res.size : 0;
      st.win = Math.max(0, Math.min(st.win, count - 1));
      slider.max = String(Math.max(count - 1, 0));
      slider.value = String(st.win);
      slider.disabled = !count;
      var panels = [K.panel("input (padding grey)", inputGrid(res),
                            "cl-input-panel")];
      if (count) {
        panels.push(K.panel("output", outputGrid(res), "cl-output-panel"));
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
      var p = st.p, k = st.k, d = st.d, span = d * (k - 1) + 1;
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
          (st.kind === "max" ? MINUS + "\u221e" : "0") : ""),
                 bg: inside ? "#fff" : (inPad ? K.COLORS.pad : "#f7f7f7"),
                 color: inside ? "#000" : K.COLORS.muted};
        if (inside && counts) {
          var reads = counts[r] * counts[c];
          s.title = "read by " + reads + " window" + (reads === 1 ? "" : "s");
          s.bg = reads ? K.shade(0.12 * reads) : K.COLORS.hole;
          if (reads > 3) { s.color = "#fff"; }
        } else if (!inPad) {
          s.title = "past the padding (ceil_mode)";
        }
        if (sel && tap(r, res.starts[sel.i]) && tap(c, res.starts[sel.j])) {
          s.bg = K.COLORS.window;
          s.color = "#000";
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
      var head = "output[" + sel.i + ", " + sel.j + "] = ";
      var value = K.fmt(res.output[sel.i][sel.j]);
      if (res.indices) {
        var at = res.indices[sel.i][sel.j];
        return head + "max(" + vals.join(", ") + ") = " + value +
          ", input (" + Math.floor(at / n) + ", " + (at % n) + "), index " +
          at;
      }
      return head + "(" + vals.join(" + ") + ") / " +
        res.divisors[sel.i][sel.j] + " = " + value;
    }

    draw();
  }

  root.convlibPoolingExplorer = {poolReport: poolReport, mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
