// Chapter 8 demo: the trained digit network, live.  The reader draws on
// an 8 x 8 grid (pointer: mouse, pen or touch; keyboard: arrows and
// Space) or picks a test digit; every change runs the network's forward
// pass (the kit's nn part, kit_nn.js) on the weights in the config and
// redraws every layer.  Pointing at a unit, or moving to it with the
// arrow keys, outlines it and the window of the layer below it was
// computed from.  Python twin: digit_net_forward (digit_net.py).
(function (root) {
  "use strict";
  var K = root.convlibKit, nn = K.nn;
  var SIDE = 8;
  // The maps drawn, the layer below each (for its window) and the size
  // of one cell in pixels.
  var LAYERS = [
    {key: "relu1", name: "conv1", below: "input", kind: "conv", cell: 7},
    {key: "pool1", name: "pool1", below: "relu1", kind: "pool", cell: 12},
    {key: "relu2", name: "conv2", below: "pool1", kind: "conv", cell: 12},
    {key: "pool2", name: "pool2", below: "relu2", kind: "pool", cell: 20}];
  var INPUT_CELL = 24, BAR = 90;
  var NAMES = {input: "input", relu1: "conv1", pool1: "pool1",
               relu2: "conv2", pool2: "pool2"};

  // Every layer for one grid of counts 0..levels (as digit_net_forward).
  function forward(w, counts, levels, padding) {
    var x = [counts.map(function (row) {
      return row.map(function (v) { return v / levels; });
    })];
    var conv1 = nn.conv2d(x, w.conv1_weight, w.conv1_bias, 1, padding);
    var relu1 = nn.relu(conv1), pool1 = nn.maxPool2d(relu1, 2);
    var conv2 = nn.conv2d(pool1, w.conv2_weight, w.conv2_bias, 1, padding);
    var relu2 = nn.relu(conv2), pool2 = nn.maxPool2d(relu2, 2);
    var scores = nn.linear(nn.flatten(pool2), w.linear_weight,
                           w.linear_bias);
    return {input: x, conv1: conv1, relu1: relu1, pool1: pool1,
            conv2: conv2, relu2: relu2, pool2: pool2, scores: scores,
            probabilities: nn.softmax(scores)};
  }

  function blank() {
    var rows = [];
    for (var r = 0; r < SIDE; r++) { rows.push(new Array(SIDE).fill(0)); }
    return rows;
  }

  function copy(counts) {
    return counts.map(function (row) { return row.slice(); });
  }

  function largest(maps) {
    var top = 0;
    maps.forEach(function (m) {
      m.forEach(function (row) {
        row.forEach(function (v) { top = Math.max(top, v); });
      });
    });
    return top;
  }

  // A map's frame: its canvas, and outlines laid over it (the probed
  // unit, solid; a window of it, dashed).
  function frame(cell, rows, cols) {
    return K.h("div", {"class": "cl-map", style: "position:relative;" +
                       "line-height:0;border:1px solid " + K.COLORS.grid +
                       ";width:" + cols * cell + "px;height:" +
                       rows * cell + "px"});
  }

  // A map's frame with its number under it.
  function numbered(map, m) {
    return K.h("div", {style: "display:inline-block;margin:0 4px 2px 0;" +
                       "text-align:center;font-size:75%;line-height:1.3;" +
                       "vertical-align:top"}, [map, String(m)]);
  }

  function outline(map, cls, box, cell, css) {
    var o = map.querySelector("." + cls);
    if (!o) {
      o = K.h("div", {"class": cls, style: "position:absolute;" +
                      "box-sizing:border-box;pointer-events:none;" + css});
      map.appendChild(o);
    }
    o.style.display = "block";
    o.style.top = box[0] * cell + "px";
    o.style.left = box[2] * cell + "px";
    o.style.height = (box[1] - box[0] + 1) * cell + "px";
    o.style.width = (box[3] - box[2] + 1) * cell + "px";
  }

  var UNIT = "border:2px solid " + K.INK;
  var WINDOW = "border:2px dashed " + K.COLORS.window;

  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

  function mount(el, init) {
    var w = init.weights, levels = init.levels, pad = init.padding;
    var st = {counts: copy(init.digits[init.start].levels),
              pick: init.start, edited: false, pen: init.controls.pens[0],
              cursor: [3, 3], probe: null, drawing: false};
    var reads = init.digits.map(function (d) {
      return nn.argmax(forward(w, d.levels, levels, pad).scores);
    });
    var out, frames = {}, focused = null;
    var last = {relu1: [0, 0, 0], pool1: [0, 0, 0], relu2: [0, 0, 0],
                pool2: [0, 0, 0], output: 0};

    // ---- controls
    var choices = [["blank", K.t("digitnet.blank")]].concat(
      init.digits.map(function (d, k) {
        var key = reads[k] === d.label ? "digitnet.option"
          : "digitnet.option_wrong";
        return [String(k), K.t(key, {index: d.index, label: d.label,
                                     predicted: reads[k]})];
      }));
    var picker = K.select(K.t("digitnet.digit"), "digit", choices,
                          String(st.pick), function (v) {
      st.pick = v === "blank" ? null : Number(v);
      st.counts = st.pick === null ? blank()
        : copy(init.digits[st.pick].levels);
      st.edited = false;
      update();
    });
    var pen = K.select(K.t("digitnet.pen"), "pen",
      init.controls.pens.map(function (v) {
        return [v, K.t("digitnet.pen_" + v)];
      }), st.pen, function (v) { st.pen = Number(v); });
    var clear = K.button(K.t("digitnet.clear"), "clear", function () {
      st.counts = blank();
      st.edited = true;
      update();
    });

    // ---- the drawing grid
    var grid = frame(INPUT_CELL, SIDE, SIDE);
    grid.setAttribute("tabindex", "0");
    grid.setAttribute("role", "application");
    grid.setAttribute("aria-label", K.t("digitnet.grid_label"));
    grid.setAttribute("data-field", "grid");
    grid.style.touchAction = "none";
    grid.style.cursor = "crosshair";
    frames.input = [grid];

    function cellAt(map, cell, e) {
      var box = map.getBoundingClientRect();
      return [clamp(Math.floor((e.clientY - box.top) / cell), 0, 1e9),
              clamp(Math.floor((e.clientX - box.left) / cell), 0, 1e9)];
    }

    function paint(r, c, value) {
      if (r >= SIDE || c >= SIDE) { return; }
      st.cursor = [r, c];
      if (st.counts[r][c] !== value) {
        st.counts[r][c] = value;
        st.edited = true;
        update();
      }
      probe({layer: "input", m: 0, i: r, j: c});
    }

    grid.addEventListener("pointerdown", function (e) {
      st.drawing = true;
      try {            // keep the stroke when the pointer leaves the grid
        grid.setPointerCapture(e.pointerId);
      } catch (err) { /* a pointer the browser no longer tracks */ }
      var rc = cellAt(grid, INPUT_CELL, e);
      paint(rc[0], rc[1], st.pen);
      e.preventDefault();
    });
    grid.addEventListener("pointermove", function (e) {
      var rc = cellAt(grid, INPUT_CELL, e);
      if (rc[0] >= SIDE || rc[1] >= SIDE) { return; }
      if (st.drawing) {
        paint(rc[0], rc[1], st.pen);
      } else {
        probe({layer: "input", m: 0, i: rc[0], j: rc[1]});
      }
    });
    ["pointerup", "pointercancel"].forEach(function (type) {
      grid.addEventListener(type, function () { st.drawing = false; });
    });
    grid.addEventListener("pointerleave", function () {
      if (!st.drawing && focused !== grid) { probe(null); }
    });
    grid.addEventListener("keydown", function (e) {
      var moves = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1],
                   ArrowRight: [0, 1]};
      var r = st.cursor[0], c = st.cursor[1];
      if (moves[e.key]) {
        r = clamp(r + moves[e.key][0], 0, SIDE - 1);
        c = clamp(c + moves[e.key][1], 0, SIDE - 1);
        st.cursor = [r, c];
        probe({layer: "input", m: 0, i: r, j: c});
      } else if (e.key === " " || e.key === "Enter") {
        paint(r, c, st.pen);
      } else if (e.key === "Delete" || e.key === "Backspace") {
        paint(r, c, 0);
      } else {
        return;
      }
      e.preventDefault();
    });
    focusRing(grid, function () {
      probe({layer: "input", m: 0, i: st.cursor[0], j: st.cursor[1]});
    });

    // ---- the probabilities
    var bars = K.h("table", {"class": "cl-probs",
                             style: "border-collapse:collapse"},
      init.weights.linear_bias.map(function (_, k) {
        return K.h("tr", {"data-class": k}, [
          K.h("td", {style: "padding:0 .4em;font-family:monospace"},
              String(k)),
          K.h("td", {}, K.h("div", {"class": "cl-bar", style:
            "height:.8em;background:" + K.COLORS.line})),
          K.h("td", {"class": "cl-p", style: "padding:0 .4em;" +
                     "font-family:monospace;text-align:right"}),
          K.h("td", {"class": "cl-mark", style: "font-size:90%"})]);
      }));
    var outputPanel = K.h("div", {tabindex: "0", role: "group",
                                  "aria-label": K.t("digitnet.output_help"),
                                  "data-field": "output"}, bars);
    bars.addEventListener("pointermove", function (e) {
      var row = e.target.closest && e.target.closest("tr");
      if (row) { probe({layer: "output", k: Number(row.dataset["class"])}); }
    });
    bars.addEventListener("pointerleave", function () {
      if (focused !== outputPanel) { probe(null); }
    });
    outputPanel.addEventListener("keydown", function (e) {
      var step = {ArrowUp: -1, ArrowLeft: -1, ArrowDown: 1, ArrowRight: 1};
      if (!step[e.key]) { return; }
      last.output = clamp(last.output + step[e.key], 0, out.scores.length - 1);
      probe({layer: "output", k: last.output});
      e.preventDefault();
    });
    focusRing(outputPanel, function () {
      probe({layer: "output", k: last.output});
    });

    // ---- the layers' maps
    var panels = LAYERS.map(function (L) {
      var channels = L.key === "relu1" || L.key === "pool1"
        ? w.conv1_weight.length : w.conv2_weight.length;
      var side = {relu1: 8, pool1: 4, relu2: 4, pool2: 2}[L.key];
      frames[L.key] = [];
      for (var m = 0; m < channels; m++) {
        frames[L.key].push(frame(L.cell, side, side));
      }
      var holder = K.h("div", {tabindex: "0", role: "group",
        "data-field": "layer-" + L.key, "data-layer": L.key,
        "aria-label": K.t("digitnet.layer_help",
                          {name: K.t("digitnet.name_" + L.name)})},
        frames[L.key].map(numbered));
      frames[L.key].forEach(function (map, m) {
        map.addEventListener("pointermove", function (e) {
          var rc = cellAt(map, L.cell, e);
          if (rc[0] < side && rc[1] < side) {
            probe({layer: L.key, m: m, i: rc[0], j: rc[1]});
          }
        });
      });
      holder.addEventListener("pointerleave", function () {
        if (focused !== holder) { probe(null); }
      });
      holder.addEventListener("keydown", function (e) {
        var p = last[L.key], n = channels;
        var m = p[0], i = p[1], j = p[2];
        if (e.key === "ArrowRight") {
          if (j < side - 1) { j++; } else { j = 0; m = (m + 1) % n; }
        } else if (e.key === "ArrowLeft") {
          if (j > 0) { j--; } else { j = side - 1; m = (m + n - 1) % n; }
        } else if (e.key === "ArrowDown") {
          i = Math.min(side - 1, i + 1);
        } else if (e.key === "ArrowUp") {
          i = Math.max(0, i - 1);
        } else if (e.key === "PageDown") {
          m = (m + 1) % n;
        } else if (e.key === "PageUp") {
          m = (m + n - 1) % n;
        } else {
          return;
        }
        last[L.key] = [m, i, j];
        probe({layer: L.key, m: m, i: i, j: j});
        e.preventDefault();
      });
      focusRing(holder, function () {
        var p = last[L.key];
        probe({layer: L.key, m: p[0], i: p[1], j: p[2]});
      });
      return K.panel(K.t("digitnet." + L.name, {c: channels}), holder,
                     "cl-panel cl-layer");
    });

    function focusRing(node, onFocus) {
      node.addEventListener("focus", function () {
        focused = node;
        node.style.outline = "2px solid " + K.INK;
        node.style.outlineOffset = "2px";
        onFocus();
      });
      node.addEventListener("blur", function () {
        if (focused === node) { focused = null; }
        node.style.outline = "";
        probe(null);
      });
    }

    var prediction = K.h("div", {"class": "cl-prediction", role: "status",
                                 "aria-live": "polite",
                                 style: "font-weight:bold;margin:.3em 0"});
    var info = K.h("div", {"class": "cl-probe", "aria-live": "polite",
                           style: "min-height:2.6em;margin:.3em 0"},
                   K.t("digitnet.hint"));
    var scale = K.h("div", {"class": "cl-scale", style: "font-size:90%"});
    K.fill(el, [K.controls([picker, pen, clear]),
                K.h("div", {style: "display:flex;flex-wrap:wrap;" +
                            "align-items:flex-start"}, [
                  K.panel(K.t("digitnet.input"), grid, "cl-panel cl-input"),
                  K.panel(K.t("digitnet.output"), outputPanel,
                          "cl-panel cl-output")]),
                prediction, info].concat(panels, [scale]));

    // ---- drawing
    function paintMaps(key, maps, top, cell) {
      frames[key].forEach(function (map, m) {
        var canvas = K.raster(maps[m], function (r, c, v) {
          return K.shade(top > 0 ? v / top : 0);
        }, {cell: cell, "class": "cl-raster"});
        var shown = map.firstChild;
        if (shown && shown.tagName === "CANVAS" &&
            shown.width === canvas.width && shown.height === canvas.height) {
          // copy the pixels into the canvas on the page: no new nodes,
          // no layout while the reader draws
          shown.getContext("2d").drawImage(canvas, 0, 0);
          return;
        }
        canvas.setAttribute("aria-hidden", "true");
        if (shown && shown.tagName === "CANVAS") {
          map.replaceChild(canvas, shown);
        } else {
          map.insertBefore(canvas, shown);
        }
      });
    }

    function update() {
      out = forward(w, st.counts, levels, pad);
      paintMaps("input", out.input, 1, INPUT_CELL);
      var tops = {};
      LAYERS.forEach(function (L) {
        tops[L.key] = largest(out[L.key]);
        paintMaps(L.key, out[L.key], tops[L.key], L.cell);
      });
      var best = nn.argmax(out.scores);
      [].forEach.call(bars.rows, function (row, k) {
        var p = out.probabilities[k];
        row.querySelector(".cl-bar").style.width = Math.round(p * BAR) +
          "px";
        row.querySelector(".cl-p").textContent = K.fmt(p, 2);
        row.querySelector(".cl-mark").textContent = k === best
          ? K.t("digitnet.predicted_mark") : "";
        row.style.fontWeight = k === best ? "bold" : "";
      });
      var words = {digit: best, p: K.fmt(out.probabilities[best], 2)};
      if (st.pick !== null && !st.edited) {
        var label = init.digits[st.pick].label;
        words.label = label;
        words.verdict = K.t(best === label ? "digitnet.right"
                                           : "digitnet.wrong");
      }
      K.fill(prediction, K.t("label" in words ? "digitnet.prediction_label"
                                              : "digitnet.prediction",
                             words));
      K.fill(scale, K.t("digitnet.scale", {
        conv1: K.fmt(tops.relu1, 2), pool1: K.fmt(tops.pool1, 2),
        conv2: K.fmt(tops.relu2, 2), pool2: K.fmt(tops.pool2, 2)}));
      probe(st.probe);
      el.convlibDigitNet = {out: out, counts: st.counts};
    }

    // ---- the probe: a unit, its value, and its window below
    function hideOutlines() {
      [].forEach.call(el.querySelectorAll(".cl-unit, .cl-window"),
                      function (o) { o.style.display = "none"; });
      [].forEach.call(bars.rows, function (row) {
        row.style.outline = "";
      });
    }

    function span(i, stride, k, p, n) {
      var lo = i * stride - p, hi = lo + k - 1;
      return {lo: Math.max(0, lo), hi: Math.min(n - 1, hi),
              padded: lo < 0 || hi > n - 1};
    }

    function probe(p) {
      st.probe = p;
      hideOutlines();
      if (!p) {
        K.fill(info, K.t("digitnet.hint"));
        return;
      }
      if (p.layer === "input") {
        var level = st.counts[p.i][p.j];
        outline(frames.input[0], "cl-unit", [p.i, p.i, p.j, p.j],
                INPUT_CELL, UNIT);
        K.fill(info, K.t("digitnet.probe_input", {
          r: p.i, c: p.j, level: level, value: K.fmt(level / levels, 4)}));
        return;
      }
      if (p.layer === "output") {
        bars.rows[p.k].style.outline = "2px solid " + K.INK;
        frames.pool2.forEach(function (map) {
          outline(map, "cl-window", [0, 1, 0, 1], LAYERS[3].cell, WINDOW);
        });
        K.fill(info, K.t("digitnet.probe_output", {
          k: p.k, score: K.fmt(out.scores[p.k], 3),
          p: K.fmt(out.probabilities[p.k], 3),
          n: frames.pool2.length * 4}));
        return;
      }
      var L = LAYERS.filter(function (x) { return x.key === p.layer; })[0];
      outline(frames[L.key][p.m], "cl-unit", [p.i, p.i, p.j, p.j], L.cell,
              UNIT);
      var below = frames[L.below], n = out[L.below][0].length;
      var cell = L.below === "input" ? INPUT_CELL
        : LAYERS.filter(function (x) { return x.key === L.below; })[0].cell;
      var k = L.kind === "conv" ? w.conv1_weight[0][0].length : 2;
      var rows = span(p.i, L.kind === "conv" ? 1 : 2, k,
                      L.kind === "conv" ? pad : 0, n);
      var cols = span(p.j, L.kind === "conv" ? 1 : 2, k,
                      L.kind === "conv" ? pad : 0, n);
      var box = [rows.lo, rows.hi, cols.lo, cols.hi];
      var words = {name: K.t("digitnet.name_" + L.name), m: p.m, r: p.i,
                   c: p.j, value: K.fmt(out[L.key][p.m][p.i][p.j], 3),
                   r0: rows.lo, r1: rows.hi, c0: cols.lo, c1: cols.hi};
      if (L.kind === "pool") {
        outline(below[p.m], "cl-window", box, cell, WINDOW);
        words.below = K.t("digitnet.name_" + NAMES[L.below]);
        K.fill(info, K.t("digitnet.probe_pool", words));
        return;
      }
      below.forEach(function (map) {
        outline(map, "cl-window", box, cell, WINDOW);
      });
      var raw = out[L.key === "relu1" ? "conv1" : "conv2"][p.m][p.i][p.j];
      words.raw = K.fmt(raw, 3);
      words.below = L.below === "input" ? K.t("digitnet.name_input")
        : K.t("digitnet.every_map", {c: below.length,
                                     name: K.t("digitnet.name_pool1")});
      words.pad = rows.padded || cols.padded ? K.t("digitnet.probe_pad")
        : "";
      K.fill(info, K.t("digitnet.probe_conv", words));
    }

    update();
  }

  root.convlibDigitNet = {forward: forward, mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
