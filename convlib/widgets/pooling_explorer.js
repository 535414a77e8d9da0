// Pooling explorer: max or average pooling of a small input, with every
// argument torch offers, each for rows and columns apart (torch's pairs).
// `poolReport` mirrors convlib.widgets.pool_report (tests hold the two
// equal, and equal to convlib.numpy's pooling, over the grid of
// controls), the sizes, starts and divisors from the kit's rules;
// `mount` draws it with the shared kit (convlibKit), its controls from
// the config's bounds.  Every control works from the keyboard (Tab,
// arrow keys, Enter), and the result is announced in a live region.
(function (root) {
  "use strict";
  var K = root.convlibKit;

  // The sentence of each rule that can refuse a setting ("span_ceil":
  // "span" in ceil mode).
  var REASONS = {"int": "arg.int", "min": "arg.min",
                 half_pad: "pool.half_pad", span: "pool.span",
                 span_ceil: "pool.span_ceil"};
  // As convlib.widgets.pooling.CHANGE_TOLERANCE.
  var TOLERANCE = 1e-9;

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

  // One text for both axes, as pool_report's `_together`: the rows'
  // alone when the axes' settings are equal, else each named.
  function together(axes, part) {
    var same = axes[0].args.join() === axes[1].args.join();
    if (same) { return axes[0][part]; }
    var named = [];
    ["rows", "cols"].forEach(function (name, i) {
      if (axes[i][part]) {
        named.push(K.t("pool.axis", {axis: K.t("pool." + name),
                                     line: axes[i][part]}));
      }
    });
    return part === "reason" ? (named[0] || "") : named.join("\n");
  }

  // One output cell: max (value, flat index) or average (value, divisor).
  function poolCell(kind, x, r0, c0, o, div) {
    var best = -Infinity, at = -1, sum = 0;
    var h = x.length, w = x[0].length;
    for (var u = 0; u < o.k[0]; u++) {
      var r = r0 + u * o.d[0];
      if (r < 0 || r >= h) { continue; }
      for (var v = 0; v < o.k[1]; v++) {
        var c = c0 + v * o.d[1];
        if (c < 0 || c >= w) { continue; }
        if (x[r][c] > best) { best = x[r][c]; at = r * w + c; }
        sum += x[r][c];
      }
    }
    return kind === "max" ? [best, at] : [sum / div, div];
  }

  // The plane x moved one column to the right, circularly (np.roll).
  function shifted(x) {
    return x.map(function (row) {
      return [row[row.length - 1]].concat(row.slice(0, row.length - 1));
    });
  }

  // Output and indices (max) or divisors (average) of x.
  function pooled(x, o, starts, div) {
    var out = [], aux = [];
    starts[0].forEach(function (r0, i) {
      var row = [], auxRow = [];
      starts[1].forEach(function (c0, j) {
        var cell = poolCell(o.kind, x, r0, c0, o,
                            o.div || div[0][i] * div[1][j]);
        row.push(cell[0]);
        auxRow.push(cell[1]);
      });
      out.push(row);
      aux.push(auxRow);
    });
    return {output: out, aux: aux};
  }

  function differ(a, b) {
    return a !== b && !(Math.abs(a - b) <=
                        TOLERANCE * Math.max(1, Math.abs(b)));
  }

  // The report for one setting: {size, starts, output, indices, divisors,
  // changed, formula, reason}, as convlib.widgets.pool_report.  `o`:
  // {kind, k, s, p, d (each [rows, columns]; a stride of 0 means the
  // kernel size), ceil, cip, div (0: none), shift}.
  function poolReport(x, o) {
    var n = [x.length, x[0].length];
    var s = [0, 1].map(function (i) { return o.s[i] ? o.s[i] : o.k[i]; });
    var opts = Object.assign({}, o, {s: s});
    var res = {size: null, starts: [[], []], output: null, indices: null,
               divisors: null, changed: null, formula: "", reason: ""};
    var axes = [0, 1].map(function (i) {
      var f = working(o.kind, n[i], o.k[i], s[i], o.p[i], o.d[i], o.ceil);
      return {args: [n[i], o.k[i], s[i], o.p[i], o.d[i]], size: f.size,
              formula: f.text, reason: f.reason};
    });
    res.formula = together(axes, "formula");
    res.reason = together(axes, "reason");
    if (res.reason) { return res; }
    res.size = [axes[0].size, axes[1].size];
    res.starts = [0, 1].map(function (i) {
      return K.rules.starts(res.size[i], s[i], o.p[i]);
    });
    var div = [0, 1].map(function (i) {
      return K.rules.windowCounts(n[i], res.size[i], o.k[i], s[i], o.p[i],
                                  o.cip);
    });
    var now = pooled(o.shift ? shifted(x) : x, opts, res.starts, div);
    res.output = now.output;
    if (o.shift) {
      var before = pooled(x, opts, res.starts, div).output;
      res.changed = now.output.map(function (row, i) {
        return row.map(function (v, j) { return differ(v, before[i][j]); });
      });
    }
    if (o.kind === "max") { res.indices = now.aux; } else {
      res.divisors = now.aux;
    }
    return res;
  }

  // The input typed in the text box: rows on lines, numbers apart by
  // spaces or commas.  {x} or {error}.
  function parseInput(textValue, sides) {
    var lines = textValue.split("\n").map(function (l) {
      return l.trim();
    }).filter(function (l) { return l; });
    var x = [];
    for (var r = 0; r < lines.length; r++) {
      var cells = lines[r].split(/[\s,;]+/).filter(function (c) {
        return c;
      });
      var row = [];
      for (var c = 0; c < cells.length; c++) {
        var v = Number(cells[c].replace(K.MINUS, "-"));
        if (!isFinite(v)) {
          return {error: K.t("pool.input_number",
                             {row: r + 1, value: cells[c]})};
        }
        row.push(v);
      }
      if (x.length && row.length !== x[0].length) {
        return {error: K.t("pool.input_ragged", {first: x[0].length,
                                                  row: r + 1,
                                                  got: row.length})};
      }
      x.push(row);
    }
    var h = x.length, w = h ? x[0].length : 0;
    if (h < sides[0] || h > sides[1] || w < sides[0] || w > sides[1]) {
      return {error: K.t("pool.input_size", {lo: sides[0], hi: sides[1],
                                             rows: h, cols: w})};
    }
    return {x: x};
  }

  // How many windows read each cell along one axis (taps only).
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

  // A labelled select (rows or columns of one argument).
  function axisSelect(label, field, choices, value, onChange) {
    var sel = K.h("select", {"data-field": field, "aria-label": label},
      choices.map(function (o) {
        var v = Array.isArray(o) ? o[0] : o;
        var shown = Array.isArray(o) ? o[1] : o;
        return K.h("option", {value: v,
                              selected: String(v) === String(value)},
                   String(shown));
      }));
    sel.addEventListener("change", function () { onChange(sel.value); });
    return sel;
  }

  // "name ( [rows], [columns] )": the pair torch takes.
  function pair(name, key, choices, values, onChange) {
    var pick = function (i, axis) {
      return axisSelect(K.t("pool.pair_axis", {name: name,
                                               axis: K.t("pool." + axis)}),
                        key + (i ? "w" : "h"), choices, values[i],
                        function (v) { onChange(i, Number(v)); });
    };
    return K.h("span", {role: "group", "aria-label": name,
                        style: "margin-right:1em;white-space:nowrap;" +
                               "display:inline-block"},
               [name + " (", pick(0, "rows"), ", ", pick(1, "cols"), ")"]);
  }

  var STYLE = ".convlib-pooling-explorer :focus-visible{outline:3px solid " +
    "Highlight;outline-offset:2px}" +
    ".convlib-pooling-explorer textarea{font-family:monospace}";

  function mount(el, init) {
    var bounds = init.controls;
    var st = {kind: init.kind, k: init.k.slice(), s: init.s.slice(),
              p: init.p.slice(), d: init.d.slice(), ceil: init.ceil,
              cip: init.cip, div: init.div, shift: init.shift, win: 0};
    var x = init.input;
    var info = K.h("div", {}), grids = K.h("div", {"class": "cl-grids"});
    var sizeText = K.h("b", {"class": "cl-size"}, "");
    var windowText = K.h("span", {"class": "cl-window"}, "");
    var shiftText = K.h("span", {"class": "cl-shift"}, "");
    var status = K.h("div", {"class": "cl-status", role: "status",
                             "aria-live": "polite",
                             style: "margin:.3em 0;font-family:monospace;" +
                                    "white-space:pre-wrap"},
                     [K.t("pool.output_size") + " ", sizeText, "\n",
                      windowText, "\n", shiftText]);
    var slider = K.h("input", {type: "range", "data-field": "window",
                               min: 0, max: 0, value: 0});
    var set = function (key, conv) {
      return function (v) { st[key] = conv(v); st.win = 0; draw(); };
    };
    var setAxis = function (key) {
      return function (i, v) { st[key][i] = v; st.win = 0; draw(); };
    };
    var range = function (key) {
      return K.options(bounds[key][0], bounds[key][1]);
    };
    var cipBox = K.checkbox(K.t("pool.cip"), "cip", st.cip,
                            set("cip", Boolean));
    var divSelect = K.select(K.t("pool.div"), "div",
      [[0, K.t("pool.div_none")]].concat(range("div")), st.div,
      set("div", Number));
    var editor = K.h("textarea", {
      "data-field": "input", rows: x.length, cols: 3 * x[0].length + 2,
      "aria-label": K.t("pool.input_edit_label"), spellcheck: "false"},
      x.map(function (row) { return row.map(K.fmt).join(" "); })
        .join("\n"));
    var editorReason = K.h("div", {"class": "cl-input-reason"});
    editor.addEventListener("input", function () {
      var got = parseInput(editor.value, bounds.sides);
      K.fill(editorReason, got.error ? K.error(got.error) : "");
      if (got.x) { x = got.x; st.win = 0; draw(); }
    });
    K.fill(el, [K.h("style", {}, STYLE), K.controls([
      K.select(K.t("pool.kind"), "kind", bounds.kind.map(function (kind) {
        return [kind, K.t("pool.kind_" + kind)];
      }), st.kind, set("kind", String)),
      pair(K.t("pool.k"), "k", range("k"), st.k, setAxis("k")),
      pair(K.t("pool.s"), "s", [[0, K.t("pool.s_kernel")]].concat(
        range("s")), st.s, setAxis("s")),
      pair(K.t("pool.p"), "p", range("p"), st.p, setAxis("p")),
      pair(K.t("pool.d"), "d", range("d"), st.d, setAxis("d")),
      K.checkbox(K.t("pool.ceil"), "ceil", st.ceil, set("ceil", Boolean)),
      cipBox, divSelect,
      K.checkbox(K.t("pool.shift"), "shift", st.shift,
                 set("shift", Boolean))]),
      info, status, grids,
      K.h("label", {}, [K.t("pool.window") + " ", slider]),
      K.h("div", {"class": "cl-legend", style: "font-size:90%"},
          K.t("pool.legend")),
      K.h("details", {}, [K.h("summary", {}, K.t("pool.input_edit")),
                          K.h("div", {style: "font-size:90%"},
                              K.t("pool.input_help", {lo: bounds.sides[0],
                                                      hi: bounds.sides[1]})),
                          editor, editorReason])]);
    // Enter toggles a checkbox too (Space does, natively).
    el.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && e.target.type === "checkbox") {
        e.preventDefault();
        e.target.click();
      }
    });
    slider.addEventListener("input", function () {
      st.win = Number(slider.value);
      draw();
    });
    grids.addEventListener("click", function (e) {
      var td = e.target.closest ? e.target.closest(".cl-output td") : null;
      var res = current();
      if (!td || !res.size) { return; }
      st.win = Number(td.getAttribute("data-r")) * res.size[1] +
        Number(td.getAttribute("data-c"));
      draw();
    });

    function current() {
      return poolReport(x, {kind: st.kind, k: st.k, s: st.s, p: st.p,
                            d: st.d, ceil: st.ceil, cip: st.cip,
                            div: st.kind === "avg" ? st.div : 0,
                            shift: st.shift});
    }

    function draw() {
      var res = current(), avg = st.kind === "avg";
      cipBox.querySelector("input").disabled = !avg;
      divSelect.querySelector("select").disabled = !avg;
      K.fill(info, [K.formula(res.formula),
        res.reason ? K.error(res.reason) : K.h("div", {"class": "cl-reason"})
      ]);
      var count = res.size ? res.size[0] * res.size[1] : 0;
      st.win = Math.max(0, Math.min(st.win, count - 1));
      slider.max = String(Math.max(count - 1, 0));
      slider.value = String(st.win);
      slider.disabled = !count;
      slider.setAttribute("aria-valuetext", count ? windowName(res) : "");
      K.fill(sizeText, res.size ? res.size[0] + K.TIMES + res.size[1]
                                : K.t("pool.invalid"));
      K.fill(windowText, count ? describe(res) : "");
      K.fill(shiftText, count && res.changed ? shiftSummary(res) : "");
      var xs = st.shift ? shifted(x) : x;
      var panels = [K.panel(K.t(st.shift ? "pool.input_shifted"
                                         : "pool.input"),
                            inputGrid(res, xs), "cl-input-panel")];
      if (count) {
        panels.push(K.panel(K.t("pool.output"), outputGrid(res),
                            "cl-output-panel"));
        panels.push(K.panel(K.t(avg ? "pool.divisors" : "pool.indices"),
                            K.grid(avg ? res.divisors : res.indices, null,
                                   "cl-aux"), "cl-aux-panel"));
      }
      K.fill(grids, panels);
    }

    function selected(res) {
      return {i: Math.floor(st.win / res.size[1]), j: st.win % res.size[1]};
    }

    function windowName(res) {
      var sel = selected(res);
      return K.t("pool.window_name", {i: sel.i, j: sel.j});
    }

    // The padded input, extended to cover windows that ceil_mode lets run
    // past the padding; cells shaded by how many windows read them.
    function inputGrid(res, xs) {
      var n = [xs.length, xs[0].length];
      var span = [0, 1].map(function (i) {
        return K.rules.span(st.k[i], st.d[i]);
      });
      var hi = [0, 1].map(function (i) {
        var end = n[i] + st.p[i];
        return res.size ? Math.max(end, res.starts[i][res.size[i] - 1] +
                                   span[i]) : end;
      });
      var cells = [];
      for (var r = -st.p[0]; r < hi[0]; r++) {
        var row = [];
        for (var c = -st.p[1]; c < hi[1]; c++) { row.push([r, c]); }
        cells.push(row);
      }
      var counts = res.size ? [0, 1].map(function (i) {
        return readCounts(n[i], res.starts[i], st.k[i], st.d[i]);
      }) : null;
      var sel = res.size ? selected(res) : null;
      var argmax = res.indices ? res.indices[sel.i][sel.j] : -1;
      var tap = function (a, start, i) {
        var off = a - start;
        return off >= 0 && off < span[i] && off % st.d[i] === 0;
      };
      var unread = [], taps = [];
      var table = K.grid(cells, function (r0, c0, rc) {
        var r = rc[0], c = rc[1];
        var inside = r >= 0 && r < n[0] && c >= 0 && c < n[1];
        var inPad = r < n[0] + st.p[0] && c < n[1] + st.p[1];
        var s = {text: inside ? K.fmt(xs[r][c]) : (inPad ?
          (st.kind === "max" ? K.MINUS + "\u221e" : "0") : ""),
                 bg: inside ? K.PAPER : (inPad ? K.COLORS.pad
                                         : K.tint(K.COLORS.pad, 0.3)),
                 color: inside ? K.INK : K.COLORS.muted};
        if (inside && counts) {
          var reads = counts[0][r] * counts[1][c];
          s.title = K.t(reads === 1 ? "pool.read_once" : "pool.read_by",
                        {reads: reads});
          s.bg = reads ? K.shade(0.12 * reads) : K.COLORS.hole;
          if (reads > 3) { s.color = K.PAPER; }
          if (!reads) { unread.push([r0, c0]); }
        } else if (!inPad) {
          s.title = K.t("pool.past_padding");
        }
        if (sel && tap(r, res.starts[0][sel.i], 0) &&
            tap(c, res.starts[1][sel.j], 1)) {
          s.bg = K.COLORS.window;
          s.color = K.INK;
          taps.push([r0, c0]);
        }
        if (inside && r * n[1] + c === argmax) { s.border = K.COLORS.error; }
        return s;
      }, "cl-input");
      // not by colour alone: unread cells struck out, the window's bold
      unread.forEach(function (rc) {
        var td = table.rows[rc[0]].cells[rc[1]];
        td.style.textDecoration = "line-through";
        td.setAttribute("data-unread", "");
      });
      taps.forEach(function (rc) {
        var td = table.rows[rc[0]].cells[rc[1]];
        td.style.fontWeight = "bold";
        td.setAttribute("data-tap", "");
      });
      return table;
    }

    // The output; the chosen window's cell in the window colour, the
    // cells the shift changed with a dashed outline (and a title).
    function outputGrid(res) {
      var sel = selected(res);
      var table = K.grid(res.output, function (r, c) {
        return (r === sel.i && c === sel.j) ? {bg: K.COLORS.window} : {};
      }, "cl-output");
      if (res.changed) {
        [].forEach.call(table.querySelectorAll("td"), function (td) {
          var r = Number(td.getAttribute("data-r"));
          var c = Number(td.getAttribute("data-c"));
          if (res.changed[r][c]) {
            td.setAttribute("data-changed", "");
            td.title = K.t("pool.changed_cell");
            td.style.outline = "2px dashed " + K.COLORS.error;
            td.style.outlineOffset = "-3px";
            td.style.fontWeight = "bold";
          }
        });
      }
      return table;
    }

    function shiftSummary(res) {
      var changed = 0, total = 0;
      res.changed.forEach(function (row) {
        row.forEach(function (v) { total += 1; changed += v ? 1 : 0; });
      });
      return K.t("pool.shift_summary", {changed: changed, total: total});
    }

    // "output[i, j] = max(...) = v" or "= (a + b + ...) / div = v".
    function describe(res) {
      var sel = selected(res), vals = [];
      var xs = st.shift ? shifted(x) : x, w = xs[0].length;
      var r0 = res.starts[0][sel.i], c0 = res.starts[1][sel.j];
      for (var u = 0; u < st.k[0]; u++) {
        for (var v = 0; v < st.k[1]; v++) {
          var r = r0 + u * st.d[0], c = c0 + v * st.d[1];
          if (r >= 0 && r < xs.length && c >= 0 && c < w) {
            vals.push(K.fmt(xs[r][c]));
          }
        }
      }
      var words = {i: sel.i, j: sel.j, value: K.fmt(res.output[sel.i][sel.j])};
      if (res.indices) {
        var at = res.indices[sel.i][sel.j];
        return K.t("pool.max_window", Object.assign(words, {
          values: vals.join(", "), r: Math.floor(at / w), c: at % w,
          at: at}));
      }
      return K.t("pool.avg_window", Object.assign(words, {
        values: vals.join(" + "), divisor: res.divisors[sel.i][sel.j]}));
    }

    draw();
  }

  root.convlibPoolingExplorer = {poolReport: poolReport,
                                 parseInput: parseInput, mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
