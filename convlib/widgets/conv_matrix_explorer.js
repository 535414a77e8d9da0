// Convolution-matrix explorer: the matrix T of a small convolution
// (vec(y) = T vec(x)), with the padded input, the output and one
// selected output's row of T: its window, its weights, its sum.
// `matrixReport` mirrors convlib.widgets.matrix_report (tests hold the
// two equal, and T equal to convlib.matrix.conv_matrix, over the whole
// grid of controls), sizes and validity from the kit's rules; `mount`
// draws it with the shared kit (convlibKit).  Keyboard: the selects,
// then the outputs (one Tab stop; arrow keys, Home and End move, Enter
// or Space picks); the result is announced in a live region.
(function (root) {
  "use strict";
  var K = root.convlibKit;

  var REASONS = {"int": "arg.int", "min": "arg.min", span: "matrix.span",
                 groups_in: "matrix.groups_in",
                 groups_out: "matrix.groups_out"};
  var KEYS = ["n", "k", "s", "p", "cin", "cout", "g"];

  // {size, reason}: the output side, or the sentence of the rule that
  // refuses the setting.
  function refused(n, k, s, p, cin, cout, g) {
    var words = {n: n, k: k, s: s, p: p, cin: cin, cout: cout, g: g};
    var out = K.rules.conv(n, k, s, p, 1);
    if (out.rule) {
      return {size: null,
              reason: K.t(REASONS[out.rule], Object.assign(words, out.facts))};
    }
    var split = K.rules.groups(cin, cout, g);
    if (split.rule) {
      return {size: null, reason: K.t(REASONS[split.rule], words)};
    }
    return {size: out.size, reason: ""};
  }

  // The kernel taps of output (o, i, j): {c, h, w, cw, u, v, col}, in
  // the order of the weight (C_out, C_in/g, k, k); col -1 on padding.
  function tapsOf(o, i, j, n, k, starts, perIn, perOut) {
    var group = Math.floor(o / perOut), taps = [];
    for (var cw = 0; cw < perIn; cw++) {
      var c = group * perIn + cw;
      for (var u = 0; u < k; u++) {
        for (var v = 0; v < k; v++) {
          var h = starts[i] + u, w = starts[j] + v;
          var inside = h >= 0 && h < n && w >= 0 && w < n;
          taps.push({c: c, h: h, w: w, cw: cw, u: u, v: v,
                     col: inside ? (c * n + h) * n + w : -1});
        }
      }
    }
    return taps;
  }

  // T as the flat index of the weight in each entry (-1 for a zero):
  // row o*m*m + i*m + j holds the taps of output (o, i, j) that land
  // inside the input, each in the column of the input it reads.
  function labelsOf(n, k, s, p, cin, cout, g, m) {
    var rows = cout * m * m, cols = cin * n * n, starts = K.rules.starts(
      m, s, p), perIn = cin / g, perOut = cout / g, labels = [];
    for (var r = 0; r < rows; r++) {
      var line = [];
      for (var c = 0; c < cols; c++) { line.push(-1); }
      labels.push(line);
    }
    for (var o = 0; o < cout; o++) {
      for (var i = 0; i < m; i++) {
        for (var j = 0; j < m; j++) {
          var row = labels[(o * m + i) * m + j];
          tapsOf(o, i, j, n, k, starts, perIn, perOut).forEach(
            function (t) {
              if (t.col >= 0) {
                row[t.col] = ((o * perIn + t.cw) * k + t.u) * k + t.v;
              }
            });
        }
      }
    }
    return labels;
  }

  // {terms, summary} of the selected output.
  function words(taps, o, i, j, row, rows, cols) {
    var inside = taps.filter(function (t) { return t.col >= 0; });
    var at = {o: o, i: i, j: j, row: row, rows: rows, cols: cols,
              taps: taps.length};
    var terms = inside.map(function (t) {
      return K.t("matrix.term", Object.assign({o: o}, t));
    }).join(" + ") || "0";
    return {terms: K.t("matrix.terms", Object.assign({terms: terms}, at)),
            summary: inside.length ? K.t("matrix.summary", Object.assign({
              nonzero: inside.length,
              padded: taps.length - inside.length}, at))
              : K.t("matrix.summary_zero", at)};
  }

  // The report for one setting, as convlib.widgets.matrix_report:
  // {size, rows, cols, labels, output: [o, i, j], row, taps, formula,
  // shape, blocks, terms, summary, reason}.
  function matrixReport(n, k, s, p, cin, cout, g, output) {
    var res = {size: null, rows: 0, cols: 0, labels: null, output: null,
               row: null, taps: [], formula: "", shape: "", blocks: "",
               terms: "", summary: "", reason: ""};
    var ok = refused(n, k, s, p, cin, cout, g);
    if (ok.size === null) { res.reason = ok.reason; return res; }
    var m = ok.size, rows = cout * m * m, cols = cin * n * n;
    var o = Math.floor(output / (m * m)), i = Math.floor(output / m) % m,
      j = output % m;
    res.size = m; res.rows = rows; res.cols = cols; res.row = output;
    res.output = [o, i, j];
    res.labels = labelsOf(n, k, s, p, cin, cout, g, m);
    res.taps = tapsOf(o, i, j, n, k, K.rules.starts(m, s, p), cin / g,
                      cout / g);
    var said = words(res.taps, o, i, j, output, rows, cols);
    res.terms = said.terms;
    res.summary = said.summary;
    var w = {n: n, s: s, m: m, cin: cin, cout: cout, g: g, rows: rows,
             cols: cols, top: n + 2 * p - k, mm: m * m, nn: n * n,
             zero: cout * cin - cout * cin / g};
    res.formula = K.t("matrix.size", w);
    res.shape = K.t("matrix.shape", w);
    res.blocks = K.t("matrix.blocks", w);
    return res;
  }

  // Rectangles stroked on a canvas drawn by the kit's raster(): boxes
  // [[r, c, rows, cols], ...] in cells of `cell` px, in `color`, `width`
  // px wide: the blocks of T and the selected row.
  function frame(canvas, boxes, cell, color, width) {
    var ctx = canvas.getContext("2d");
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    boxes.forEach(function (b) {
      ctx.strokeRect(b[1] * cell + width / 2, b[0] * cell + width / 2,
                     b[3] * cell - width, b[2] * cell - width);
    });
    return canvas;
  }

  function matrixPicture(res, st) {
    var nn = st.n * st.n, mm = res.size * res.size;
    var cell = Math.max(2, Math.min(14, Math.floor(480 / res.cols),
                                     Math.floor(360 / res.rows)));
    var nonzero = 0;
    var canvas = K.raster(res.labels, function (r, col, v) {
      if (v >= 0) {
        nonzero += 1;
        return K.SERIES[Math.floor(col / nn)];
      }
      return r === res.row ? K.COLORS.window : K.tint(K.COLORS.grid, 0);
    }, {cell: cell, "class": "cl-matrix"});
    var blocks = [];
    for (var o = 0; o < st.cout; o++) {
      for (var c = 0; c < st.cin; c++) {
        blocks.push([o * mm, c * nn, mm, nn]);
      }
    }
    frame(canvas, blocks, cell, K.COLORS.grid, 1);
    frame(canvas, [[res.row, 0, 1, res.cols]], cell, K.INK, 2);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", K.t("matrix.picture", {
      rows: res.rows, cols: res.cols, cout: st.cout, cin: st.cin,
      nonzero: nonzero, row: res.row}));
    canvas.setAttribute("data-nonzero", nonzero);
    canvas.style.maxWidth = "100%";
    canvas.style.imageRendering = "pixelated";
    var legend = K.legend(K.options(0, st.cin - 1).map(function (c) {
      return {label: K.t("matrix.legend", {c: c}), color: K.SERIES[c]};
    }));
    return K.panel(K.t("matrix.caption", {rows: res.rows, cols: res.cols}),
                   K.h("div", {}, [canvas, legend]), "cl-matrix-panel");
  }

  function mount(el, init) {
    var st = {output: init.output, focus: init.output};
    KEYS.forEach(function (key) { st[key] = init[key]; });
    var bounds = init.controls;
    var info = K.h("div", {"class": "cl-info"});
    var live = K.h("div", {"class": "cl-summary", role: "status",
                           "aria-live": "polite",
                           style: "font-weight:bold;margin:.4em 0"});
    var grids = K.h("div", {"class": "cl-grids"});
    var picture = K.h("div", {"class": "cl-picture"});
    var terms = K.formula("", "cl-terms");
    var style = K.h("style", {}, ".convlib-conv-matrix-explorer " +
      ".cl-output td:focus{outline:3px solid " + K.INK +
      " !important;outline-offset:-3px}");
    var set = function (key) {
      return function (v) { st[key] = Number(v); draw(); };
    };
    K.fill(el, [style, K.controls(KEYS.map(function (key) {
      return K.select(K.t("matrix." + key), key,
                      K.options(bounds[key][0], bounds[key][1]), st[key],
                      set(key));
    })), info, live, K.h("div", {"class": "cl-hint",
                                 style: "font-size:90%;margin-bottom:.4em"},
                         K.t("matrix.output_hint")),
    grids, picture, terms]);

    grids.addEventListener("click", function (e) {
      var td = e.target.closest ? e.target.closest(".cl-output td") : null;
      if (!td) { return; }
      st.output = st.focus = Number(td.getAttribute("data-row"));
      draw(true);
    });
    grids.addEventListener("keydown", function (e) {
      var td = e.target.closest ? e.target.closest(".cl-output td") : null;
      var res = current();
      if (!td || res.size === null) { return; }
      var m = res.size, at = Number(td.getAttribute("data-row"));
      var to = {ArrowRight: at + 1, ArrowLeft: at - 1, ArrowDown: at + m,
                ArrowUp: at - m, Home: 0, End: res.rows - 1}[e.key];
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        st.output = st.focus = at;
        draw(true);
      } else if (to !== undefined) {
        e.preventDefault();
        st.focus = Math.max(0, Math.min(res.rows - 1, to));
        roving(true);
      }
    });

    function current() {
      return matrixReport(st.n, st.k, st.s, st.p, st.cin, st.cout, st.g,
                          st.output);
    }

    // One Tab stop in the outputs: the focused cell; focus it if asked.
    function roving(focus) {
      grids.querySelectorAll(".cl-output td").forEach(function (td) {
        var mine = Number(td.getAttribute("data-row")) === st.focus;
        td.setAttribute("tabindex", mine ? "0" : "-1");
        if (mine && focus) { td.focus(); }
      });
    }

    function draw(keepFocus) {
      var ok = refused(st.n, st.k, st.s, st.p, st.cin, st.cout, st.g);
      if (ok.size !== null) {
        var rows = st.cout * ok.size * ok.size;
        st.output = Math.min(st.output, rows - 1);
        st.focus = Math.min(st.focus, rows - 1);
      }
      var res = current();
      K.fill(info, res.reason ? [
        K.h("div", {}, [K.h("b", {"class": "cl-size"},
                            K.t("matrix.invalid"))]), K.error(res.reason)]
        : [K.formula(res.formula), K.formula(res.shape, "cl-shape"),
           K.formula(res.blocks, "cl-blocks"),
           K.h("div", {"class": "cl-reason"})]);
      K.fill(live, res.reason ? res.reason : res.summary);
      if (res.reason) {
        K.fill(grids, []);
        K.fill(terms, "");
        K.fill(picture, []);
        return;
      }
      K.fill(grids, inputPanels(res).concat(outputPanels(res)));
      K.fill(terms, res.terms);
      K.fill(picture, [matrixPicture(res, st)]);
      roving(keepFocus);
    }

    // One padded grid per input channel: each cell its column of T,
    // the selected output's taps in the window's colour, outlined.
    function inputPanels(res) {
      var n = st.n, p = st.p, o = res.output[0], byCell = {};
      res.taps.forEach(function (t) { byCell[t.c + "," + t.h + "," + t.w] = t;
      });
      return K.options(0, st.cin - 1).map(function (c) {
        var cells = [];
        for (var r = -p; r < n + p; r++) {
          var line = [];
          for (var q = -p; q < n + p; q++) { line.push([r, q]); }
          cells.push(line);
        }
        var table = K.grid(cells, function (a, b, rq) {
          var h = rq[0], w = rq[1], t = byCell[c + "," + h + "," + w];
          var inside = h >= 0 && h < n && w >= 0 && w < n;
          var col = (c * n + h) * n + w, at = {c: c, h: h, w: w, col: col};
          var s = inside ? {text: String(col),
                            title: K.t("matrix.column", at)}
            : {text: "0", bg: K.COLORS.pad, color: K.INK,
               title: K.t("matrix.pad")};
          if (t) {
            var tap = Object.assign({o: o}, at, t);
            s.bg = K.COLORS.window;
            s.border = K.COLORS.line;
            s.title = K.t(inside ? "matrix.tap" : "matrix.pad_tap", tap);
          }
          return s;
        }, "cl-input");
        table.setAttribute("data-channel", c);
        return K.panel(K.t("matrix.input", {c: c}), table,
                       "cl-input-panel");
      });
    }

    // One grid per output channel: each cell its row of T, focusable.
    function outputPanels(res) {
      var m = res.size;
      return K.options(0, st.cout - 1).map(function (o) {
        var cells = [];
        for (var i = 0; i < m; i++) {
          var line = [];
          for (var j = 0; j < m; j++) { line.push((o * m + i) * m + j); }
          cells.push(line);
        }
        var table = K.grid(cells, function (i, j, row) {
          return row === res.row ? {bg: K.COLORS.window,
                                    border: K.COLORS.line} : {};
        }, "cl-output");
        table.setAttribute("role", "grid");
        table.setAttribute("aria-label", K.t("matrix.outputs", {o: o}));
        table.querySelectorAll("td").forEach(function (td) {
          var i = Number(td.getAttribute("data-r")),
            j = Number(td.getAttribute("data-c")), row = (o * m + i) * m + j;
          td.setAttribute("data-row", row);
          td.setAttribute("tabindex", "-1");
          td.setAttribute("aria-selected", String(row === res.row));
          td.setAttribute("aria-label", K.t("matrix.cell", {
            o: o, i: i, j: j, row: row}));
          td.style.cursor = "pointer";
        });
        return K.panel(K.t("matrix.output", {o: o}), table,
                       "cl-output-panel");
      });
    }

    draw(false);
  }

  root.convlibConvMatrixExplorer = {matrixReport: matrixReport,
                                    frame: frame, mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
