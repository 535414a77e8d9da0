// The shared kit of every demo, global `convlibKit`, organised by purpose:
// strings, rules, formatting, colours, DOM, controls, text blocks, grids,
// charts, pictures.  A demo's own script is small: it asks `rules` for
// the numbers, `t` for the words and draws them with the rest.
//
// convlib/widgets/_demo.py (kit_source) loads it before every demo script
// and puts in DATA (the marked object at the end of this file) the book's
// palette (convlib/palette.py: {roles, series}) and the demos' string
// table (strings/: the kit's words and the demo's own).
// Nothing here fetches anything: the book is offline.
(function (root, DATA) {
  "use strict";
  var MINUS = "\u2212", TIMES = "\u00d7";

  // ---- strings: every word a demo shows, from one table keyed by rule
  // and message, in the page's language (<html lang>; English when the
  // table has no column for it).  "{name}" slots take params[name].

  function lang() {
    var page = typeof document !== "undefined" &&
      document.documentElement.lang || "en";
    return page.toLowerCase().split(/[-_]/)[0];
  }

  function t(key, params) {
    var entry = DATA.strings[key];
    if (!entry) { throw new Error("convlibKit: no string '" + key + "'"); }
    var text = entry[lang()] || entry.en;
    return text.replace(/\{(\w+)\}/g, function (slot, name) {
      if (!params || !(name in params)) {
        throw new Error("convlibKit: string '" + key + "' needs " + name);
      }
      return show(params[name]);
    });
  }

  // A value in a sentence: integers with a true minus sign, other
  // numbers as JavaScript writes them (as Python's repr), text as it is.
  function show(v) {
    return typeof v === "number" && Number.isInteger(v) ? num(v) : String(v);
  }

  // ---- rules: torch's shape rules, the one copy in JavaScript.  Each
  // answer is {size, rule, facts}: size null when refused, rule "" or
  // the id of the rule that refuses ("int", "min", "same_stride",
  // "span", "half_pad", "output_padding", "not_positive", "groups_in",
  // "groups_out"), facts the numbers its sentence names.  Their Python
  // twin, convlib/widgets/_rules.py, asks convlib._args and
  // convlib.shapes; tests/test_widget_rules.py holds the two equal over
  // every setting the demos' controls offer.

  function outcome(size, rule, facts) {
    return {size: size, rule: rule, facts: facts};
  }

  // The first of [[name, value, minimum], ...] that is not an integer
  // >= its minimum, as a refusal; null when all are.
  function ints(checks) {
    for (var i = 0; i < checks.length; i++) {
      var name = checks[i][0], v = checks[i][1], lo = checks[i][2];
      if (!Number.isInteger(v)) {
        return outcome(null, "int", {name: name, value: v});
      }
      if (v < lo) {
        return outcome(null, "min", {name: name, value: v, minimum: lo});
      }
    }
    return null;
  }

  // Cells a kernel (or window) of k taps, d apart, spans.
  function span(k, d) { return d * (k - 1) + 1; }

  // Windows of span(k, d), s apart, that fit in `padded` cells.
  function windows(padded, k, s, d) {
    return Math.floor((padded - span(k, d)) / s) + 1;
  }

  // [before, after]: padding='same' splits d*(k - 1), the extra after.
  function samePadding(k, d) {
    var total = span(k, d) - 1, before = Math.floor(total / 2);
    return [before, total - before];
  }

  // Convolution along one axis: n cells, kernel k, stride s, padding p
  // (an int or "same"), dilation d.  facts: {span, padded, top} (top =
  // padded - span, what the floor divides), or {total, before, after}
  // for "same".
  function conv(n, k, s, p, d) {
    var same = p === "same", f;
    var bad = ints([["input_size", n, 1], ["kernel_size", k, 1],
                    ["stride", s, 1], ["dilation", d, 1]].concat(
                      same ? [] : [["padding", p, 0]]));
    if (bad) { return bad; }
    if (same) {
      var pads = samePadding(k, d);
      f = {total: pads[0] + pads[1], before: pads[0], after: pads[1]};
      return s !== 1 ? outcome(null, "same_stride", f)
        : outcome(windows(n + pads[0] + pads[1], k, s, d), "", f);
    }
    f = {span: span(k, d), padded: n + 2 * p, top: n + 2 * p - span(k, d)};
    return f.top < 0 ? outcome(null, "span", f)
      : outcome(windows(f.padded, k, s, d), "", f);
  }

  // Transposed convolution along one axis.  facts: {raw}, the size
  // formula's value (refused below 1).
  function transpose(n, k, s, p, op, d) {
    op = op || 0;
    d = d || 1;
    var bad = ints([["input_size", n, 1], ["kernel_size", k, 1],
                    ["stride", s, 1], ["dilation", d, 1], ["padding", p, 0],
                    ["output_padding", op, 0]]);
    if (bad) { return bad; }
    var f = {raw: (n - 1) * s - 2 * p + span(k, d) + op};
    if (op >= Math.max(s, d)) { return outcome(null, "output_padding", f); }
    return f.raw < 1 ? outcome(null, "not_positive", f)
      : outcome(f.raw, "", f);
  }

  // Max or average pooling along one axis, with torch's ceil_mode: the
  // division rounds up, but a last window starting past the input and
  // its left padding is dropped.  facts: {span, padded, top, half (the
  // most padding allowed), raw (windows before that drop), last (where
  // the last of them starts)}.
  function pool(n, k, s, p, d, ceil) {
    var bad = ints([["input_size", n, 1], ["kernel_size", k, 1],
                    ["stride", s, 1], ["padding", p, 0], ["dilation", d, 1]]);
    if (bad) { return bad; }
    var f = {span: span(k, d), padded: n + 2 * p, top: n + 2 * p - span(k, d),
             half: Math.floor(k / 2)};
    f.raw = windows(f.padded + (ceil ? s - 1 : 0), k, s, d);
    f.last = (f.raw - 1) * s - p;
    if (p > f.half) { return outcome(null, "half_pad", f); }
    var size = f.raw - (ceil && f.last >= n ? 1 : 0);
    return size < 1 ? outcome(null, "span", f) : outcome(size, "", f);
  }

  // Where each of `out` windows starts (negative: in the padding).
  function starts(out, s, p) {
    var at = [];
    for (var i = 0; i < out; i++) { at.push(i * s - p); }
    return at;
  }

  // Divisor of each average-pooling window along one axis: its length
  // clipped to the padded input, or with cip false to the input.
  function windowCounts(n, out, k, s, p, cip) {
    return starts(out, s, p).map(function (a) {
      var end = Math.min(a + k, n + p);
      return cip ? end - a : Math.min(end, n) - Math.max(a, 0);
    });
  }

  // Channels split into g groups; size: input channels per group.
  function groups(cin, cout, g) {
    var bad = ints([["in_channels", cin, 1], ["out_channels", cout, 1],
                    ["groups", g, 1]]);
    if (bad) { return bad; }
    if (cin % g) { return outcome(null, "groups_in", {}); }
    if (cout % g) { return outcome(null, "groups_out", {}); }
    return outcome(cin / g, "", {});
  }

  var rules = {ints: ints, span: span, samePadding: samePadding, conv: conv,
               transpose: transpose, pool: pool, starts: starts,
               windowCounts: windowCounts, groups: groups};

  // ---- formatting

  // Integers with a true minus sign.
  function num(v) { return v < 0 ? MINUS + String(-v) : String(v); }

  // A short text for a value: integers as they are, others to `digits`
  // significant decimals (default 3), trailing zeros dropped.
  function fmt(v, digits) {
    if (v === null || v === undefined) { return ""; }
    if (typeof v === "string") { return v; }
    if (!isFinite(v)) { return v > 0 ? "\u221e" : MINUS + "\u221e"; }
    var d = digits === undefined ? 3 : digits;
    var text = Number.isInteger(v) ? String(Math.abs(v))
      : String(parseFloat(Math.abs(v).toFixed(d)));
    return v < 0 && text !== "0" ? MINUS + text : text;
  }

  // Thousands separated by thin spaces: 4 231 000.
  function big(v) {
    return num(v).replace(/\B(?=(\d{3})+(?!\d))/g, "\u2009");
  }

  // ---- colours: the book's palette (convlib/palette.py).  COLORS are
  // its roles (window, pad, kernel, out, hole, error, line, muted,
  // grid), SERIES its colours for telling things apart; PAPER and INK
  // are the page's own background and text (CSS system colours).
  var COLORS = DATA.palette.roles, SERIES = DATA.palette.series;
  var PAPER = "Canvas", INK = "CanvasText";
  var parsed = {};

  // [r, g, b] of "#rgb", "#rrggbb" or "rgb(r, g, b)", cached.
  function rgb(css) {
    if (parsed[css]) { return parsed[css]; }
    var m = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(css), out;
    if (m) {
      out = [Number(m[1]), Number(m[2]), Number(m[3])];
    } else {
      var hex = css.replace("#", "");
      if (hex.length === 3) { hex = hex.replace(/(.)/g, "$1$1"); }
      out = [0, 2, 4].map(function (i) {
        return parseInt(hex.slice(i, i + 2), 16);
      });
    }
    parsed[css] = out;
    return out;
  }

  // `css` at strength t: t = 0 is white, t = 1 the colour itself.
  function tint(css, t) {
    var x = Math.max(0, Math.min(1, t));
    return "rgb(" + rgb(css).map(function (c) {
      return Math.round(255 + (c - 255) * x);
    }).join(",") + ")";
  }

  // Heat maps: white (t = 0) to the palette's line colour (t = 1).
  function shade(t) { return tint(COLORS.line, t); }

  // ---- DOM

  // h("div", {class: "x", style: "..."}, [child, "text", ...]) -> Element.
  // Attributes starting with "on" are listeners; strings become text
  // nodes (never HTML), so config values cannot inject markup.
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) { return; }
      if (k.slice(0, 2) === "on") {
        node.addEventListener(k.slice(2), v);
      } else {
        node.setAttribute(k, v === true ? "" : String(v));
      }
    });
    return append(node, children);
  }

  function svg(tag, attrs, children) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs || {}).forEach(function (k) {
      node.setAttribute(k, String(attrs[k]));
    });
    return append(node, children);
  }

  function append(node, children) {
    [].concat(children === undefined ? [] : children).forEach(function (c) {
      if (c === null || c === undefined || c === false) { return; }
      node.appendChild(typeof c === "object" ? c
        : document.createTextNode(String(c)));
    });
    return node;
  }

  // Replace the children of `node` with `children`.
  function fill(node, children) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
    return append(node, children);
  }

  // ---- controls: each carries data-field=<field> so tests can find it;
  // numbers' bounds and selects' options come from the demo's config.
  var LABEL = "margin-right:1em;white-space:nowrap;display:inline-block";

  // The integers lo..hi, for a select.
  function options(lo, hi) {
    var out = [];
    for (var v = lo; v <= hi; v++) { out.push(v); }
    return out;
  }

  // options: values, or [value, text] pairs.
  function select(label, field, choices, value, onChange) {
    var sel = h("select", {"data-field": field}, choices.map(function (o) {
      var v = Array.isArray(o) ? o[0] : o, text = Array.isArray(o) ? o[1] : o;
      return h("option", {value: v, selected: String(v) === String(value)},
               String(text));
    }));
    sel.addEventListener("change", function () { onChange(sel.value); });
    return h("label", {style: LABEL}, [label + " ", sel]);
  }

  // A number box; bounds [lo, hi] (a hint: any number typed is passed on).
  function number(label, field, bounds, value, onChange, step) {
    var inp = h("input", {type: "number", "data-field": field,
                          min: bounds[0], max: bounds[1], step: step || 1,
                          value: value, style: "width:4.5em"});
    inp.addEventListener("input", function () {
      onChange(Number(inp.value));
    });
    return h("label", {style: LABEL}, [label + " ", inp]);
  }

  function range(label, field, bounds, value, onChange, step) {
    var inp = h("input", {type: "range", "data-field": field,
                          min: bounds[0], max: bounds[1], step: step || 1,
                          value: value});
    var shown = h("span", {"data-value": field}, fmt(Number(value)));
    inp.addEventListener("input", function () {
      fill(shown, fmt(Number(inp.value)));
      onChange(Number(inp.value));
    });
    return h("label", {style: LABEL}, [label + " ", inp, " ", shown]);
  }

  function checkbox(label, field, checked, onChange) {
    var inp = h("input", {type: "checkbox", "data-field": field,
                          checked: !!checked});
    inp.addEventListener("change", function () { onChange(inp.checked); });
    return h("label", {style: LABEL}, [inp, " " + label]);
  }

  function button(text, field, onClick) {
    return h("button", {type: "button", "data-field": field,
                        onclick: onClick}, text);
  }

  function controls(children) {
    return h("div", {"class": "cl-controls",
                     style: "margin-bottom:.5em;line-height:2"}, children);
  }

  // ---- text blocks

  function formula(text, cls) {
    return h("div", {"class": cls || "cl-formula",
                     style: "font-family:monospace;margin:.3em 0;" +
                            "white-space:pre-wrap"}, text);
  }

  function error(text) {
    return h("div", {"class": "cl-reason", role: "alert",
                     style: "color:" + COLORS.error + ";margin:.3em 0"},
             text);
  }

  // A captioned, inline block (a grid with its title above it).
  function panel(caption, child, cls) {
    return h("div", {"class": cls || "cl-panel",
                     style: "display:inline-block;vertical-align:top;" +
                            "margin:0 1em .5em 0"},
             [h("div", {style: "font-size:90%"}, caption), child]);
  }

  // ---- grids: values is a 2-D array; style(r, c, v) returns an object
  // {bg, color, text, title, border} for that cell (all optional).
  var CELL = "border:1px solid " + COLORS.grid + ";min-width:2.2em;" +
    "height:2.2em;text-align:center;padding:0 .15em;font-family:monospace;";

  function grid(values, style, cls) {
    var rows = values.map(function (row, r) {
      return h("tr", {}, row.map(function (v, c) {
        var s = style ? style(r, c, v) || {} : {};
        var css = CELL + "background:" + (s.bg || PAPER) + ";color:" +
          (s.color || INK) + ";" + (s.border ? "outline:2px solid " +
          s.border + ";outline-offset:-2px;" : "");
        return h("td", {"data-r": r, "data-c": c, style: css,
                        title: s.title},
                 s.text !== undefined ? s.text : fmt(v));
      }));
    });
    return h("table", {"class": cls || "cl-grid",
                       style: "border-collapse:collapse;" +
                              "display:inline-table"}, rows);
  }

  // Update a table drawn by `grid` in place, for a redraw that keeps the
  // grid's shape (a stepper moving one step): the same texts and colours
  // `grid(values, style)` would draw, without building new nodes.
  // Returns false, changing nothing, when `table` is not a grid of that
  // shape (then draw a new grid).
  function repaint(table, values, style) {
    var rows = table && table.rows;
    if (!rows || rows.length !== values.length ||
        values.some(function (row, r) {
          return rows[r].cells.length !== row.length;
        })) {
      return false;
    }
    values.forEach(function (row, r) {
      row.forEach(function (v, c) {
        var s = style ? style(r, c, v) || {} : {}, td = rows[r].cells[c];
        var text = s.text !== undefined ? String(s.text) : fmt(v);
        if (td.textContent !== text) { td.textContent = text; }
        td.style.background = s.bg || PAPER;
        td.style.color = s.color || INK;
        td.style.outline = s.border ? "2px solid " + s.border : "";
        td.style.outlineOffset = s.border ? "-2px" : "";
        if (s.title) {
          td.title = s.title;
        } else {
          td.removeAttribute("title");
        }
      });
    });
    return true;
  }

  // A 2-D array drawn on a <canvas>, one `cell`-pixel square per value,
  // for maps too large for grid() (a 129 x 129 receptive field).
  // color(r, c, v) returns "#rgb", "#rrggbb" or "rgb(r, g, b)"; opts
  // {cell (px, default 8), mark: [r, c] outlined in INK, class, title}.
  // The pixels are written in one ImageData, so a large map draws in a
  // few milliseconds.  The canvas carries data-rows and data-cols.
  function raster(values, color, opts) {
    var o = opts || {}, cell = o.cell || 8;
    var rows = values.length, cols = rows ? values[0].length : 0;
    var width = cols * cell, height = rows * cell;
    var canvas = h("canvas", {width: width, height: height,
                              "class": o["class"] || "cl-raster",
                              title: o.title, "data-rows": rows,
                              "data-cols": cols});
    if (!rows || !cols) { return canvas; }
    var ctx = canvas.getContext("2d");
    var image = ctx.createImageData(width, height), px = image.data;
    for (var r = 0; r < rows; r++) {
      for (var c = 0; c < cols; c++) {
        var col = rgb(color(r, c, values[r][c]));
        for (var y = r * cell; y < (r + 1) * cell; y++) {
          for (var x = c * cell, i = 4 * (y * width + x);
               x < (c + 1) * cell; x++, i += 4) {
            px[i] = col[0]; px[i + 1] = col[1]; px[i + 2] = col[2];
            px[i + 3] = 255;
          }
        }
      }
    }
    ctx.putImageData(image, 0, 0);
    if (o.mark) {
      ctx.strokeStyle = INK;
      ctx.lineWidth = Math.max(1, cell / 5);
      ctx.strokeRect(o.mark[1] * cell, o.mark[0] * cell, cell, cell);
    }
    return canvas;
  }

  // ---- charts: series [{x: [...], y: [...], color, dash}], opts
  // {width, height, xlim, ylim, xlabel, ylabel, marks: [{x, y, color}],
  // ticks, left (the left margin, px)}. With ticks true the axes get
  // tick marks and labels at round numbers (`ticks`); else three labels,
  // at both ends and the middle.
  // Returns an <svg>.
  var chartCount = 0;

  function chart(series, opts) {
    var o = opts || {}, W = o.width || 420, H = o.height || 260;
    var m = {l: o.left || 44, r: 10, t: 10, b: 34};
    var xl = o.xlim || extent(series, "x");
    var yl = o.ylim || extent(series, "y");
    var sx = function (x) {
      return m.l + (x - xl[0]) / (xl[1] - xl[0]) * (W - m.l - m.r);
    };
    var sy = function (y) {
      return H - m.b - (y - yl[0]) / (yl[1] - yl[0]) * (H - m.t - m.b);
    };
    var clip = "cl-clip-" + (++chartCount);
    var kids = axes(xl, yl, sx, sy, W, H, m, o, clip);
    series.forEach(function (s, k) {
      var d = "";
      for (var i = 0; i < s.x.length; i++) {
        if (!isFinite(s.y[i])) { continue; }
        var y = Math.max(yl[0] - 1e3, Math.min(yl[1] + 1e3, s.y[i]));
        d += (d ? "L" : "M") + sx(s.x[i]).toFixed(1) + " " +
          sy(y).toFixed(1);
      }
      kids.push(svg("path", {d: d, fill: "none", "stroke-width": 2,
                             stroke: s.color || SERIES[k % SERIES.length],
                             "stroke-dasharray": s.dash || "none",
                             "clip-path": "url(#" + clip + ")"}));
    });
    (o.marks || []).forEach(function (p) {
      kids.push(svg("circle", {cx: sx(p.x), cy: sy(p.y), r: 4,
                               fill: p.color || INK}));
    });
    return svg("svg", {width: W, height: H, viewBox: "0 0 " + W + " " + H,
                       "class": "cl-chart"}, kids);
  }

  // About n round numbers in [lo, hi], 1, 2 or 5 times a power of ten
  // apart (the step, as `step`, for formatting).
  function ticks(lo, hi, n) {
    var raw = (hi - lo) / Math.max(1, n || 5), out = [];
    var p = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10));
    var step = 10 * p;
    for (var i = 2; i >= 0; i--) {
      if ([1, 2, 5][i] * p >= raw) { step = [1, 2, 5][i] * p; }
    }
    for (var k = Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step;
         k++) {
      out.push(k === 0 ? 0 : parseFloat((k * step).toPrecision(12)));
    }
    out.step = step;
    return out;
  }

  // Tick marks and labels of both axes at round numbers.
  function tickMarks(xl, yl, sx, sy, H, m, kids) {
    var xt = ticks(xl[0], xl[1], 6), yt = ticks(yl[0], yl[1], 5);
    var digits = function (t) {
      return Math.max(0, Math.ceil(-Math.log(t.step) / Math.LN10)) + 1;
    };
    var mark = {stroke: INK, "stroke-width": 1};
    xt.forEach(function (x) {
      kids.push(svg("line", Object.assign({x1: sx(x), x2: sx(x),
        y1: H - m.b, y2: H - m.b + 4}, mark)));
      kids.push(svg("text", {x: sx(x), y: H - m.b + 15, "font-size": 11,
                             fill: INK, "text-anchor": "middle"},
                    fmt(x, digits(xt))));
    });
    yt.forEach(function (y) {
      kids.push(svg("line", Object.assign({x1: m.l - 4, x2: m.l,
        y1: sy(y), y2: sy(y)}, mark)));
      kids.push(svg("text", {x: m.l - 6, y: sy(y) + 4, "font-size": 11,
                             fill: INK, "text-anchor": "end"},
                    fmt(y, digits(yt))));
    });
  }

  function extent(series, key) {
    var lo = Infinity, hi = -Infinity;
    series.forEach(function (s) {
      s[key].forEach(function (v) {
        if (isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      });
    });
    if (!(hi > lo)) { hi = lo + 1; }
    return [lo, hi];
  }

  function axes(xl, yl, sx, sy, W, H, m, o, clip) {
    var box = {x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b};
    var kids = [svg("defs", {}, [svg("clipPath", {id: clip},
                                     [svg("rect", box)])])];
    var stroke = {stroke: COLORS.grid, "stroke-width": 1};
    kids.push(svg("rect", Object.assign({fill: "none"}, box, stroke)));
    if (yl[0] < 0 && yl[1] > 0) {
      kids.push(svg("line", Object.assign({x1: m.l, x2: W - m.r, y1: sy(0),
                                           y2: sy(0)}, stroke)));
    }
    if (xl[0] < 0 && xl[1] > 0) {
      kids.push(svg("line", Object.assign({x1: sx(0), x2: sx(0), y1: m.t,
                                           y2: H - m.b}, stroke)));
    }
    if (o.ticks) {
      tickMarks(xl, yl, sx, sy, H, m, kids);
    } else {
      [0, 0.5, 1].forEach(function (t) {
        var x = xl[0] + t * (xl[1] - xl[0]), y = yl[0] + t * (yl[1] - yl[0]);
        kids.push(svg("text", {x: sx(x), y: H - m.b + 14, "font-size": 11,
                               fill: INK, "text-anchor": "middle"},
                      fmt(x, 2)));
        kids.push(svg("text", {x: m.l - 4, y: sy(y) + 4, "font-size": 11,
                               fill: INK, "text-anchor": "end"},
                      fmt(y, 2)));
      });
    }
    if (o.xlabel) {
      kids.push(svg("text", {x: (W + m.l) / 2, y: H - 4, "font-size": 12,
                             fill: INK, "text-anchor": "middle"}, o.xlabel));
    }
    if (o.ylabel) {
      kids.push(svg("text", {x: 12, y: (H - m.b) / 2, "font-size": 12,
                             fill: INK, transform: "rotate(-90 12 " +
                             (H - m.b) / 2 + ")", "text-anchor": "middle"},
                    o.ylabel));
    }
    return kids;
  }

  // A legend line: coloured swatches with labels.
  function legend(items) {
    return h("div", {"class": "cl-legend", style: "font-size:90%"},
      items.map(function (it, k) {
        return h("span", {style: "margin-right:1em;white-space:nowrap"}, [
          h("span", {style: "display:inline-block;width:1.5em;height:.3em;" +
                     "vertical-align:middle;background:" +
                     (it.color || SERIES[k % SERIES.length])}),
          " " + it.label]);
      }));
  }

  // ---- pictures: rows of nodes, sizes[0] at the top, and edgeLists[l] =
  // [[i, o], ...] between row l and row l + 1 (layered connectivity).
  // opts: {width, labels: [one per row], edgeLabels: [one per edge
  // list], nodeColor(row, i), edgeColor(l, i, o)}; the labels sit in a
  // left margin of 170 px.  Returns an <svg> whose circles carry
  // data-row; the edges of layer l are drawn as one <path> per colour
  // with data-layer = l and data-edges = their number.
  function layers(sizes, edgeLists, opts) {
    var o = opts || {}, width = o.width || 560, gap = 64, top = 16;
    var left = 170;
    var xs = function (n, i) {
      return left + (i + 0.5) * (width - left) / n;
    };
    var ys = function (row) { return top + row * gap; };
    var kids = [];
    edgeLists.forEach(function (edges, l) {
      var paths = {};  // one <path> per colour: fast with many edges
      edges.forEach(function (e) {
        var c = o.edgeColor ? o.edgeColor(l, e[0], e[1]) : COLORS.line;
        var p = paths[c] || (paths[c] = {d: [], n: 0});
        p.d.push("M" + xs(sizes[l], e[0]).toFixed(1) + " " + ys(l) + "L" +
                 xs(sizes[l + 1], e[1]).toFixed(1) + " " + ys(l + 1));
        p.n += 1;
      });
      Object.keys(paths).forEach(function (c) {
        kids.push(svg("path", {d: paths[c].d.join(""), stroke: c,
                               fill: "none", "data-layer": l,
                               "data-edges": paths[c].n,
                               "stroke-opacity": 0.55, "stroke-width": 1.2}));
      });
      kids.push(svg("text", {x: 2, y: ys(l) + gap / 2 + 4, "font-size": 11,
                             fill: COLORS.muted},
                    (o.edgeLabels || [])[l] || ""));
    });
    sizes.forEach(function (n, row) {
      var r = Math.max(2, Math.min(7, 0.35 * (width - left) / n));
      for (var i = 0; i < n; i++) {
        kids.push(svg("circle", {
          cx: xs(n, i), cy: ys(row), r: r, "data-row": row, stroke: INK,
          fill: o.nodeColor ? o.nodeColor(row, i) : PAPER}));
      }
      kids.push(svg("text", {x: 2, y: ys(row) + 4, "font-size": 11,
                             fill: INK}, (o.labels || [])[row] || ""));
    });
    var height = ys(sizes.length - 1) + top;
    return svg("svg", {width: width, height: height, "class": "cl-layers",
                       viewBox: "0 0 " + width + " " + height}, kids);
  }

  root.convlibKit = {
    lang: lang, t: t, show: show,
    rules: rules,
    MINUS: MINUS, TIMES: TIMES, num: num, fmt: fmt, big: big,
    COLORS: COLORS, SERIES: SERIES, PAPER: PAPER, INK: INK, tint: tint,
    shade: shade,
    h: h, svg: svg, fill: fill,
    options: options, select: select, number: number, range: range,
    checkbox: checkbox, button: button, controls: controls,
    formula: formula, error: error, panel: panel,
    grid: grid, repaint: repaint, raster: raster,
    chart: chart, legend: legend, ticks: ticks,
    layers: layers
  };
})(typeof window !== "undefined" ? window : globalThis,
   /*convlib-data*/{}/*end*/);  // the palette and strings, put in by Python
