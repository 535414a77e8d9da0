// Transposed-convolution stepper, in two views of one computation.
// Scatter: each input cell adds its value times the kernel into the sum,
// `stride` cells apart (taps `dilation` apart); overlapping patches add
// up, `padding` crops the border of the sum and `output_padding` keeps
// more of it at the end.  Zero insertion: the same output is a stride-1
// convolution of the input with stride - 1 zeros between its cells,
// d(k - 1) - p zeros around them (o more at the end), and the kernel
// flipped.  `scatterSteps`, `zeroInsertion` and `phaseCounts` mirror
// convlib.widgets.scatter_steps, zero_insertion_view and phase_counts
// (tests hold them equal, and to convlib.numpy.conv_transpose2d, over
// every setting of the controls); the sizes come from the kit's rules;
// `mount` draws it with the shared kit (convlibKit).
(function (root) {
  "use strict";
  var K = root.convlibKit;
  var INPUT = 0, INSERTED = 1, PADDING = 2;  // kinds of zero-insertion cells

  function zeros(h, w) {
    var out = [];
    for (var r = 0; r < h; r++) { out.push(new Array(w).fill(0)); }
    return out;
  }

  function crop(grid, top, left, h, w) {
    return grid.slice(top, top + h).map(function (row) {
      return row.slice(left, left + w);
    });
  }

  // The size formula with the numbers put in, its value and the rule
  // that refuses it ("" when none).
  function sizeFormula(n, k, s, p, o, d) {
    var out = K.rules.transpose(n, k, s, p, o, d), raw = out.facts.raw;
    return {size: raw, rule: out.rule,
            text: K.t("transposed.formula", {n: n, k: k, s: s, p: p, o: o,
                                             d: d, raw: raw})};
  }

  // The geometry both views share: {outH, outW, formulas, error}.
  function geometry(input, kernel, s, p, o, d) {
    var h = input.length, w = input[0].length;
    var kh = kernel.length, kw = kernel[0].length;
    var fh = sizeFormula(h, kh, s, p, o, d);
    var fw = sizeFormula(w, kw, s, p, o, d);
    var g = {outH: fh.size, outW: fw.size, formulas: [fh.text, fw.text],
             error: ""};
    var rule = fh.rule || fw.rule;
    if (rule === "output_padding") {
      g.error = K.t("transposed.op_rule", {o: o, s: s, d: d,
                                            most: Math.max(s, d)});
    } else if (rule) {
      g.error = K.t("transposed.crops_all", {
        p: p, crop: 2 * p, size: Math.min(fh.size, fw.size),
        h: K.rules.transpose(h, kh, s, 0, 0, d).size,
        w: K.rules.transpose(w, kw, s, 0, 0, d).size});
    }
    return g;
  }

  // Every step of a single-channel 2-D transposed convolution of `input`
  // (2-D array) with `kernel` (2-D array), int stride s, padding p,
  // output_padding o and dilation d: {canvasH, canvasW, outH, outW,
  // steps, error, formulas}.  Step t is input cell (row, col) =
  // divmod(t, W): {row, col, top, left, patch, canvas, output, counts},
  // the canvas being the uncropped sum so far (extended by o - p zero
  // cells at the end where that is positive) and counts the patches
  // over each output cell so far.
  function scatterSteps(input, kernel, s, p, o, d) {
    var h = input.length, w = input[0].length;
    var kh = kernel.length, kw = kernel[0].length;
    var res = geometry(input, kernel, s, p, o, d);
    res.steps = [];
    res.canvasH = K.rules.transpose(h, kh, s, 0, 0, d).size +
      Math.max(o - p, 0);
    res.canvasW = K.rules.transpose(w, kw, s, 0, 0, d).size +
      Math.max(o - p, 0);
    if (res.error) { return res; }
    var canvas = zeros(res.canvasH, res.canvasW);
    var covered = zeros(res.canvasH, res.canvasW);
    for (var i = 0; i < h; i++) {
      for (var j = 0; j < w; j++) {
        var top = i * s, left = j * s, patch = [];
        for (var u = 0; u < kh; u++) {
          var prow = [];
          for (var v = 0; v < kw; v++) {
            var x = input[i][j] * kernel[u][v];
            prow.push(x);
            canvas[top + d * u][left + d * v] += x;
            covered[top + d * u][left + d * v] += 1;
          }
          patch.push(prow);
        }
        res.steps.push({
          row: i, col: j, top: top, left: left, patch: patch,
          canvas: canvas.map(function (r) { return r.slice(); }),
          output: crop(canvas, p, p, res.outH, res.outW),
          counts: crop(covered, p, p, res.outH, res.outW)});
      }
    }
    return res;
  }

  // The zero-insertion view of the same call: {outH, outW, formulas,
  // error, padded, kind, edges, flipped, output, counts}.  padded is the
  // input with s - 1 zeros between its cells and edges[a] = [before,
  // after] zeros around them along axis a (negative: cells cropped);
  // kind marks each cell INPUT, INSERTED or PADDING; output[r][c] sums
  // padded[r + d*u][c + d*v] * flipped[u][v]; counts[r][c] is how many
  // of those taps fall on input values.
  function zeroInsertion(input, kernel, s, p, o, d) {
    var h = input.length, w = input[0].length;
    var kh = kernel.length, kw = kernel[0].length;
    var res = geometry(input, kernel, s, p, o, d);
    if (res.error) { return res; }
    var eh = K.rules.span(kh, d) - 1, ew = K.rules.span(kw, d) - 1;
    res.edges = [[eh - p, eh - p + o], [ew - p, ew - p + o]];
    var H = (h - 1) * s + 1 + res.edges[0][0] + res.edges[0][1];
    var W = (w - 1) * s + 1 + res.edges[1][0] + res.edges[1][1];
    res.padded = zeros(H, W);
    res.kind = [];
    for (var r = 0; r < H; r++) {
      var kinds = [];
      for (var c = 0; c < W; c++) {
        // position on the zero-inserted input (before padding)
        var a = r - res.edges[0][0], b = c - res.edges[1][0];
        var inside = a >= 0 && b >= 0 && a <= (h - 1) * s &&
          b <= (w - 1) * s;
        var on = inside && a % s === 0 && b % s === 0;
        kinds.push(on ? INPUT : (inside ? INSERTED : PADDING));
        if (on) { res.padded[r][c] = input[a / s][b / s]; }
      }
      res.kind.push(kinds);
    }
    res.flipped = kernel.slice().reverse().map(function (row) {
      return row.slice().reverse();
    });
    res.output = zeros(res.outH, res.outW);
    res.counts = zeros(res.outH, res.outW);
    for (var i = 0; i < res.outH; i++) {
      for (var j = 0; j < res.outW; j++) {
        for (var u = 0; u < kh; u++) {
          for (var v = 0; v < kw; v++) {
            var y = i + d * u, x = j + d * v;
            res.output[i][j] += res.padded[y][x] * res.flipped[u][v];
            res.counts[i][j] += res.kind[y][x] === INPUT ? 1 : 0;
          }
        }
      }
    }
    return res;
  }

  // Patches over an output cell far from the border, for each phase
  // 0 .. s-1 along one axis: taps u in 0..k-1 with d*u = phase (mod s).
  function phaseCounts(k, s, d) {
    var out = [];
    for (var r = 0; r < s; r++) {
      var n = 0;
      for (var u = 0; u < k; u++) { n += (d * u - r) % s === 0 ? 1 : 0; }
      out.push(n);
    }
    return out;
  }

  // The verdict sentence: the counts a large input gives (products of a
  // row phase's and a column phase's), even, uneven or with holes.
  function verdict(k, s, d) {
    var one = phaseCounts(k, s, d), seen = {};
    one.forEach(function (a) { one.forEach(function (b) {
      seen[a * b] = true;
    }); });
    var counts = Object.keys(seen).map(Number).sort(function (a, b) {
      return a - b;
    });
    var key = counts[0] === 0 ? "holes"
      : (counts.length === 1 ? "even" : "uneven");
    return K.t("transposed.verdict_" + key, {
      counts: counts.map(String).join(", ").replace(/, (\d+)$/,
        K.t("transposed.or") + "$1")});
  }

  // Heat shading of a count: white for 1 .. the palette's line colour
  // at `most`, kept light enough for black text; the hole colour for 0.
  function heat(count, most) {
    return count === 0 ? {bg: K.COLORS.hole}
      : {bg: K.shade(0.45 * count / Math.max(most, 1))};
  }

  function mount(el, init) {
    var state = {k: init.kernel_size, s: init.stride, p: init.padding,
                 o: init.output_padding, d: init.dilation,
                 values: init.values, zi: !!init.zero_insertion, step: 0};
    var last = 0;  // the number of steps drawn last
    function setting(key) {
      return function (v) {
        state[key] = key === "values" ? v : (key === "zi" ? v : Number(v));
        if (key === "zi") {  // the other view: its first step, or its last
          state.step = state.step === last - 1 ? 1e9 : 0;
        }
        draw();
      };
    }
    function move(delta) {
      return function () { state.step += delta; draw(); };
    }
    var stepText = K.h("span", {"class": "cl-step"}, "");
    var slider = K.range(K.t("transposed.cell"), "step", [1, 1], 1,
                         function (v) { state.step = v - 1; draw(); });
    var label = slider.firstChild;  // the slider's text, per view
    // The main result, read out by screen readers when it changes: the
    // output size, the verdict on the overlap and the current step.
    var live = {size: K.formula("", "cl-size-formula"),
                verdict: K.h("div", {"class": "cl-verdict"}, ""),
                text: K.formula("", "cl-products")};
    var body = K.h("div", {"class": "cl-body"}, []);
    K.fill(el, [
      K.controls([
        K.select(K.t("transposed.kernel_size"), "kernel", init.kernel_sizes,
                 state.k, setting("k")),
        K.select(K.t("transposed.stride"), "stride", init.strides, state.s,
                 setting("s")),
        K.select(K.t("transposed.padding"), "padding", init.paddings,
                 state.p, setting("p")),
        K.select(K.t("transposed.output_padding"), "output_padding",
                 init.output_paddings, state.o, setting("o")),
        K.select(K.t("transposed.dilation"), "dilation", init.dilations,
                 state.d, setting("d")),
        K.select(K.t("transposed.values"), "values",
                 Object.keys(init.inputs).map(function (key) {
                   return [key, K.t("transposed.values_" + key)];
                 }), state.values, setting("values")),
        K.checkbox(K.t("transposed.zero_insertion"), "zero_insertion",
                   state.zi, setting("zi"))]),
      K.controls([slider, K.button(K.t("kit.back"), "prev", move(-1)), " ",
                  K.button(K.t("kit.next"), "next", move(1)), " ",
                  K.button(K.t("transposed.all"), "all", move(1e9)), " ",
                  stepText]),
      K.h("div", {"class": "cl-live", role: "status", "aria-live": "polite"},
          [live.size, live.verdict, live.text]),
      body]);
    var input = slider.querySelector("input");
    var shown = slider.querySelector("[data-value]");

    // The drawn panels, kept between draws: a step that keeps the grids'
    // shapes repaints them in place (convlibKit.repaint) instead of
    // building new ones.  null after an error message.
    var view = null;

    function draw() {
      var x = init.inputs[state.values];
      var w = init.kernels[state.values][init.kernel_sizes.indexOf(state.k)];
      var res = state.zi
        ? zeroInsertion(x, w, state.s, state.p, state.o, state.d)
        : scatterSteps(x, w, state.s, state.p, state.o, state.d);
      var n = state.zi ? Math.max(res.outH * res.outW, 1)
        : x.length * x[0].length;
      state.step = Math.max(0, Math.min(state.step, n - 1));
      last = n;
      input.max = String(n);
      input.value = String(state.step + 1);
      K.fill(shown, String(state.step + 1));
      var what = K.t(state.zi ? "transposed.out_cell" : "transposed.cell");
      label.nodeValue = what + " ";
      input.setAttribute("aria-label", what);  // not the number after it
      K.fill(live.size, K.t("transposed.size") + " " + res.formulas[0] +
             (res.outH === res.outW ? "" : ", " + res.formulas[1]));
      if (res.error) {
        view = null;
        K.fill(stepText, "");
        K.fill(live.verdict, "");
        K.fill(live.text, "");
        K.fill(body, [K.error(res.error)]);
        return;
      }
      K.fill(live.verdict, verdict(state.k, state.s, state.d));
      K.fill(stepText, K.t("transposed.step", {step: state.step + 1,
                                               steps: n}));
      var drawn = state.zi ? zeroPanels(x, w, res) : scatterPanels(x, w, res);
      K.fill(live.text, drawn.text);
      show(drawn.notes, drawn.panels);
    }

    function show(notes, specs) {
      if (!view || view.count !== specs.length) {
        view = {notes: K.h("div", {"class": "cl-zeros"}, ""),
                row: K.h("div", {"class": "cl-panels",
                                 style: "overflow-x:auto;max-width:100%"},
                         []),
                panels: [], count: specs.length};
        K.fill(body, [view.notes, view.row]);
      }
      K.fill(view.notes, notes);
      specs.forEach(function (sp, i) {
        var old = view.panels[i];
        if (old && old.cls === sp.cls &&
            K.repaint(old.table, sp.values, sp.style)) {
          if (old.caption !== sp.caption) {
            K.fill(old.panel.firstChild, sp.caption);
            old.table.setAttribute("aria-label", sp.caption);
            old.caption = sp.caption;
          }
          return;
        }
        var table = K.grid(sp.values, sp.style, sp.cls);
        table.setAttribute("aria-label", sp.caption);
        var panel = K.panel(sp.caption, table);
        if (old) {
          view.row.replaceChild(panel, old.panel);
        } else {
          view.row.appendChild(panel);
        }
        view.panels[i] = {panel: panel, table: table, caption: sp.caption,
                          cls: sp.cls};
      });
      // A grid wider than 12 cells (the zero-insertion view's, at large
      // settings) gets smaller cells; one still wider than the page
      // scrolls inside the demo, and that region can then take the focus
      // so that the keyboard can scroll it.
      view.panels.forEach(function (pn) {
        pn.table.style.fontSize = pn.table.rows[0].cells.length > 12
          ? "75%" : "";
      });
      var scrolls = view.row.scrollWidth > view.row.clientWidth + 1;
      view.row.setAttribute("tabindex", scrolls ? "0" : "-1");
      if (scrolls) {
        view.row.setAttribute("role", "region");
        view.row.setAttribute("aria-label", K.t("transposed.panels"));
      } else {
        view.row.removeAttribute("role");
        view.row.removeAttribute("aria-label");
      }
    }

    // The heat panel: counts so far (cells not reached yet stay blank),
    // shaded against the largest count of the finished output.
    function countsPanel(counts, final, reached, caption) {
      var most = 0;
      final.forEach(function (row) {
        row.forEach(function (v) { most = Math.max(most, v); });
      });
      return {caption: caption, values: counts, cls: "cl-counts",
              style: function (r, c, v) {
                if (!reached(r, c)) { return {text: ""}; }
                return heat(v, most);
              }};
    }

    // The scatter view of step state.step: {text, notes, panels}.
    function scatterPanels(x, w, res) {
      var p = state.p, d = state.d, kh = w.length, kw = w[0].length;
      var st = res.steps[state.step], done = state.step;
      var covered = zeros(res.canvasH, res.canvasW);  // reached so far
      res.steps.slice(0, done + 1).forEach(function (q) {
        for (var u = 0; u < kh; u++) {
          for (var v = 0; v < kw; v++) {
            covered[q.top + d * u][q.left + d * v] = 1;
          }
        }
      });
      var tap = function (r, c) {
        var dr = r - st.top, dc = c - st.left;
        return dr >= 0 && dc >= 0 && dr % d === 0 && dc % d === 0 &&
          dr / d < kh && dc / d < kw;
      };
      var muted = function (r, c) {
        return covered[r][c] ? K.INK : K.COLORS.muted;
      };
      var final = res.steps[res.steps.length - 1].counts;
      var text = K.t(d > 1 ? "transposed.adds_dilated" : "transposed.adds", {
        row: st.row, col: st.col, value: K.fmt(x[st.row][st.col]),
        top: st.top, bottom: st.top + K.rules.span(kh, d) - 1,
        left: st.left, right: st.left + K.rules.span(kw, d) - 1, d: d});
      return {text: text, notes: "", panels: [
        {caption: K.t("transposed.input"), values: x, cls: "cl-input",
         style: function (r, c) {
           var t = r * x[0].length + c;
           return t === done ? {bg: K.COLORS.window}
             : (t < done ? {bg: K.COLORS.out} : {color: K.COLORS.muted});
         }},
        {caption: K.t("transposed.kernel"), values: w, cls: "cl-kernel",
         style: function () { return {bg: K.COLORS.kernel}; }},
        {caption: K.t("transposed.patch", {row: st.row, col: st.col}),
         values: st.patch, cls: "cl-patch",
         style: function () { return {bg: K.COLORS.window}; }},
        {caption: K.t("transposed.canvas"), values: st.canvas,
         cls: "cl-canvas", style: function (r, c) {
           var cut = r < p || c < p || r >= p + res.outH ||
             c >= p + res.outW;
           return {bg: tap(r, c) ? K.COLORS.window
                     : (cut ? K.COLORS.pad : K.PAPER),
                   color: cut ? K.COLORS.muted : muted(r, c)};
         }},
        {caption: K.t("transposed.output", {p: p}), values: st.output,
         cls: "cl-output", style: function (r, c) {
           return {bg: tap(r + p, c + p) ? K.COLORS.window : K.PAPER,
                   color: muted(r + p, c + p)};
         }},
        countsPanel(st.counts, final, function (r, c) {
          return covered[r + p][c + p];
        }, K.t("transposed.counts"))]};
    }

    // The zero-insertion view of step state.step (output cell
    // divmod(step, outW)): {text, notes, panels}.
    function zeroPanels(x, w, res) {
      var d = state.d, kh = w.length, kw = w[0].length;
      var row = Math.floor(state.step / res.outW);
      var col = state.step % res.outW;
      var reached = function (r, c) { return r * res.outW + c <= state.step; };
      var terms = [];
      var paren = function (v) {
        return v < 0 ? "(" + K.fmt(v) + ")" : K.fmt(v);
      };
      for (var u = 0; u < kh; u++) {
        for (var v = 0; v < kw; v++) {
          terms.push(paren(res.padded[row + d * u][col + d * v]) + K.TIMES +
                     paren(res.flipped[u][v]));
        }
      }
      var text = K.t("transposed.gathers", {
        row: row, col: col, terms: terms.join(" + "),
        value: K.fmt(res.output[row][col])});
      var ends = res.edges[0].map(function (e) {
        return e < 0 ? K.t("transposed.cells_cropped", {n: -e})
          : K.t("transposed.zeros_added", {n: e});
      });
      var notes = [K.t("transposed.zeros", {
        inserted: state.s - 1, d: d, k: kh, p: state.p,
        around: res.edges[0][0], start: ends[0], end: ends[1],
        o: state.o}), K.h("br"), K.t("transposed.legend")];
      var kindWords = ["transposed.kind_input", "transposed.kind_inserted",
                       "transposed.kind_padding"].map(function (key) {
        return K.t(key);
      });
      var sh = K.rules.span(kh, d), sw = K.rules.span(kw, d);
      return {text: text, notes: notes, panels: [
        {caption: K.t("transposed.input"), values: x, cls: "cl-input",
         style: null},
        {caption: K.t("transposed.padded"), values: res.padded,
         cls: "cl-padded", style: function (r, c) {
           var kind = res.kind[r][c], dr = r - row, dc = c - col;
           var inSpan = dr >= 0 && dc >= 0 && dr < sh && dc < sw;
           var isTap = inSpan && dr % d === 0 && dc % d === 0;
           var bg = isTap ? K.COLORS.window
             : (inSpan ? K.tint(K.COLORS.window, 0.35)
                : (kind === PADDING ? K.COLORS.pad : K.PAPER));
           return {bg: bg, title: kindWords[kind],
                   color: kind === INPUT ? K.INK : K.COLORS.muted};
         }},
        {caption: K.t("transposed.flipped"), values: res.flipped,
         cls: "cl-flipped",
         style: function () { return {bg: K.COLORS.kernel}; }},
        {caption: K.t("transposed.output_zi"), values: res.output,
         cls: "cl-output", style: function (r, c) {
           if (!reached(r, c)) { return {text: ""}; }
           return {bg: r === row && c === col ? K.COLORS.window : K.PAPER};
         }},
        countsPanel(res.counts, res.counts, reached,
                    K.t("transposed.counts_zi"))]};
    }
    draw();
  }

  root.convlibTransposedStepper = {scatterSteps: scatterSteps,
                                   zeroInsertion: zeroInsertion,
                                   phaseCounts: phaseCounts,
                                   mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
