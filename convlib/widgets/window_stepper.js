// Sliding-window stepper for a single-channel 2-D cross-correlation (what
// torch.nn.functional.conv2d computes), with stride, padding and dilation.
// `windowSteps` mirrors convlib.widgets.window_steps (tests hold its sums
// equal to convlib.numpy.conv2d) and counts the windows that read each
// padded cell, as convlib.widgets.read_counts does (the cells no window
// reads are hatched); the sizes come from the kit's rules.  `mount` draws
// with the shared kit (convlibKit, kit.js); every control works from the
// keyboard, and the sum with its position is in a live region.
(function (root) {
  "use strict";
  var K = root.convlibKit;

  function pad(input, p) {
    var h = input.length, w = input[0].length, out = [];
    for (var r = 0; r < h + 2 * p; r++) {
      var row = [];
      for (var c = 0; c < w + 2 * p; c++) {
        var inside = r >= p && r < h + p && c >= p && c < w + p;
        row.push(inside ? input[r - p][c - p] : 0);
      }
      out.push(row);
    }
    return out;
  }

  // One window: the products x[top + d*u][left + d*v] * kernel[u][v].
  function windowAt(padded, kernel, top, left, d) {
    var products = [], sum = 0;
    for (var u = 0; u < kernel.length; u++) {
      var prow = [];
      for (var v = 0; v < kernel[0].length; v++) {
        var x = padded[top + d * u][left + d * v] * kernel[u][v];
        prow.push(x);
        sum += x;
      }
      products.push(prow);
    }
    return {products: products, sum: sum};
  }

  // Every window of `input` (2-D array) under `kernel` (2-D array) for an
  // int stride, padding and dilation (default 1): {padded, outH, outW,
  // steps, reads, error}.  Each step is {row, col, top, left, products,
  // sum}; top/left index the first tap in the padded input.  reads[r][c]
  // counts the windows with a tap on padded cell (r, c) (0: read by no
  // window).  error is "" or says why no window fits.
  function windowSteps(input, kernel, stride, padding, dilation) {
    var d = dilation, kh = kernel.length, kw = kernel[0].length;
    var rows = K.rules.conv(input.length, kh, stride, padding, d);
    var cols = K.rules.conv(input[0].length, kw, stride, padding, d);
    var res = {padded: pad(input, padding), outH: 0, outW: 0, steps: [],
               reads: [], error: ""};
    if (rows.rule || cols.rule) {
      res.error = K.t("stepper.span", {
        kh: kh, kw: kw, d: d, sh: rows.facts.span, sw: cols.facts.span,
        ph: rows.facts.padded, pw: cols.facts.padded});
      return res;
    }
    res.outH = rows.size;
    res.outW = cols.size;
    res.reads = res.padded.map(function (row) {
      return row.map(function () { return 0; });
    });
    for (var i = 0; i < res.outH; i++) {
      for (var j = 0; j < res.outW; j++) {
        var win = windowAt(res.padded, kernel, i * stride, j * stride, d);
        res.steps.push({row: i, col: j, top: i * stride, left: j * stride,
                        products: win.products, sum: win.sum});
        countTaps(res.reads, kh, kw, i * stride, j * stride, d);
      }
    }
    return res;
  }

  // Add one to every cell a window at (top, left) reads.
  function countTaps(reads, kh, kw, top, left, d) {
    for (var u = 0; u < kh; u++) {
      for (var v = 0; v < kw; v++) { reads[top + d * u][left + d * v] += 1; }
    }
  }

  // Cells no window reads: hatched in the hole colour, never colour alone
  // (the pattern, a tooltip and the line under the grids say it too).
  function hatch() {
    return "repeating-linear-gradient(135deg," + K.COLORS.hole +
      " 0 3px," + K.PAPER + " 3px 6px)";
  }

  // "a×b + c×(−d) + ..." for the current window.
  function productsText(res, kernel, st, d) {
    var terms = [];
    var paren = function (v) { return v < 0 ? "(" + K.fmt(v) + ")"
      : K.fmt(v); };
    for (var u = 0; u < kernel.length; u++) {
      for (var v = 0; v < kernel[0].length; v++) {
        terms.push(paren(res.padded[st.top + d * u][st.left + d * v]) +
                   K.TIMES + paren(kernel[u][v]));
      }
    }
    return K.t("stepper.products", {row: st.row, col: st.col,
                                    terms: terms.join(" + ")});
  }

  // Style of padded-input cell (r, c): taps of the window yellow and
  // outlined, cells no window reads hatched, the rest of the window's
  // span pale, padding grey.
  function inputStyle(init, state, st, reads) {
    var C = K.COLORS, p = state.p, d = state.d;
    var h = init.input.length, w = init.input[0].length;
    var sh = K.rules.span(init.kernel.length, d);
    var sw = K.rules.span(init.kernel[0].length, d);
    return function (r, c) {
      var isPad = r < p || c < p || r >= h + p || c >= w + p;
      var dr = r - st.top, dc = c - st.left;
      var inSpan = dr >= 0 && dc >= 0 && dr < sh && dc < sw;
      var tap = inSpan && dr % d === 0 && dc % d === 0;
      var unread = reads[r][c] === 0;
      var bg = tap ? C.window : unread ? hatch()
        : inSpan ? K.tint(C.window, 0.35) : isPad ? C.pad : K.PAPER;
      return {bg: bg, color: isPad ? C.muted : K.INK,
              border: tap ? K.INK : undefined,
              title: tap ? K.t("stepper.tap")
                : unread ? K.t("stepper.unread_cell") : undefined};
    };
  }

  // The line under the grids: how many cells no window reads.
  function unreadText(reads) {
    var n = 0, total = 0;
    reads.forEach(function (row) {
      row.forEach(function (v) { total += 1; n += v === 0 ? 1 : 0; });
    });
    return n ? K.t("stepper.unread", {n: n, total: total})
      : K.t("stepper.all_read");
  }

  function outputGrid(res, state) {
    var st = res.steps[state.step], out = [];
    for (var i = 0; i < res.outH; i++) {
      var row = [];
      for (var j = 0; j < res.outW; j++) {
        var k = i * res.outW + j;
        row.push(k <= state.step ? K.fmt(res.steps[k].sum) : "");
      }
      out.push(row);
    }
    return K.grid(out, function (r, c) {
      var now = r === st.row && c === st.col;
      return {bg: now ? K.COLORS.window : K.PAPER,
              border: now ? K.INK : undefined};
    }, "cl-output");
  }

  // A grid that a screen reader announces by its caption.
  function named(caption, table) {
    table.setAttribute("aria-label", caption);
    return K.panel(caption, table);
  }

  // Text only screen readers get (the live region's position words).
  var HIDDEN = "position:absolute;width:1px;height:1px;margin:-1px;" +
    "padding:0;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0";

  function mount(el, init) {
    var state = {p: init.padding, s: init.stride, d: init.dilation,
                 step: 0};
    var choose = function (key) {
      return function (v) { state[key] = Number(v); state.step = 0; draw(); };
    };
    var move = function (by) {
      return function () { state.step += by; draw(); };
    };
    var stepInfo = K.h("span", {"class": "cl-step"});
    var slider = K.range(K.t("stepper.position"), "step", [0, 0], 0,
                         function (v) { state.step = v; draw(); });
    var grids = K.h("div", {"class": "cl-grids"});
    var reason = K.h("div");
    var products = K.formula("", "cl-products");
    var sum = K.h("b", {"class": "cl-sum"});
    var where = K.h("span", {"class": "cl-where", style: HIDDEN});
    var unread = K.h("span", {"class": "cl-unread"});
    var swatch = K.h("span", {"aria-hidden": "true", style:
      "display:inline-block;width:1.2em;height:1.2em;margin-right:.4em;" +
      "vertical-align:middle;border:1px solid " + K.COLORS.grid +
      ";background:" + hatch()});
    K.fill(el, [K.controls([
      K.select(K.t("stepper.padding"), "padding", init.paddings, state.p,
               choose("p")),
      K.select(K.t("stepper.stride"), "stride", init.strides, state.s,
               choose("s")),
      K.select(K.t("stepper.dilation"), "dilation", init.dilations,
               state.d, choose("d")),
      slider, K.button(K.t("kit.back"), "prev", move(-1)), " ",
      K.button(K.t("kit.next"), "next", move(1)), " ", stepInfo]),
      grids, reason, K.h("div", {}, [swatch, unread]), products,
      K.h("div", {"class": "cl-result", role: "status",
                  "aria-live": "polite", "aria-atomic": "true"},
          [K.t("stepper.sum") + " ", sum, where])]);
    var input = slider.querySelector("input");
    var shown = slider.querySelector("[data-value]");

    function draw() {
      var res = windowSteps(init.input, init.kernel, state.s, state.p,
                            state.d);
      var n = res.steps.length;
      state.step = Math.max(0, Math.min(state.step, n - 1));
      input.max = String(Math.max(n - 1, 0));
      input.value = String(state.step);
      K.fill(shown, String(state.step));
      if (res.error) {
        K.fill(grids, []);
        K.fill(reason, K.error(res.error));
        K.fill(products, "");
        K.fill(sum, "");
        K.fill(where, K.t("stepper.no_window"));
        K.fill(unread, "");
        swatch.style.display = "none";
        K.fill(stepInfo, K.t("stepper.no_window"));
        return;
      }
      var st = res.steps[state.step];
      K.fill(reason, []);
      K.fill(grids, [
        named(K.t("stepper.input"), K.grid(res.padded,
          inputStyle(init, state, st, res.reads), "cl-input")),
        named(K.t("stepper.kernel"), K.grid(init.kernel, function () {
          return {bg: K.COLORS.kernel};
        }, "cl-kernel")),
        named(K.t("stepper.output"), outputGrid(res, state))]);
      K.fill(products, productsText(res, init.kernel, st, state.d));
      K.fill(sum, K.fmt(st.sum));
      K.fill(where, " " + K.t("stepper.where", {
        row: st.row, col: st.col, step: state.step + 1, steps: n}));
      K.fill(unread, unreadText(res.reads));
      swatch.style.display = "inline-block";
      K.fill(stepInfo, K.t("stepper.step", {step: state.step + 1, steps: n,
                                             h: res.outH, w: res.outW}));
    }
    draw();
  }

  root.convlibWindowStepper = {windowSteps: windowSteps, mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
