// Variant comparer: every variant of a C_in -> C_out convolution against
// the standard layer (weights, MACs, their ratios and the formula that
// predicts them), then one variant in detail: its formulas with the
// numbers put in and a picture of which channels feed which.
// `variantTable` and `variantReport` mirror convlib.widgets.variant_table
// and variant_report (tests hold them equal over the whole grid of
// settings), validity from the kit's rules, words from its string table;
// `mount` draws it with the shared kit (convlibKit).
(function (root) {
  "use strict";
  var K = root.convlibKit, X = K.TIMES;
  var VARIANTS = ["standard", "dilated", "spatial", "depthwise", "pointwise",
                  "grouped", "shuffled"];

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

  // Padding that keeps the size at stride 1 (odd k).
  function pad(k, d) { return K.rules.samePadding(k, d)[0]; }

  // One conv2d step: [height, width] pairs but the weights.
  function step(weights, kernel, stride, padding, dilation) {
    return {weights: weights, kernel: kernel, stride: stride,
            padding: padding, dilation: dilation};
  }

  // One unit of `variant` from cin to cout channels: {weights, symbolic,
  // numeric, steps} (its cost; `unitStages` gives its connections).
  function unit(variant, cin, cout, k, g, s) {
    var sq = k + X + k, p = pad(k, 1), w;
    if (variant === "standard" || variant === "dilated" ||
        variant === "pointwise") {
      var kk = variant === "pointwise" ? 1 : k;
      var d = variant === "dilated" ? 2 : 1, pp = pad(kk, d);
      w = cout * cin * kk * kk;
      return {weights: w,
              symbolic: "C_out" + X + "C_in" + (kk === 1 ? "" : X + "k" + X +
                                                 "k"),
              numeric: cout + X + cin + (kk === 1 ? "" : X + sq),
              steps: [step(w, [kk, kk], [s, s], [pp, pp], [d, d])]};
    }
    if (variant === "spatial") {
      return {weights: cout * cin * k + cout * cout * k,
              symbolic: "C_out" + X + "C_in" + X + "k + C_out" + X + "C_out" +
                X + "k",
              numeric: cout + X + cin + X + k + " + " + cout + X + cout + X +
                k,
              steps: [step(cout * cin * k, [k, 1], [s, 1], [p, 0], [1, 1]),
                      step(cout * cout * k, [1, k], [1, s], [0, p], [1, 1])]};
    }
    if (variant === "depthwise") {
      return {weights: cin * k * k + cout * cin,
              symbolic: "C_in" + X + "k" + X + "k + C_out" + X + "C_in",
              numeric: cin + X + sq + " + " + cout + X + cin,
              steps: [step(cin * k * k, [k, k], [s, s], [p, p], [1, 1]),
                      step(cout * cin, [1, 1], [1, 1], [0, 0], [1, 1])]};
    }
    w = cout * (cin / g) * k * k;
    return {weights: w,
            symbolic: "C_out" + X + "(C_in/g)" + X + "k" + X + "k",
            numeric: cout + X + "(" + cin + "/" + g + ")" + X + sq,
            steps: [step(w, [k, k], [s, s], [p, p], [1, 1])]};
  }

  // The stages of one unit: which channels feed which, with their labels.
  function unitStages(variant, cin, cout, k, g) {
    if (variant === "standard" || variant === "dilated" ||
        variant === "pointwise") {
      var kk = variant === "pointwise" ? 1 : k;
      var label = K.t(variant === "dilated" ? "variants.stage_dilated"
                      : "variants.stage_conv", {k: kk});
      return [stage(label, cin, cout, groupEdges(cin, cout, 1))];
    }
    if (variant === "spatial") {
      return [stage(K.t("variants.stage_kx1", {k: k}), cin, cout,
                    groupEdges(cin, cout, 1)),
              stage(K.t("variants.stage_1xk", {k: k}), cout, cout,
                    groupEdges(cout, cout, 1))];
    }
    if (variant === "depthwise") {
      return [stage(K.t("variants.stage_depthwise", {k: k, g: cin}), cin,
                    cin, groupEdges(cin, cin, cin)),
              stage(K.t("variants.stage_pointwise"), cin, cout,
                    groupEdges(cin, cout, 1))];
    }
    var stages = [stage(K.t("variants.stage_grouped", {k: k, g: g}), cin,
                        cout, groupEdges(cin, cout, g))];
    if (variant === "shuffled") {
      stages.push(stage(K.t("variants.stage_shuffle", {g: g}), cout, cout,
                        shuffleEdges(cout, g)));
    }
    return stages;
  }

  // The sentence of the rule that refuses the settings, or "".
  function reasonFor(variant, cin, cout, k, g, s) {
    var refused = K.rules.ints([["C_in", cin, 1], ["C_out", cout, 1],
                                ["k", k, 1], ["g", g, 1], ["s", s, 1]]);
    if (refused) { return K.t("arg." + refused.rule, refused.facts); }
    if (k % 2 === 0 && variant !== "pointwise") {  // padding (k - 1)/2
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

  // The output [height, width] of a step from `size`.
  function outSize(st, size) {
    return [0, 1].map(function (a) {
      return K.rules.conv(size[a], st.kernel[a], st.stride[a], st.padding[a],
                          st.dilation[a]).size;
    });
  }

  // steps: [{size, weights}] of every conv2d step, in order.
  function formula(variant, units, k, steps, params, macs) {
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
    var one = steps.every(function (st) {
      return st.size.join() === steps[0].size.join();
    });
    if (one) {
      lines.push(K.t("variants.macs", {h: steps[0].size[0],
                                       w: steps[0].size[1], params: params,
                                       macs: macs}));
    } else {
      lines.push(K.t("variants.macs_steps", {macs: macs,
        terms: steps.map(function (st) {
          return st.size[0] + X + st.size[1] + X + st.weights;
        }).join(" + ")}));
    }
    if (variant === "dilated") {
      lines.push(K.t("variants.dilated_span", {span: K.rules.span(k, 2)}));
    }
    if (variant === "shuffled") { lines.push(K.t("variants.shuffle_free")); }
    return lines.join("\n");
  }

  // {params, macs, formula, reason} of variant_report (no stages).
  function variantCounts(variant, cin, cout, k, g, n, stacked, s) {
    s = s === undefined ? 1 : s;
    var reason = reasonFor(variant, cin, cout, k, g, s);
    if (reason) {
      return {params: null, macs: null, formula: "", reason: reason};
    }
    var units = [unit(variant, cin, cout, k, g, s)];
    if (stacked) { units.push(unit(variant, cout, cout, k, g, 1)); }
    var params = 0, macs = 0, steps = [], size = [n, n];
    units.forEach(function (u) {
      params += u.weights;
      u.steps.forEach(function (st) {
        size = outSize(st, size);
        macs += size[0] * size[1] * st.weights;
        steps.push({size: size, weights: st.weights});
      });
    });
    return {params: params, macs: macs,
            formula: formula(variant, units, k, steps, params, macs),
            reason: ""};
  }

  // {params, macs, formula, stages, sees, reason}, as variant_report.
  function variantReport(variant, cin, cout, k, g, n, stacked, s) {
    var r = variantCounts(variant, cin, cout, k, g, n, stacked, s);
    r.stages = [];
    r.sees = [];
    if (r.reason) { return r; }
    r.stages = unitStages(variant, cin, cout, k, g);
    if (stacked) {
      r.stages = r.stages.concat(unitStages(variant, cout, cout, k, g));
    }
    r.sees = sees(r.stages, cin);
    return r;
  }

  // [text, [weights ratio, MACs ratio]] of the formula that predicts the
  // variant's cost against the standard layer (as _predicted).
  function predicted(variant, cin, cout, k, g, n, wo) {
    var value;
    if (variant === "standard" || variant === "dilated") {
      return [K.t("variants.pred_one"), [1, 1]];
    }
    if (variant === "depthwise") {
      value = 1 / cout + 1 / (k * k);
      return [K.t("variants.pred_depthwise", {cout: cout, kk: k * k,
                                              value: K.fmt(value, 3)}),
              [value, value]];
    }
    if (variant === "pointwise") {
      value = 1 / (k * k);
      return [K.t("variants.pred_pointwise", {kk: k * k,
                                              value: K.fmt(value, 3)}),
              [value, value]];
    }
    if (variant === "grouped" || variant === "shuffled") {
      value = 1 / g;
      return [K.t("variants.pred_grouped", {g: g, value: K.fmt(value, 3)}),
              [value, value]];
    }
    var weights = (cin + cout) / (cin * k);
    var line = K.t("variants.pred_spatial", {cin: cin, cout: cout, k: k,
                                             value: K.fmt(weights, 3)});
    if (wo === n) { return [line, [weights, weights]]; }
    var macs = (n * cin + wo * cout) / (wo * cin * k);
    return [K.t("variants.pred_weights", {line: line}) + "\n" +
            K.t("variants.pred_macs", {line: K.t(
              "variants.pred_spatial_macs", {w: n, wo: wo, cin: cin,
                                             cout: cout, k: k,
                                             value: K.fmt(macs, 3)})}),
            [weights, macs]];
  }

  // Every variant against the standard layer, as variant_table: rows of
  // {variant, params, macs, paramsRatio, macsRatio, predicted,
  // predictedRatios, reason}.
  function variantTable(cin, cout, k, g, n, s) {
    var standard = variantCounts("standard", cin, cout, k, g, n, false, s);
    return VARIANTS.map(function (variant) {
      var r = variantCounts(variant, cin, cout, k, g, n, false, s);
      var reason = r.reason || standard.reason;
      if (reason) {
        return {variant: variant, params: null, macs: null,
                paramsRatio: null, macsRatio: null, predicted: "",
                predictedRatios: null, reason: reason};
      }
      var wo = K.rules.conv(n, k, s, pad(k, 1), 1).size;
      var p = predicted(variant, cin, cout, k, g, n, wo);
      return {variant: variant, params: r.params, macs: r.macs,
              paramsRatio: r.params / standard.params,
              macsRatio: r.macs / standard.macs, predicted: p[0],
              predictedRatios: p[1], reason: ""};
    });
  }

  // Groups the picture colours the input channels in (picture_groups).
  function pictureGroups(variant, cin, g) {
    if (variant === "grouped" || variant === "shuffled") { return g; }
    for (var d = 4; d > 1; d--) { if (cin % d === 0) { return d; } }
    return 1;
  }

  // ---- drawing

  // The look of a channel that depends on the input channels `seen`:
  // {group, color, shape}, group -1 when it mixes several input groups.
  function look(seen, cin, G, init) {
    var groups = {};
    seen.forEach(function (c) { groups[Math.floor(c * G / cin)] = true; });
    var keys = Object.keys(groups);
    if (keys.length !== 1) {
      return {group: -1, color: K.COLORS.muted, shape: init.mixed_marker};
    }
    var j = Number(keys[0]);
    return {group: j, color: K.SERIES[j % K.SERIES.length],
            shape: init.markers[j % init.markers.length]};
  }


  // ---- the picture: rows of channels, sizes[0] at the top, edgeLists[l]
  // = [[i, o], ...] between row l and row l + 1, each channel drawn as the
  // marker nodeShape(row, i) gives, in nodeColor(row, i); each row's label
  // just above it, so that a narrow picture has room; the <svg> shrinks
  // to its container's width.  The edges of layer l are one <path> per
  // colour with data-layer = l and data-edges = their number.  (Kept in
  // this script rather than the shared kit, so that the other demos'
  // saved scripts stay as they are.)
  function layers(sizes, edgeLists, o) {
    var width = o.width, gap = 70, top = 34;
    var xs = function (n, i) { return (i + 0.5) * width / n; };
    var ys = function (row) { return top + row * gap; };
    var kids = [], rows = [];
    edgeLists.forEach(function (edges, l) {
      var paths = {};  // one <path> per colour: fast with many edges
      edges.forEach(function (e) {
        var c = o.edgeColor(l, e[0], e[1]);
        var p = paths[c] || (paths[c] = {d: [], n: 0});
        p.d.push("M" + xs(sizes[l], e[0]).toFixed(1) + " " + ys(l) + "L" +
                 xs(sizes[l + 1], e[1]).toFixed(1) + " " + ys(l + 1));
        p.n += 1;
      });
      Object.keys(paths).forEach(function (c) {
        kids.push(K.svg("path", {d: paths[c].d.join(""), stroke: c,
                                 fill: "none", "data-layer": l,
                                 "data-edges": paths[c].n,
                                 "stroke-opacity": 0.55,
                                 "stroke-width": 1.2}));
      });
    });
    sizes.forEach(function (n, row) {
      var r = Math.max(2, Math.min(7, 0.35 * width / n));
      for (var i = 0; i < n; i++) {
        kids.push(marker(o.nodeShape(row, i), xs(n, i), ys(row), r,
                         {"data-row": row, stroke: K.INK,
                          fill: o.nodeColor(row, i)}));
      }
      rows.push(K.svg("text", {x: 2, y: ys(row) - r - 7, "font-size": 12,
                               fill: K.INK, stroke: K.PAPER,
                               "stroke-width": 4, "paint-order": "stroke"},
                      o.labels[row] || ""));
    });
    var height = ys(sizes.length - 1) + 12;
    return K.svg("svg", {width: width, height: height, "class": "cl-layers",
                         viewBox: "0 0 " + width + " " + height,
                         style: "max-width:100%;height:auto"},
                 kids.concat(rows));
  }

  // One marker at (x, y) of size r (the radius of the circle it stands
  // in for), as matplotlib draws `shape`: "o" circle, "s" square, "^"
  // "v" "<" ">" triangles, "D" diamond, "p" pentagon, "X" a filled cross
  // (anything else: a circle).  attrs (fill, stroke, data-...) go on the
  // element, which carries data-shape.
  function marker(shape, x, y, r, attrs) {
    var a = Object.assign({"data-shape": shape}, attrs || {});
    var polygon = function (points) {
      a.points = points.map(function (p) {
        return (x + p[0] * r).toFixed(2) + "," + (y + p[1] * r).toFixed(2);
      }).join(" ");
      return K.svg("polygon", a);
    };
    var turn = function (n, start, size) {  // a regular n-gon
      var out = [];
      for (var i = 0; i < n; i++) {
        var t = start + 2 * Math.PI * i / n;
        out.push([size * Math.cos(t), size * Math.sin(t)]);
      }
      return out;
    };
    var q = 0.85, t = 1.15, c = 0.35, PI = Math.PI;
    var shapes = {
      s: [[-q, -q], [q, -q], [q, q], [-q, q]],
      D: [[0, -t], [t, 0], [0, t], [-t, 0]],
      "^": turn(3, -PI / 2, t), v: turn(3, PI / 2, t),
      "<": turn(3, PI, t), ">": turn(3, 0, t), p: turn(5, -PI / 2, 1.05),
      X: [[-1, -1 + c], [-1 + c, -1], [0, -c], [1 - c, -1], [1, -1 + c],
          [c, 0], [1, 1 - c], [1 - c, 1], [0, c], [-1 + c, 1], [-1, 1 - c],
          [-c, 0]]
    };
    if (shapes[shape]) { return polygon(shapes[shape]); }
    a.cx = x; a.cy = y; a.r = r;
    return K.svg("circle", a);
  }

  function picture(r, s, init) {
    var cin = s.in_channels, G = pictureGroups(s.variant, cin, s.groups);
    var sizes = [cin].concat(r.stages.map(function (st) { return st.nOut; }));
    var last = sizes.length - 1, looks = sizes.map(function (n, row) {
      return sees(r.stages.slice(0, row), cin).map(function (seen) {
        return look(seen, cin, G, init);
      });
    });
    var labels = sizes.map(function (n, row) {
      if (row === 0) { return K.t("variants.input_row", {n: n}); }
      var label = r.stages[row - 1].label;
      return row < last ? label : K.t("variants.row_label", {
        stage: label, row: K.t("variants.output_row", {n: n})});
    });
    var svg = layers(sizes, r.stages.map(function (st) {
      return st.edges;
    }), {width: 380, labels: labels,
         nodeColor: function (row, i) { return looks[row][i].color; },
         nodeShape: function (row, i) { return looks[row][i].shape; },
         edgeColor: function (l, i) { return looks[l][i].color; }});
    return [svg, legend(looks, G, cin, init)];
  }

  // What the picture's colours and shapes mean: the groups it shows.
  function legend(looks, G, cin, init) {
    var shown = {}, items = [];
    looks.forEach(function (row) {
      row.forEach(function (l) { shown[l.group] = l; });
    });
    Object.keys(shown).map(Number).sort(function (a, b) {
      return (a < 0) - (b < 0) || a - b;
    }).forEach(function (j) {
      var per = cin / G, text = j < 0 ? K.t("variants.legend_mixed")
        : per === 1 ? K.t("variants.legend_channel", {j: j})
        : K.t("variants.legend_group", {j: j, first: j * per,
                                        last: (j + 1) * per - 1});
      var icon = K.svg("svg", {width: 16, height: 16, viewBox: "0 0 16 16",
                               "aria-hidden": "true",
                               style: "vertical-align:middle;" +
                                      "margin-right:.3em"},
                       [marker(shown[j].shape, 8, 8, 6,
                                 {fill: shown[j].color, stroke: K.INK})]);
      items.push(K.h("li", {"data-group": j},
                     [icon, text]));
    });
    return K.h("div", {"class": "cl-legend", style: "font-size:90%"}, [
      K.h("div", {}, K.t("variants.legend_title") +
          (G > init.markers.length ? " " + K.t("variants.legend_repeat")
           : "")),
      K.h("ul", {style: "list-style:none;padding:0;margin:.2em 0;" +
                         "display:flex;flex-wrap:wrap;column-gap:1em"},
          items)]);
  }

  var CELL = "padding:.2em .4em;vertical-align:top;";
  var LINE = ";border-bottom:1px solid " + K.COLORS.grid;

  // Two rows per variant: its name and counts, then the formula that
  // predicts its ratios (one row with the reason when it is refused), so
  // that the table is three columns wide and fits a phone.
  function tableRows(row, chosen) {
    var name = K.t("variants.name_" + row.variant);
    var first = K.h("td", {style: CELL + (chosen ? ";font-weight:bold" : "") +
                           (row.reason ? LINE : "")},
                    [name, chosen ? K.h("div", {
                      style: "font-weight:normal;font-size:85%;color:" +
                        K.COLORS.muted}, K.t("variants.chosen")) : null]);
    if (row.reason) {
      return [K.h("tr", {"data-variant": row.variant}, [first, K.h("td", {
        colspan: 2, style: CELL + LINE + ";color:" + K.COLORS.error}, K.t(
          "variants.invalid", {reason: row.reason}))])];
    }
    var count = function (n, ratio, cls) {
      return K.h("td", {"class": cls, style: CELL + ";text-align:right"}, [
        K.h("div", {style: "white-space:nowrap"}, K.big(n)),
        K.h("div", {"class": "cl-ratio", style: "color:" + K.COLORS.muted},
            K.fmt(ratio, 3))]);
    };
    return [
      K.h("tr", {"data-variant": row.variant}, [
        first, count(row.params, row.paramsRatio, "cl-row-params"),
        count(row.macs, row.macsRatio, "cl-row-macs")]),
      K.h("tr", {"data-variant": row.variant}, K.h("td", {
        colspan: 3, style: CELL + LINE + ";padding-left:1.2em"}, [
          K.h("span", {style: "color:" + K.COLORS.muted},
              K.t("variants.col_predicted") + ": "),
          K.h("span", {"class": "cl-predicted",
                       style: "white-space:pre-wrap;overflow-wrap:anywhere"},
              row.predicted)]))];
  }

  function table(rows, s, n) {
    var head = ["col_variant", "col_weights", "col_macs"];
    return K.h("table", {"class": "cl-variants",
                         style: "border-collapse:collapse;font-size:90%;" +
                                "margin:.3em 0;max-width:100%"}, [
      K.h("caption", {style: "text-align:left;caption-side:top"},
          K.t("variants.caption", {n: n})),
      K.h("thead", {}, K.h("tr", {}, head.map(function (key, i) {
        return K.h("th", {scope: "col", style: CELL + LINE + ";text-align:" +
                          (i ? "right" : "left")},
                   [K.t("variants." + key), i ? K.h("div", {
                     style: "font-weight:normal;white-space:nowrap;color:" +
                       K.COLORS.muted}, K.t("variants.col_ratio")) : null]);
      }))),
      K.h("tbody", {}, [].concat.apply([], rows.map(function (row) {
        return tableRows(row, row.variant === s.variant);
      })))]);
  }

  function seesText(r, cin) {
    var counts = r.sees.map(function (x) { return x.length; });
    var lo = Math.min.apply(null, counts), hi = Math.max.apply(null, counts);
    return K.t("variants.sees", {seen: lo === hi ? lo : lo + K.MINUS + hi,
                                 cin: cin});
  }

  function liveText(rows, s) {
    var row = rows.filter(function (x) { return x.variant === s.variant; })[0];
    if (row.reason) { return K.t("variants.invalid", {reason: row.reason}); }
    return K.t("variants.live", {
      name: K.t("variants.name_" + row.variant), params: K.big(row.params),
      macs: K.big(row.macs), params_ratio: K.fmt(row.paramsRatio, 3),
      macs_ratio: K.fmt(row.macsRatio, 3)});
  }

  // The kit's labels keep 1em of margin to their right, which sticks out
  // of a narrow box at the end of a line: here the gap goes between them,
  // and a label alone on a line too narrow for it may wrap its words.
  function gapped(node) {
    node.style.display = "flex";
    node.style.flexWrap = "wrap";
    node.style.columnGap = "1em";
    Array.prototype.forEach.call(node.children, function (child) {
      child.style.marginRight = "0";
      child.style.whiteSpace = "normal";
    });
    return node;
  }

  function mount(el, init) {
    var s = {variant: init.variant, in_channels: init.in_channels,
             out_channels: init.out_channels, kernel_size: init.kernel_size,
             groups: init.groups, stride: init.stride || 1,
             stacked: init.stacked};
    var number = function (key) {
      return function (v) { s[key] = Number(v); draw(); };
    };
    var layer = gapped(K.controls([
      K.select(K.t("variants.cin"), "in_channels", init.channel_options,
               s.in_channels, number("in_channels")),
      K.select(K.t("variants.cout"), "out_channels", init.channel_options,
               s.out_channels, number("out_channels")),
      K.select(K.t("variants.k"), "kernel_size", init.kernel_options,
               s.kernel_size, number("kernel_size")),
      K.select(K.t("variants.g"), "groups", init.group_options, s.groups,
               number("groups")),
      K.select(K.t("variants.s"), "stride", init.stride_options || [1],
               s.stride, number("stride"))]));
    var pick = gapped(K.controls([
      K.select(K.t("variants.variant"), "variant",
               init.variants.map(function (key) {
                 return [key, K.t("variants.name_" + key)];
               }), s.variant, function (v) { s.variant = v; draw(); }),
      K.checkbox(K.t("variants.stacked"), "stacked", s.stacked,
                 function (v) { s.stacked = v; draw(); })]));
    var costs = K.h("div", {"class": "cl-table"});
    var live = K.h("p", {"class": "cl-live", role: "status",
                         "aria-live": "polite", style: "margin:.3em 0"});
    var out = K.h("div", {"class": "cl-result"});
    K.fill(el, [layer, costs, pick, live, out]);

    function draw() {
      var n = init.input_size;
      var rows = variantTable(s.in_channels, s.out_channels, s.kernel_size,
                              s.groups, n, s.stride);
      K.fill(costs, table(rows, s, n));
      K.fill(live, liveText(rows, s));
      var r = variantReport(s.variant, s.in_channels, s.out_channels,
                            s.kernel_size, s.groups, n, s.stacked, s.stride);
      if (r.reason) {
        var shown = K.error(r.reason);
        shown.removeAttribute("role");  // the live region says it
        K.fill(out, [shown]);
        return;
      }
      K.fill(out, [
        K.h("div", {}, [K.t("variants.weights_label") + " ",
                        K.h("b", {"class": "cl-params"}, K.big(r.params)),
                        K.t("variants.macs_label", {n: n}) +
                        " ", K.h("b", {"class": "cl-macs"}, K.big(r.macs))]),
        K.formula(r.formula),
        K.h("div", {"class": "cl-sees"}, seesText(r, s.in_channels))
      ].concat(picture(r, s, init)));
    }
    draw();
  }

  root.convlibVariantComparer = {variantReport: variantReport,
                                 variantCounts: variantCounts,
                                 variantTable: variantTable,
                                 pictureGroups: pictureGroups,
                                 VARIANTS: VARIANTS, mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
