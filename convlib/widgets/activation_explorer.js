// Activation explorer: curves and derivatives of activation functions,
// overlaid, with the value and slope at a point the reader moves.
// `evaluate` computes what convlib.widgets.activation_samples computes
// with convlib.numpy (tests hold the two equal over every slider
// setting, forward and backward); `mount` draws with convlibKit.
(function (root) {
  "use strict";
  var K = root.convlibKit;
  var SELU_ALPHA = 1.6732632423543772848170429916717;
  var SELU_SCALE = 1.0507009873554804934193349852946;
  var SQRT1_2 = 0.70710678118654752440;
  var INV_SQRT_2PI = 0.39894228040143267794;
  var SQRT_2_OVER_PI = 0.79788456080286535588, KAPPA = 0.044715;
  var TWO_OVER_SQRT_PI = 1.12837916709551257390;

  function sigmoidParts(x) {  // [sigmoid(x), its derivative], no overflow
    var e = Math.exp(-Math.abs(x)), p = 1 / (1 + e);
    return [x >= 0 ? p : e * p, e * p * p];
  }

  function softplus1(x) {  // log(1 + e^x) without overflow
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  // erf(z) = 2/sqrt(pi) exp(-z^2) sum_n (2z^2)^n z / (1*3*...*(2n+1)):
  // every term is positive, so the sum keeps full precision.
  function erf(z) {
    var a = Math.abs(z);
    if (a > 6) { return z > 0 ? 1 : -1; }
    var term = a, sum = a, n = 0;
    while (term > 1e-17 * sum) {
      n += 1;
      term *= 2 * a * a / (2 * n + 1);
      sum += term;
    }
    var r = TWO_OVER_SQRT_PI * Math.exp(-a * a) * sum;
    return z < 0 ? -r : r;
  }

  function elu(x, alpha, scale, inputScale) {  // torch's elu kernel
    if (x > 0) { return [x * scale, scale]; }
    var neg = x * inputScale;
    return [alpha * scale * Math.expm1(neg),
            alpha * scale * inputScale * Math.exp(neg)];
  }

  // [f(x), f'(x)] of each function, with the parameters p.
  var FORMULAS = {
    sigmoid: function (x) { return sigmoidParts(x); },
    tanh: function (x) { var t = Math.tanh(x); return [t, 1 - t * t]; },
    relu: function (x) { return [Math.max(x, 0), x > 0 ? 1 : 0]; },
    leaky_relu: function (x, p) {
      var a = p.negative_slope;
      return x > 0 ? [x, 1] : [x * a, a];
    },
    rrelu: function (x, p) {
      var a = (p.lower + p.upper) / 2;
      return x > 0 ? [x, 1] : [x * a, a];
    },
    elu: function (x, p) { return elu(x, p.alpha, 1, 1); },
    celu: function (x, p) { return elu(x, p.alpha, 1, 1 / p.alpha); },
    selu: function (x) { return elu(x, SELU_ALPHA, SELU_SCALE, 1); },
    gelu: function (x) {
      var cdf = 0.5 * (1 - erf(-x * SQRT1_2));
      var xc = Math.max(-40, Math.min(40, x));
      return [x * cdf, cdf + x * INV_SQRT_2PI * Math.exp(-0.5 * xc * xc)];
    },
    gelu_tanh: function (x) {
      var xc = Math.max(-100, Math.min(100, x));
      var t = Math.tanh(SQRT_2_OVER_PI * (xc + KAPPA * xc * xc * xc));
      var dinner = SQRT_2_OVER_PI * (1 + 3 * KAPPA * xc * xc);
      return [0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) *
              dinner];
    },
    silu: function (x) {
      var s = sigmoidParts(x);
      return [x * s[0], s[0] + x * s[1]];
    },
    mish: function (x) {
      var t = Math.tanh(softplus1(x)), s = sigmoidParts(x)[0];
      return [x * t, t + x * s * ((1 - t) * (1 + t))];
    },
    softplus: function (x, p, threshold) {
      var bx = x * p.beta;
      if (bx > threshold) { return [x, 1]; }
      return [softplus1(bx) / p.beta, sigmoidParts(bx)[0]];
    }
  };

  // Why a setting is invalid ("" when it is valid), as convlib rejects it.
  function reason(name, p) {
    if (name === "rrelu" && p.lower > p.upper) {
      return K.t("act.rrelu_bounds", {lower: K.fmt(p.lower),
                                      upper: K.fmt(p.upper)});
    }
    return "";
  }

  // {y, dy, error} for function `name` at the points xs.
  function evaluate(name, xs, params, threshold) {
    var why = reason(name, params);
    if (why) { return {y: [], dy: [], error: why}; }
    var f = FORMULAS[name], y = [], dy = [];
    for (var i = 0; i < xs.length; i++) {
      var r = f(xs[i], params, threshold === undefined ? 20 : threshold);
      y.push(r[0]);
      dy.push(r[1]);
    }
    return {y: y, dy: dy, error: ""};
  }

  // The words of function f: its label, formula and derivative.
  function words(f, key) { return K.t("act." + f.name + "." + key); }

  function mount(el, init) {
    var state = {selected: {}, params: {}, point: init.point};
    var color = {};
    init.functions.forEach(function (f, k) {
      color[f.name] = K.SERIES[k % K.SERIES.length];
      state.params[f.name] = {};
      f.params.forEach(function (p) {
        state.params[f.name][p.field] = p.value;
      });
    });
    init.selected.forEach(function (n) { state.selected[n] = true; });
    var pick = K.h("div", {"class": "cl-pick"});
    var sliders = K.h("div", {"class": "cl-sliders"});
    var charts = K.h("div", {"class": "cl-charts"});
    var legend = K.h("div", {});
    var table = K.h("div", {"class": "cl-table"});
    var errors = K.h("div", {"class": "cl-errors"});
    var x0 = K.range(K.t("act.point"), "point",
                     [init.xs[0], init.xs[init.xs.length - 1]], init.point,
                     function (v) { state.point = v; draw(); }, init.step);
    K.fill(pick, init.functions.map(function (f) {
      return K.checkbox(words(f, "label"), "show-" + f.name,
                        state.selected[f.name],
                        function (on) {
                          state.selected[f.name] = on;
                          drawSliders();
                          draw();
                        });
    }));
    K.fill(el, [K.controls([pick]), K.controls([sliders, x0]), legend,
                charts, errors, table]);

    function drawSliders() {
      var kids = [];
      init.functions.forEach(function (f) {
        if (!state.selected[f.name]) { return; }
        f.params.forEach(function (p) {
          kids.push(K.range(words(f, p.field), f.name + "-" + p.field,
                            [p.lo, p.hi], state.params[f.name][p.field],
                            function (v) {
                              state.params[f.name][p.field] = v;
                              draw();
                            }, p.step));
        });
      });
      K.fill(sliders, kids);
    }

    // Curves are drawn at every other grid point (enough for the eye,
    // half the drawing time) and kept until their parameters change, so
    // moving x0 recomputes nothing but the point.
    var drawnX = init.xs.filter(function (v, i) { return i % 2 === 0; });
    var cache = {};

    function curve(f) {
      var p = state.params[f.name], key = JSON.stringify(p);
      if (!cache[f.name] || cache[f.name].key !== key) {
        cache[f.name] = {key: key, r: evaluate(f.name, drawnX, p,
                                               init.threshold)};
      }
      return cache[f.name].r;
    }

    function draw() {
      var fs = [], dfs = [], marks = [], dmarks = [], rows = [], bad = [];
      var items = [];
      init.functions.forEach(function (f) {
        if (!state.selected[f.name]) { return; }
        var p = state.params[f.name], c = color[f.name];
        var r = curve(f);
        if (r.error) {
          bad.push(K.error(K.t("act.error", {label: words(f, "label"),
                                             reason: r.error})));
          return;
        }
        var at = evaluate(f.name, [state.point], p, init.threshold);
        fs.push({x: drawnX, y: r.y, color: c});
        dfs.push({x: drawnX, y: r.dy, color: c});
        marks.push({x: state.point, y: at.y[0], color: c});
        dmarks.push({x: state.point, y: at.dy[0], color: c});
        items.push({label: words(f, "label"), color: c});
        rows.push(K.h("tr", {"data-name": f.name}, [
          // the curve's colour as a swatch: coloured text would be too
          // faint on white for some series colours (WCAG contrast)
          K.h("td", {style: "padding-right:1em;white-space:nowrap"}, [
            K.h("span", {"aria-hidden": "true", style: "display:inline-" +
                         "block;width:.8em;height:.8em;margin-right:.3em;" +
                         "background:" + c}),
            words(f, "label")]),
          K.h("td", {"data-col": "value", style: "text-align:right;" +
                     "padding-right:1em;font-family:monospace"},
              K.fmt(at.y[0], 4)),
          K.h("td", {"data-col": "slope", style: "text-align:right;" +
                     "padding-right:1em;font-family:monospace"},
              K.fmt(at.dy[0], 4)),
          K.h("td", {style: "font-size:90%"}, K.t("act.formulas", {
            formula: words(f, "formula"),
            derivative: words(f, "derivative")}))]));
      });
      var opts = {width: 380, height: 250, xlabel: K.t("act.x"),
                  xlim: [init.xs[0], init.xs[init.xs.length - 1]]};
      K.fill(charts, fs.length ? [
        K.panel(K.t("act.f"), K.chart(fs, Object.assign(
          {ylabel: K.t("act.f"), marks: marks}, opts))),
        K.panel(K.t("act.df"), K.chart(dfs, Object.assign(
          {ylabel: K.t("act.df"), marks: dmarks}, opts)))] : []);
      K.fill(legend, K.legend(items));
      K.fill(errors, bad);
      var head = K.h("tr", {}, ["function", "value", "slope", "formula"].map(
        function (key) {
          return K.h("th", {style: "text-align:left;padding-right:1em"},
                     K.t("act.head_" + key));
        }));
      K.fill(table, rows.length ? K.h("table", {"class": "cl-values"},
        [head].concat(rows)) : K.h("p", {}, K.t("act.none")));
    }

    drawSliders();
    draw();
  }

  root.convlibActivationExplorer = {evaluate: evaluate, erf: erf,
                                    mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
