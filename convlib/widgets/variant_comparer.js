// Variant comparer: weights, MACs and channel connectivity of one variant
// of a C_in -> C_out convolution.  `variantReport` mirrors
// convlib.widgets.variant_report (tests hold the two equal over the whole
// grid of settings); `mount` draws it with the shared kit (convlibKit).
(function (root) {
  "use strict";
  var K = root.convlibKit, X = "\u00d7", MINUS = "\u2212";

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
      var label = kk + X + kk + " conv" +
        (variant === "dilated" ? ", dilation 2" : "");
      return {weights: cout * cin * kk * kk,
              stages: [stage(label, cin, cout, groupEdges(cin, cout, 1))],
              symbolic: "C_out" + X + "C_in" + (kk === 1 ? "" : X + "k" + X +
                                                 "k"),
              numeric: cout + X + cin + (kk === 1 ? "" : X + sq)};
    }
    if (variant === "spatial") {
      return {weights: cout * cin * k + cout * cout * k,
              stages: [stage(k + X + "1 conv", cin, cout,
                             groupEdges(cin, cout, 1)),
                       stage("1" + X + k + " conv", cout, cout,
                             groupEdges(cout, cout, 1))],
              symbolic: "C_out" + X + "C_in" + X + "k + C_out" + X + "C_out" +
                X + "k",
              numeric: cout + X + cin + X + k + " + " + cout + X + cout + X +
                k};
    }
    if (variant === "depthwise") {
      return {weights: cin * k * k + cout * cin,
              stages: [stage("depthwise " + sq + " (groups " + cin + ")",
                             cin, cin, groupEdges(cin, cin, cin)),
                       stage("pointwise 1" + X + "1", cin, cout,
                             groupEdges(cin, cout, 1))],
              symbolic: "C_in" + X + "k" + X + "k + C_out" + X + "C_in",
              numeric: cin + X + sq + " + " + cout + X + cin};
    }
    var stages = [stage(sq + " conv, groups " + g, cin, cout,
                        groupEdges(cin, cout, g))];
    if (variant === "shuffled") {
      stages.push(stage("channel shuffle (" + g + " groups)", cout, cout,
                        shuffleEdges(cout, g)));
    }
    return {weights: cout * (cin / g) * k * k, stages: stages,
            symbolic: "C_out" + X + "(C_in/g)" + X + "k" + X + "k",
            numeric: cout + X + "(" + cin + "/" + g + ")" + X + sq};
  }

  function reasonFor(variant, cin, cout, k, g) {
    var mins = [["C_in", cin], ["C_out", cout], ["k", k], ["g", g]];
    for (var i = 0; i < mins.length; i++) {
      if (mins[i][1] < 1) {
        return mins[i][0] + " must be at least 1, got " + mins[i][1];
      }
    }
    if (k % 2 === 0 && variant !== "pointwise") {
      return "k must be odd so that padding (k " + MINUS +
        " 1)/2 keeps the size, got k = " + k;
    }
    if (variant === "grouped" || variant === "shuffled") {
      var pairs = [["C_in", cin], ["C_out", cout]];
      for (var j = 0; j < pairs.length; j++) {
        if (pairs[j][1] % g) {
          return pairs[j][0] + " = " + pairs[j][1] + " is not divisible " +
            "by g = " + g + ": every group needs the same number of " +
            "channels";
        }
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
      lines.push((two ? "layer " + (idx + 1) + ": " : "") + "weights = " +
                 symbolic + " = " + u.numeric + " = " + u.weights);
    });
    if (two) {
      lines.push("weights = " + units.map(function (u) {
        return u.weights;
      }).join(" + ") + " = " + params);
    }
    lines.push("MACs = H" + X + "W" + X + "weights = " + n + X + n + X +
               params + " = " + macs);
    if (variant === "dilated") {
      lines.push("dilation 2: the taps span 2" + X + "(k " + MINUS +
                 " 1) + 1 = " + (2 * k - 1) + " cells, with no extra " +
                 "weights");
    }
    if (variant === "shuffled") {
      lines.push("channel shuffle: 0 weights, 0 MACs (it only reorders " +
                 "channels)");
    }
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
    return one ? K.PALETTE[first % K.PALETTE.length] : "#bbb";
  }

  function picture(r, s) {
    var grouped = s.variant === "grouped" || s.variant === "shuffled";
    var g = grouped ? s.groups : 1, cin = s.in_channels;
    var sizes = [cin].concat(r.stages.map(function (st) {
      return st.nOut;
    }));
    var labels = sizes.map(function (n, row) {
      return row === 0 ? "input (" + n + ")"
        : row === sizes.length - 1 ? "output (" + n + ")" : "";
    });
    var colours = sizes.map(function (n, row) {   // per row, per channel
      return sees(r.stages.slice(0, row), cin).map(function (seen) {
        return colourOf(seen, cin, g);
      });
    });
    if (g === 1) { colours[0] = colours[0].map(function () {
      return K.PALETTE[0];
    }); }
    return K.layers(sizes, r.stages.map(function (st) { return st.edges; }), {
      labels: labels,
      edgeLabels: r.stages.map(function (st) { return st.label; }),
      nodeColor: function (row, i) { return colours[row][i]; },
      edgeColor: function (l, i) {  // light green is too faint for lines
        return colours[l][i] === K.COLORS.out ? "#66bb6a" : colours[l][i];
      }
    });
  }

  function seesText(r, cin) {
    var counts = r.sees.map(function (x) { return x.length; });
    var lo = Math.min.apply(null, counts), hi = Math.max.apply(null, counts);
    return "each output channel sees " + (lo === hi ? lo : lo + MINUS + hi) +
      " of the " + cin + " input channels";
  }

  function mount(el, init) {
    var s = {variant: init.variant, in_channels: init.in_channels,
             out_channels: init.out_channels, kernel_size: init.kernel_size,
             groups: init.groups, stacked: init.stacked};
    var num = function (key) {
      return function (v) { s[key] = Number(v); draw(); };
    };
    var ctl = K.controls([
      K.select("variant", "variant", init.variants, s.variant,
               function (v) { s.variant = v; draw(); }),
      K.select("C_in", "in_channels", init.channel_options, s.in_channels,
               num("in_channels")),
      K.select("C_out", "out_channels", init.channel_options,
               s.out_channels, num("out_channels")),
      K.select("kernel k", "kernel_size", init.kernel_options,
               s.kernel_size, num("kernel_size")),
      K.select("groups g", "groups", init.group_options, s.groups,
               num("groups")),
      K.checkbox("two layers stacked", "stacked", s.stacked,
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
        K.h("div", {}, ["weights: ", K.h("b", {"class": "cl-params"},
                                          K.big(r.params)),
                        ", MACs on " + init.input_size + X + init.input_size +
                        ": ", K.h("b", {"class": "cl-macs"}, K.big(r.macs))]),
        K.formula(r.formula),
        K.h("div", {"class": "cl-sees"}, seesText(r, s.in_channels)),
        picture(r, s)]);
    }
    draw();
  }

  root.convlibVariantComparer = {variantReport: variantReport,
                                 mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
