// Activation explorer: curves and derivatives of activation functions,
// overlaid on an x-range the reader zooms, with the value and slope at a
// point the reader moves; then what the functions make of an input
// Z ~ N(mu, sigma^2): a histogram of the outputs, their mean and
// variance, the RMS slope and the gradient's factor per layer and
// through L layers.
// `evaluate` computes what convlib.widgets.activation_samples computes
// with convlib.numpy and `distribution` what activation_distribution
// computes (tests hold them equal, forward and backward); `mount` draws
// with convlibKit.
(function (root) {
  "use strict";
  var K = root.convlibKit;
  var SELU_ALPHA = 1.6732632423543772848170429916717;
  var SELU_SCALE = 1.0507009873554804934193349852946;
  var SQRT1_2 = 0.70710678118654752440;
  var INV_SQRT_2PI = 0.39894228040143267794;
  var SQRT_2_OVER_PI = 0.79788456080286535588, KAPPA = 0.044715;
  var TWO_OVER_SQRT_PI = 1.12837916709551257390;
  // Line styles by rank among the drawn functions: with colour, no two
  // of up to eight curves look alike (meaning never by colour alone).
  var DASHES = ["none", "8 4", "2 3", "10 3 2 3", "5 2", "14 4", "2 7",
                "6 2 2 2 2 2"];
  var MAX_WIDTH = 680, MIN_WIDTH = 260;

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
    relu6: function (x) {  // hardtanh(x, 0, 6)
      return [Math.min(Math.max(x, 0), 6), x > 0 && x < 6 ? 1 : 0];
    },
    hardsigmoid: function (x) {
      return [Math.min(Math.max(x + 3, 0), 6) / 6,
              x > -3 && x < 3 ? 1 / 6 : 0];
    },
    hardswish: function (x) {
      return [x * Math.min(Math.max(x + 3, 0), 6) / 6,
              x <= -3 ? 0 : x < 3 ? x / 3 + 0.5 : 1];
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

  // The quadrature of N(mean, std^2): {z, w, t} (input_points in Python).
  function inputPoints(mean, std, quad) {
    var z = [], w = [], t = [], total = 0, i;
    for (i = 0; i < quad.n; i++) {
      var ti = -quad.half + (2 * i + 1) * quad.half / quad.n;
      t.push(ti);
      z.push(mean + std * ti);
      w.push(Math.exp(-0.5 * ti * ti));
      total += w[i];
    }
    for (i = 0; i < quad.n; i++) { w[i] /= total; }
    return {z: z, w: w, t: t};
  }

  // What the functions fs ([{name, params}], valid settings) make of an
  // input N(mean, std^2): {edges, functions: {name: {mean, var,
  // rms_slope, per_layer, through, counts}}} (activation_distribution).
  function distribution(fs, mean, std, gain, layers, quad, hist,
                        threshold) {
    var pts = inputPoints(mean, std, quad), curves = {};
    var lo = Infinity, hi = -Infinity;
    fs.forEach(function (f) {
      var r = evaluate(f.name, pts.z, f.params, threshold);
      curves[f.name] = r;
      for (var i = 0; i < pts.t.length; i++) {
        if (Math.abs(pts.t[i]) <= hist.half) {
          lo = Math.min(lo, r.y[i]);
          hi = Math.max(hi, r.y[i]);
        }
      }
    });
    if (!(hi - lo > 1e-9)) { hi = lo + 1; }
    var out = {edges: [], functions: {}}, b;
    for (b = 0; b <= hist.bins; b++) {
      out.edges.push(lo + (hi - lo) * b / hist.bins);
    }
    fs.forEach(function (f) {
      var r = curves[f.name], m = 0, v = 0, s = 0, counts = [], i;
      for (b = 0; b < hist.bins; b++) { counts.push(0); }
      for (i = 0; i < pts.w.length; i++) {
        m += pts.w[i] * r.y[i];
        s += pts.w[i] * r.dy[i] * r.dy[i];
        var k = Math.floor((r.y[i] - lo) / (hi - lo) * hist.bins);
        counts[Math.max(0, Math.min(hist.bins - 1, k))] += pts.w[i];
      }
      for (i = 0; i < pts.w.length; i++) {
        v += pts.w[i] * (r.y[i] - m) * (r.y[i] - m);
      }
      var rms = Math.sqrt(s);
      out.functions[f.name] = {mean: m, "var": v, rms_slope: rms,
                               per_layer: gain * rms,
                               through: Math.pow(gain * rms, layers),
                               counts: counts};
    });
    return out;
  }

  // The words of function f: its label, formula and derivative.
  function words(f, key) { return K.t("act." + f.name + "." + key); }

  // A group of controls with a caption a screen reader announces.
  function group(caption, children) {
    return K.h("fieldset", {"class": "cl-group", style: "border:1px solid " +
                            K.COLORS.grid + ";margin:0 0 .5em 0;" +
                            "padding:.2em .6em;min-width:0"},
               [K.h("legend", {style: "font-size:90%;padding:0 .3em"},
                    caption)].concat(children));
  }

  // A line sample of a curve's colour and dash, for legends and tables.
  function swatch(c, dash) {
    return K.svg("svg", {width: 28, height: 10, "aria-hidden": "true",
                         style: "vertical-align:middle;margin-right:.3em"},
                 [K.svg("line", {x1: 1, x2: 27, y1: 5, y2: 5, stroke: c,
                                 "stroke-width": 2.5,
                                 "stroke-dasharray": dash})]);
  }

  // A number of any size: 3 decimals, or 2 significant digits with a
  // power of ten when it is below 0.01 or above 10 000.
  function sci(v) {
    var a = Math.abs(v);
    if (a === 0 || (a >= 0.01 && a < 1e4) || !isFinite(v)) {
      return K.fmt(v, 3);
    }
    var parts = v.toExponential(1).split("e");
    return (v < 0 ? K.MINUS : "") + parts[0].replace("-", "") + "e" +
      K.num(Number(parts[1]));
  }

  function cell(text, col) {
    return K.h("td", {"data-col": col, style: "text-align:right;" +
                      "padding:0 .5em 0 0;font-family:monospace;" +
                      "white-space:nowrap"}, text);
  }

  function table(heads, rows, cls) {
    return K.h("table", {"class": cls, style: "border-collapse:collapse;" +
                         "font-size:90%;margin:.3em 0"},
      [K.h("tr", {}, heads.map(function (key, k) {
        return K.h("th", {scope: "col", style: "padding:0 .5em 0 0;" +
                          "text-align:" + (k ? "right" : "left")},
                   K.t("act.head_" + key));
      }))].concat(rows));
  }

  function nameCell(f, style) {
    return K.h("th", {scope: "row", style: "text-align:left;" +
                      "padding:0 .5em 0 0;font-weight:normal"},
               [swatch(style.color, style.dash), words(f, "label")]);
  }

  function mount(el, init) {
    var state = {selected: {}, params: {}, point: init.point,
                 centre: init.view.centre.value, width: init.view.width,
                 mean: init.input.mean.value, std: init.input.std.value,
                 gain: init.input.gain, layers: init.input.layers.value};
    var color = {};
    init.functions.forEach(function (f, k) {
      color[f.name] = K.SERIES[k % (K.SERIES.length - 1)];  // no yellow
      state.params[f.name] = {};
      f.params.forEach(function (p) {
        state.params[f.name][p.field] = p.value;
      });
    });
    init.selected.forEach(function (n) { state.selected[n] = true; });
    var focus = K.h("style", {}, ".convlib-activation-explorer " +
      ":focus-visible{outline:3px solid " + K.COLORS.line +
      ";outline-offset:2px}");
    var pick = K.h("div", {"class": "cl-pick"});
    var sliders = K.h("div", {"class": "cl-sliders"});
    var legend = K.h("div", {"class": "cl-legend", style: "font-size:90%"});
    var charts = K.h("div", {"class": "cl-charts"});
    var errors = K.h("div", {"class": "cl-errors"});
    var values = K.h("div", {"class": "cl-table"});
    var formulas = K.h("ul", {"class": "cl-formulas", style: "font-size:" +
                              "85%;margin:.2em 0 .6em 1.2em;padding:0"});
    var hist = K.h("div", {"class": "cl-hist"});
    var stats = K.h("div", {"class": "cl-stats"});
    var status = K.h("div", {"class": "cl-status", role: "status",
                             "aria-live": "polite", style: "position:" +
                             "absolute;width:1px;height:1px;overflow:" +
                             "hidden;clip:rect(0 0 0 0);white-space:nowrap"});
    function slider(label, field, c, key) {
      return K.range(label, field, [c.lo, c.hi], state[key], function (v) {
        state[key] = v;
        draw();
      }, c.step);
    }
    var widthSelect = K.select(K.t("act.width"), "view-width",
      init.view.widths, state.width, function (v) {
        state.width = Number(v);
        draw();
      });
    var gainSelect = K.select(K.t("act.gain"), "gain",
      init.input.gains, state.gain, function (v) {
        state.gain = Number(v);
        draw();
      });
    K.fill(pick, init.functions.map(function (f) {
      var box = K.checkbox(words(f, "label"), "show-" + f.name,
        state.selected[f.name], function (on) {
          state.selected[f.name] = on;
          drawSliders();
          draw();
        });
      var input = box.querySelector("input");
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); input.click(); }
      });
      return box;
    }));
    K.fill(el, [
      focus,
      group(K.t("act.group_functions"), [pick, sliders]),
      group(K.t("act.group_view"), [
        slider(K.t("act.point"), "point", {lo: init.xs[0], hi:
          init.xs[init.xs.length - 1], step: init.step}, "point"),
        slider(K.t("act.centre"), "view-centre", init.view.centre, "centre"),
        widthSelect]),
      legend, charts, errors, values, formulas,
      group(K.t("act.group_input"), [
        slider(K.t("act.mean"), "in-mean", init.input.mean, "mean"),
        slider(K.t("act.std"), "in-std", init.input.std, "std"),
        gainSelect,
        slider(K.t("act.layers"), "layers", init.input.layers, "layers")]),
      hist, stats,
      K.h("p", {style: "font-size:85%;margin:.2em 0"}, K.t("act.dist_note")),
      status]);

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

    // The charts' width: the demo's, less the 1em right margin of a
    // kit panel, within [MIN_WIDTH, MAX_WIDTH].
    function chartWidth() {
      var w = el.getBoundingClientRect ? el.getBoundingClientRect().width
        : 0;
      return Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, Math.floor(w - 18) ||
                                          MAX_WIDTH));
    }

    // The drawn curves, kept until their parameters or the view change,
    // so moving x0 recomputes nothing but the point.
    var cache = {};

    function view() {
      var lo = state.centre - state.width / 2, n = init.view.points;
      var xs = [];
      for (var i = 0; i < n; i++) { xs.push(lo + state.width * i / (n - 1)); }
      return xs;
    }

    function curve(f, xs) {
      var p = state.params[f.name];
      var key = JSON.stringify(p) + "|" + state.centre + "|" + state.width;
      if (!cache[f.name] || cache[f.name].key !== key) {
        cache[f.name] = {key: key, r: evaluate(f.name, xs, p,
                                               init.threshold)};
      }
      return cache[f.name].r;
    }

    function padded(series, key) {
      var lo = Infinity, hi = -Infinity;
      series.forEach(function (s) {
        s[key].forEach(function (v) {
          if (isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        });
      });
      var pad = hi > lo ? (hi - lo) * 0.06 : 0.5;
      return [lo - pad, hi + pad];
    }

    function steps(edges, counts) {  // a histogram as one step line
      var x = [], y = [];
      counts.forEach(function (c, b) {
        x.push(edges[b], edges[b + 1]);
        y.push(c, c);
      });
      return {x: x, y: y};
    }

    function draw() {
      var xs = view(), drawn = [], bad = [];
      init.functions.forEach(function (f) {
        if (!state.selected[f.name]) { return; }
        var r = curve(f, xs);
        if (r.error) {
          bad.push(K.error(K.t("act.error", {label: words(f, "label"),
                                             reason: r.error})));
        } else {
          drawn.push(f);
        }
      });
      var style = {};
      drawn.forEach(function (f, k) {
        style[f.name] = {color: color[f.name],
                         dash: DASHES[k % DASHES.length]};
      });
      var W = chartWidth(), fs = [], dfs = [], marks = [], dmarks = [];
      var inView = state.point >= xs[0] - 1e-9 &&
        state.point <= xs[xs.length - 1] + 1e-9;
      var rows = [], items = [], said = [];
      drawn.forEach(function (f) {
        var r = curve(f, xs), s = style[f.name];
        var at = evaluate(f.name, [state.point], state.params[f.name],
                          init.threshold);
        fs.push({x: xs, y: r.y, color: s.color, dash: s.dash});
        dfs.push({x: xs, y: r.dy, color: s.color, dash: s.dash});
        if (inView) {
          marks.push({x: state.point, y: at.y[0], color: s.color});
          dmarks.push({x: state.point, y: at.dy[0], color: s.color});
        }
        rows.push(K.h("tr", {"data-name": f.name}, [
          nameCell(f, s), cell(K.fmt(at.y[0], 4), "value"),
          cell(K.fmt(at.dy[0], 4), "slope")]));
        items.push(K.h("span", {style: "margin-right:1em;" +
                                "white-space:nowrap;display:inline-block"},
                       [swatch(s.color, s.dash), words(f, "label")]));
        said.push(K.t("act.status_point", {label: words(f, "label"),
          value: K.fmt(at.y[0], 3), slope: K.fmt(at.dy[0], 3)}));
      });
      var opts = {width: W, height: 200, xlabel: K.t("act.x"), ticks: true,
                  left: 56,
                  xlim: [xs[0], xs[xs.length - 1]]};
      K.fill(legend, items);
      K.fill(charts, fs.length ? [
        K.panel(K.t("act.f"), K.chart(fs, Object.assign(
          {ylabel: K.t("act.f"), marks: marks, ylim: padded(fs, "y")},
          opts))),
        K.panel(K.t("act.df"), K.chart(dfs, Object.assign(
          {ylabel: K.t("act.df"), marks: dmarks, ylim: padded(dfs, "y")},
          opts)))] : []);
      K.fill(errors, bad);
      K.fill(values, rows.length ? table(["function", "value", "slope"],
        rows, "cl-values") : bad.length ? [] :
        K.h("p", {}, K.t("act.none")));
      K.fill(formulas, drawn.map(function (f) {
        return K.h("li", {}, K.t("act.formulas", {
          label: words(f, "label"), formula: words(f, "formula"),
          derivative: words(f, "derivative")}));
      }));
      drawDistribution(drawn, style, W, said);
    }

    // The lower half depends on the drawn functions, their parameters,
    // the input, the gain, the layers and the width, not on x0 or the
    // view: it is redrawn only when one of those changes.
    var shownDistribution = {key: null, factors: []};

    function drawDistribution(drawn, style, W, said) {
      var fs = drawn.map(function (f) {
        return {name: f.name, params: state.params[f.name]};
      });
      var key = JSON.stringify([fs, state.mean, state.std, state.gain,
                                state.layers, W]);
      if (key !== shownDistribution.key) {
        shownDistribution = {key: key,
                             factors: drawHistogram(fs, drawn, style, W)};
      }
      writeStatus(said, shownDistribution.factors);
    }

    // Histogram and statistics of the outputs; returns the sentences of
    // the gradient factors for the status line.
    function drawHistogram(fs, drawn, style, W) {
      var factors = [];
      if (!fs.length) {
        K.fill(hist, []);
        K.fill(stats, []);
      } else {
        var d = distribution(fs, state.mean, state.std, state.gain,
                             state.layers, init.quadrature, init.histogram,
                             init.threshold);
        var series = [], rows = [];
        drawn.forEach(function (f) {
          var s = d.functions[f.name], st = style[f.name];
          var line = steps(d.edges, s.counts);
          series.push({x: line.x, y: line.y, color: st.color,
                       dash: st.dash});
          rows.push(K.h("tr", {"data-name": f.name}, [
            nameCell(f, st), cell(K.fmt(s.mean, 3), "mean"),
            cell(K.fmt(s["var"], 3), "var"),
            cell(K.fmt(s.rms_slope, 3), "rms"),
            cell(K.fmt(s.per_layer, 3), "per_layer"),
            cell(sci(s.through), "through")]));
          factors.push(K.t("act.status_factor", {
            label: words(f, "label"), per_layer: K.fmt(s.per_layer, 3),
            through: sci(s.through)}));
        });
        K.fill(hist, K.panel(K.t("act.hist_title"), K.chart(series, {
          width: W, height: 180, ticks: true, left: 56,
          xlabel: K.t("act.hist_x"),
          ylabel: K.t("act.hist_y"),
          xlim: [d.edges[0], d.edges[d.edges.length - 1]],
          ylim: [0, Math.max.apply(null, series.map(function (s) {
            return Math.max.apply(null, s.y);
          })) * 1.05]})));
        K.fill(stats, table(["function", "mean", "var", "rms", "per_layer",
                             "through"], rows, "cl-dist"));
      }
      return factors;
    }

    function writeStatus(said, factors) {
      var gainText = init.input.gains.filter(function (g) {
        return g[0] === state.gain;
      })[0];
      K.fill(status, K.t("act.status", {
        x: K.fmt(state.point, 2),
        point: said.length ? said.join("; ") : K.t("act.status_none"),
        mean: K.fmt(state.mean, 2), std: K.fmt(state.std, 2),
        gain: gainText ? gainText[1] : K.fmt(state.gain, 3),
        layers: state.layers,
        factors: factors.length ? factors.join("; ")
          : K.t("act.status_none")}));
    }

    drawSliders();
    draw();
    if (typeof ResizeObserver !== "undefined") {
      var last = chartWidth();
      new ResizeObserver(function () {
        var now = chartWidth();
        if (Math.abs(now - last) > 8) { last = now; draw(); }
      }).observe(el);
    }
  }

  root.convlibActivationExplorer = {evaluate: evaluate, erf: erf,
                                    inputPoints: inputPoints,
                                    distribution: distribution,
                                    mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
