// Transposed-convolution stepper: each input cell scatters its value times
// the kernel into the output, `stride` cells apart; overlapping stamps
// add up, and `padding` crops the border of the sum.  `scatterSteps`
// mirrors convlib.widgets.scatter_steps (tests hold it equal to
// convlib.numpy.conv_transpose2d over every setting of the controls),
// the sizes from the kit's rules; `mount` draws it with the shared kit
// (convlibKit).
(function (root) {
  "use strict";
  var K = root.convlibKit;

  function zeros(h, w) {
    var out = [];
    for (var r = 0; r < h; r++) { out.push(new Array(w).fill(0)); }
    return out;
  }

  function crop(canvas, p, h, w) {
    return canvas.slice(p, p + h).map(function (row) {
      return row.slice(p, p + w);
    });
  }

  // The size formula with the numbers put in, and its value (refused
  // below 1).
  function sizeFormula(n, k, s, p) {
    var raw = K.rules.transpose(n, k, s, p).facts.raw;
    return {size: raw, text: K.t("transposed.formula",
                                 {n: n, k: k, s: s, p: p, raw: raw})};
  }

  // Every step of a single-channel 2-D transposed convolution of `input`
  // (2-D array) with `kernel` (2-D array), int stride and padding:
  // {canvasH, canvasW, outH, outW, steps, error, formulas}.  Step t is
  // input cell (row, col) = divmod(t, W): {row, col, top, left, patch,
  // canvas, output}, the canvas being the uncropped sum so far.
  function scatterSteps(input, kernel, stride, padding) {
    var h = input.length, w = input[0].length;
    var kh = kernel.length, kw = kernel[0].length;
    var fh = sizeFormula(h, kh, stride, padding);
    var fw = sizeFormula(w, kw, stride, padding);
    var res = {canvasH: K.rules.transpose(h, kh, stride, 0).size,
               canvasW: K.rules.transpose(w, kw, stride, 0).size,
               outH: fh.size, outW: fw.size, steps: [], error: "",
               formulas: [fh.text, fw.text]};
    if (K.rules.transpose(h, kh, stride, padding).rule ||
        K.rules.transpose(w, kw, stride, padding).rule) {
      res.error = K.t("transposed.crops_all", {
        p: padding, crop: 2 * padding, h: res.canvasH, w: res.canvasW,
        size: Math.min(fh.size, fw.size)});
      return res;
    }
    var canvas = zeros(res.canvasH, res.canvasW);
    for (var i = 0; i < h; i++) {
      for (var j = 0; j < w; j++) {
        var top = i * stride, left = j * stride, patch = [];
        for (var u = 0; u < kh; u++) {
          var prow = [];
          for (var v = 0; v < kw; v++) {
            var x = input[i][j] * kernel[u][v];
            prow.push(x);
            canvas[top + u][left + v] += x;
          }
          patch.push(prow);
        }
        res.steps.push({row: i, col: j, top: top, left: left, patch: patch,
                        canvas: canvas.map(function (r) { return r.slice(); }),
                        output: crop(canvas, padding, fh.size, fw.size)});
      }
    }
    return res;
  }

  function mount(el, init) {
    var state = {k: init.kernel_size, s: init.stride, p: init.padding,
                 values: init.values, step: 0};
    var n = init.inputs[init.values].length * init.inputs[init.values][0]
      .length;
    var slider, stepText = K.h("span", {"class": "cl-step"}, "");
    var body = K.h("div", {"class": "cl-body"}, []);
    function setting(key) {
      return function (v) { state[key] = key === "values" ? v : Number(v);
                            draw(); };
    }
    function move(delta) {
      return function () { state.step += delta; draw(); };
    }
    slider = K.range(K.t("transposed.cell"), "step", [1, n], 1,
                     function (v) { state.step = v - 1; draw(); });
    K.fill(el, [
      K.controls([
        K.select(K.t("transposed.kernel_size"), "kernel", init.kernel_sizes,
                 state.k, setting("k")),
        K.select(K.t("transposed.stride"), "stride", init.strides, state.s,
                 setting("s")),
        K.select(K.t("transposed.padding"), "padding", init.paddings,
                 state.p, setting("p")),
        K.select(K.t("transposed.values"), "values",
                 Object.keys(init.inputs).map(function (key) {
                   return [key, K.t("transposed.values_" + key)];
                 }), state.values, setting("values"))]),
      K.controls([slider, K.button(K.t("kit.back"), "prev", move(-1)), " ",
                  K.button(K.t("kit.next"), "next", move(1)), " ",
                  K.button(K.t("transposed.all"), "all", move(n)), " ",
                  stepText]),
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
      var res = scatterSteps(x, w, state.s, state.p);
      state.step = Math.max(0, Math.min(state.step, n - 1));
      input.value = String(state.step + 1);
      K.fill(shown, String(state.step + 1));
      var size = K.t("transposed.size") + " " + res.formulas[0] +
        (res.outH === res.outW ? "" : ", " + res.formulas[1]);
      if (res.error) {
        view = null;
        K.fill(stepText, "");
        K.fill(body, [K.formula(size, "cl-size-formula"),
                      K.error(res.error)]);
        return;
      }
      var st = res.steps[state.step], v = x[st.row][st.col];
      var kh = w.length, kw = w[0].length;
      var text = K.t("transposed.adds", {
        row: st.row, col: st.col, value: K.fmt(v), top: st.top,
        bottom: st.top + kh - 1, left: st.left, right: st.left + kw - 1});
      show(size, text, panels(x, w, res, st));
      K.fill(stepText, K.t("transposed.step", {step: state.step + 1,
                                               steps: n}));
    }

    function show(size, text, specs) {
      if (!view) {
        view = {size: K.formula("", "cl-size-formula"),
                text: K.formula("", "cl-products"),
                row: K.h("div", {}, []), panels: []};
        K.fill(body, [view.size, view.text, view.row]);
      }
      K.fill(view.size, size);
      K.fill(view.text, text);
      specs.forEach(function (sp, i) {
        var old = view.panels[i];
        if (old && K.repaint(old.table, sp.values, sp.style)) {
          if (old.caption !== sp.caption) {
            K.fill(old.panel.firstChild, sp.caption);
            old.caption = sp.caption;
          }
          return;
        }
        var table = K.grid(sp.values, sp.style, sp.cls);
        var panel = K.panel(sp.caption, table);
        if (old) {
          view.row.replaceChild(panel, old.panel);
        } else {
          view.row.appendChild(panel);
        }
        view.panels[i] = {panel: panel, table: table, caption: sp.caption};
      });
    }

    // What the five panels show for step `st`: {caption, values, style,
    // cls} each.
    function panels(x, w, res, st) {
      var p = state.p, kh = w.length, kw = w[0].length;
      var inPatch = function (r, c) {
        return r >= st.top && r < st.top + kh && c >= st.left &&
          c < st.left + kw;
      };
      var done = st.row * x[0].length + st.col;
      var covered = zeros(res.canvasH, res.canvasW);  // reached so far
      res.steps.slice(0, done + 1).forEach(function (q) {
        for (var u = 0; u < kh; u++) {
          for (var v = 0; v < kw; v++) {
            covered[q.top + u][q.left + v] = 1;
          }
        }
      });
      var muted = function (r, c) {
        return covered[r][c] ? K.INK : K.COLORS.muted;
      };
      return [
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
           return {bg: inPatch(r, c) ? K.COLORS.window
                     : (cut ? K.COLORS.pad : K.PAPER),
                   color: cut ? K.COLORS.muted : muted(r, c)};
         }},
        {caption: K.t("transposed.output", {p: p}),
         values: st.output, cls: "cl-output", style: function (r, c) {
           return {bg: inPatch(r + p, c + p) ? K.COLORS.window : K.PAPER,
                   color: muted(r + p, c + p)};
         }}];
    }
    draw();
  }

  root.convlibTransposedStepper = {scatterSteps: scatterSteps,
                                   mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
