// Variant comparer: weights, MACs and channel connectivity of one variant
// of a C_in -> C_out convolution.  `variantReport` mirrors
// convlib.widgets.variant_report (tests hold the two equal over the whole
// grid of settings), validity from the kit's rules, words from its string
// table; `mount` draws it with the shared kit (convlibKit).
(function (root) {
  "use strict";
  var K = root.convlibKit, X = K.TIMES;

  function groupEdges(nIn, nOut, groups) {
    var perIn = nIn / groups, perOut = nOut / groups, edges = [];
    for (var i = 0; i < nIn; i++) {
      for (var o = 0; o < nOut; o++) {
        if (Math.floor(i / perIn) === Math.floor(o / perOut)) {
          edges.push([i, o]);
        }
      }
    }
    return edges;
  }

  // Member k of group g moves to k * groups + g (sorted by source).
  function shuffleEdges(channels, groups) {
    var per = channels / groups, edges = [];
    for (var c = 0; c < channels; c++) {
      edges.push([c, (c % per) * groups + Math.floor(c / per)]);
    }
    return edges;
  }

  function stage(label, nIn, nOut, edges) {
    return {label: label, nIn: nIn, nOut: nOut, edges: edges};
  }

  // One unit of `variant` from cin to cout channels: {weights, stages,
  // symbolic, numeric}.
  function unit(variant, cin, cout, k, g) {
    var sq = k + X + k;
    if (variant === "standard" || variant === "dilated" ||
        variant === "pointwise") {
      var kk = variant === "pointwise" ? 1 : k;
      var label = K.t(variant === "dilated" ? "variants.stage_dilated"
                      : "variants.stage_conv", {k: kk});
      return {weights: cout * cin * kk * kk,
              stages: [stage(label, cin, cout, groupEdges(cin, cout, 1))],
              symbolic: "C_out" + X + "C_in" + (kk === 1 ? "" : X + "k" + X +
                                                 "k"),
              numeric: cout + X + cin + (kk === 1 ? "" : X + sq)};
    }
    if (variant === "spatial") {
      return {weights: cout * cin * k + cout * cout * k,
              stages: [stage(K.t("variants.stage_kx1", {k: k}), cin, cout,
                             groupEdges(cin, cout, 1)),
                       stage(K.t("variants.stage_1xk", {k: k}), cout, cout,
                             groupEdges(cout, cout, 1))],
              symbolic: "C_out" + X + "C_in" + X + "k + C_out" + X + "C_out" +
                X + "k",
              numeric: cout + X + cin + X + k + " + " + cout + X + cout + X +
                k};
    }
    if (variant === "depthwise") {
      return {weights: cin * k * k + cout * cin,
              stages: [stage(K.t("variants.stage_depthwise", {k: k, g: cin}),
                             cin, cin, groupEdges(cin, cin, cin)),
                       stage(K.t("variants.stage_pointwise"), cin, cout,
                             groupEdges(cin, cout, 1))],
              symbolic: "C_in" + X + "k" + X + "k + C_out" + X + "C_in",
              numeric: cin + X + sq + " + " + cout + X + cin};
    }
    var stages = [stage(K.t("variants.stage_grouped", {k: k, g: g}), cin,
                        cout, groupEdges(cin, cout, g))];
    if (variant === "shuffled") {
      stages.push(stage(K.t("variants.stage_shuffle", {g: g}), cout, cout,
                        shuffleEdges(cout, g)));
    }
    return {weights: cout * (cin / g) * k * k, stages: stages,
            symbolic: "C_out" + X + "(C_in/g)" + X + "k" + X + "k",
            numeric: cout + X + "(" + cin + "/" + g + ")" + X + sq};
  }

  // The sentence of the rule that refuses the settings, or "".
  function reasonFor(variant, cin, cout, k, g) {
    var refused = K.rules.ints([["C_in", cin, 1], ["C_out", cout, 1],
                                ["k", k, 1], ["g", g, 1]]);
    if (refused) { return K.t("arg." + refused.rule, refused.facts); }
    if (k % 2 === 0 && variant !== "pointwise") {  // the demo keeps the size
      return K.t("variants.odd_k", {k: k});
    }
    if (variant === "grouped" || variant === "shuffled") {
      var split = K.rules.groups(cin, cout, g);
      if (split.rule) {
        var first = split.rule === "groups_in";
        return K.t("variants.groups", {name: first ? "C_in" : "C_out",
                                       value: first ? cin : cout, g: g});
      }
    }
    return "";
  }

  // For each final channel, the sorted input channels it depends on.
  function sees(stages, nIn) {
    var reach = [];
    for (var i = 0; i < nIn; i++) { reach.push([i]); }
    stages.forEach(function (st) {
      var next = [];
      for (var o = 0; o < st.nOut; o++) { next.push({}); }
      st.edges.forEach(function (e) {
        reach[e[0]].forEach(function (c) { next[e[1]][c] = true; });
      });
      reach = next.map(function (set) {
        return Object.keys(set).map(Number).sort(function (a, b) {
          return a - b;
        });
      });
    });
    return reach;
  }

  function formula(variant, units, k, n, params, macs) {
    var lines = [], two = units.length > 1;
    units.forEach(function (u, idx) {
      var symbolic = idx === 1 ? u.symbolic.replace(/C_in/g, "C_out")
        : u.symbolic;
      var line = K.t("variants.weights", {symbolic: symbolic,
                                          numeric: u.numeric,
                                          count: u.weights});
      lines.push(two ? K.t("variants.layer", {number: idx + 1, line: line})
                 : line);
    });
    if (two) {
      lines.push(K.t("variants.weights_total", {params: params,
        terms: units.map(function (u) { return u.weights; }).join(" + ")}));
    }
    lines.push(K.t("variants.macs", {n: n, params: params, macs: macs}));
    if (variant === "dilated") {
      lines.push(K.t("variants.dilated_span", {span: K.rules.span(k, 2)}));
    }
    if (variant === "shuffled") { lines.push(K.t("variants.shuffle_free")); }
    return lines.join("\n");
  }

  // {params, macs, formula, stages, sees, reason}, as variant_report.
  function variantReport(variant, cin, cout, k, g, n, stacked) {
    var reason = reasonFor(variant, cin, cout, k, g);
    if (reason) {
      return {params: null, macs: null, formula: "", stages: [], sees: [],
              reason: reason};
    }
    var units = [unit(variant, cin, cout, k, g)];
    if (stacked) { units.push(unit(variant, cout, cout, k, g)); }
    var params = 0, stages = [];
    units.forEach(function (u) {
      params += u.weights;
      stages = stages.concat(u.stages);
    });
    var macs = n * n * params;
    return {params: params, macs: macs,
            formula: formula(variant, units, k, n, params, macs),
            stages: stages, sees: sees(stages, cin), reason: ""};
  }

  function groupOf(n, groups, i) {
    return Math.floor(i / (n / groups));
  }

  // Colour of a channel that depends on the input channels `seen`: its
  // input group's colour, green when it sees every input channel, grey
  // when it sees several groups but not all.
  function colourOf(seen, cin, g) {
    if (seen.length === cin) { return K.COLORS.out; }
    var first = groupOf(cin, g, seen[0]);
    var one = seen.every(function (c) {
      return groupOf(cin, g, c) === first;
    });
    return one ? K.SERIES[first % K.SERIES.length]
      : K.tint(K.COLORS.muted, 0.55);
  }

  function picture(r, s) {
    var grouped = s.variant === "grouped" || s.variant === "shuffled";
    var g = grouped ? s.groups : 1, cin = s.in_channels;
    var sizes = [cin].concat(r.stages.map(function (st) {
      return st.nOut;
    }));
    var labels = sizes.map(function (n, row) {
      return row === 0 ? K.t("variants.input_row", {n: n})
        : row === sizes.length - 1 ? K.t("variants.output_row", {n: n}) : "";
    });
    var colours = sizes.map(function (n, row) {   // per row, per channel
      return sees(r.stages.slice(0, row), cin).map(function (seen) {
        return colourOf(seen, cin, g);
      });
    });
    if (g === 1) { colours[0] = colours[0].map(function () {
      return K.SERIES[0];
    }); }
    return K.layers(sizes, r.stages.map(function (st) { return st.edges; }), {
      labels: labels,
      edgeLabels: r.stages.map(function (st) { return st.label; }),
      nodeColor: function (row, i) { return colours[row][i]; },
      edgeColor: function (l, i) {  // light green is too faint for lines
        return colours[l][i] === K.COLORS.out ? K.SERIES[2] : colours[l][i];
      }
    });
  }

  function seesText(r, cin) {
    var counts = r.sees.map(function (x) { return x.length; });
    var lo = Math.min.apply(null, counts), hi = Math.max.apply(null, counts);
    return K.t("variants.sees", {seen: lo === hi ? lo : lo + K.MINUS + hi,
                                 cin: cin});
  }

  function mount(el, init) {
    var s = {variant: init.variant, in_channels: init.in_channels,
             out_channels: init.out_channels, kernel_size: init.kernel_size,
             groups: init.groups, stacked: init.stacked};
    var number = function (key) {
      return function (v) { s[key] = Number(v); draw(); };
    };
    var ctl = K.controls([
      K.select(K.t("variants.variant"), "variant",
               init.variants.map(function (key) {
                 return [key, K.t("variants.name_" + key)];
               }), s.variant, function (v) { s.variant = v; draw(); }),
      K.select(K.t("variants.cin"), "in_channels", init.channel_options,
               s.in_channels, number("in_channels")),
      K.select(K.t("variants.cout"), "out_channels", init.channel_options,
               s.out_channels, number("out_channels")),
      K.select(K.t("variants.k"), "kernel_size", init.kernel_options,
               s.kernel_size, number("kernel_size")),
      K.select(K.t("variants.g"), "groups", init.group_options, s.groups,
               number("groups")),
      K.checkbox(K.t("variants.stacked"), "stacked", s.stacked,
                 function (v) { s.stacked = v; draw(); })]);
    var out = K.h("div", {"class": "cl-result"});
    K.fill(el, [ctl, out]);

    function draw() {
      var r = variantReport(s.variant, s.in_channels, s.out_channels,
                            s.kernel_size, s.groups, init.input_size,
                            s.stacked);
      el.querySelector("[data-field='groups']").disabled =
        s.variant !== "grouped" && s.variant !== "shuffled";
      el.querySelector("[data-field='kernel_size']").disabled =
        s.variant === "pointwise";
      if (r.reason) {
        K.fill(out, [K.error(r.reason)]);
        return;
      }
      K.fill(out, [
        K.h("div", {}, [K.t("variants.weights_label") + " ",
                        K.h("b", {"class": "cl-params"}, K.big(r.params)),
                        K.t("variants.macs_label", {n: init.input_size}) +
                        " ", K.h("b", {"class": "cl-macs"}, K.big(r.macs))]),
        K.formula(r.formula),
        K.h("div", {"class": "cl-sees"}, seesText(r, s.in_channels)),
        picture(r, s)]);
    }
    draw();
  }

  root.convlibVariantComparer = {variantReport: variantReport,
                                 mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
