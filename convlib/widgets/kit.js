// The shared drawing kit of every demo: DOM building, number formatting,
// controls, grids, formulas, error lines, SVG connectivity pictures and
// line charts.  Each demo's own script is small: it computes (or looks up
// in its config) what to show and draws it with these helpers.
//
// Loaded before every demo script (convlib/widgets/_demo.py), it defines
// the global `convlibKit`.  Nothing here fetches anything: the book is
// offline.
(function (root) {
  "use strict";
  var MINUS = "\u2212", TIMES = "\u00d7";
  var SVG_NS = "http://www.w3.org/2000/svg";
  var COLORS = {window: "#ffd54f", pad: "#e0e0e0", kernel: "#bbdefb",
                out: "#c8e6c9", error: "#b00020", line: "#1565c0",
                muted: "#777", hole: "#ef9a9a"};
  var chartCount = 0;
  var PALETTE = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00",
                 "#00838f", "#ad1457", "#4e342e"];

  // Integers with a true minus sign.
  function num(v) { return v < 0 ? MINUS + String(-v) : String(v); }

  // A short text for a value: integers as they are, others to `digits`
  // significant decimals (default 3), trailing zeros dropped.
  function fmt(v, digits) {
    if (v === null || v === undefined) { return ""; }
    if (typeof v === "string") { return v; }
    if (!isFinite(v)) { return v > 0 ? "\u221e" : MINUS + "\u221e"; }
    var d = digits === undefined ? 3 : digits;
    var t = Number.isInteger(v) ? String(Math.abs(v))
      : String(parseFloat(Math.abs(v).toFixed(d)));
    return v < 0 && t !== "0" ? MINUS + t : t;
  }

  // Thousands separated by thin spaces: 4 231 000.
  function big(v) {
    return num(v).replace(/\B(?=(\d{3})+(?!\d))/g, "\u2009");
  }

  // h("div", {class: "x", style: "..."}, [child, "text", ...]) -> Element.
  // Attributes starting with "on" are listeners; strings become text
  // nodes (never HTML), so config values cannot inject markup.
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function setAttrs(node, attrs) {
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) { return; }
      if (k.slice(0, 2) === "on") {
        node.addEventListener(k.slice(2), v);
      } else {
        node.setAttribute(k, v === true ? "" : String(v));
      }
    });
  }

  function append(node, children) {
    [].concat(children === undefined ? [] : children).forEach(function (c) {
      if (c === null || c === undefined || c === false) { return; }
      node.appendChild(typeof c === "object" ? c
        : document.createTextNode(String(c)));
    });
  }

  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) {
      node.setAttribute(k, String(attrs[k]));
    });
    append(node, children);
    return node;
  }

  // Replace the children of `node` with `children`.
  function fill(node, children) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
    append(node, children);
    return node;
  }

  // ---- controls: each carries data-field=<field> so tests can find it.
  var LABEL = "margin-right:1em;white-space:nowrap;display:inline-block";

  function select(label, field, options, value, onChange) {
    var sel = h("select", {"data-field": field}, options.map(function (o) {
      var v = Array.isArray(o) ? o[0] : o, text = Array.isArray(o) ? o[1] : o;
      return h("option", {value: v, selected: String(v) === String(value)},
               String(text));
    }));
    sel.addEventListener("change", function () { onChange(sel.value); });
    return h("label", {style: LABEL}, [label + " ", sel]);
  }

  function number(label, field, lo, hi, value, onChange, step) {
    var inp = h("input", {type: "number", "data-field": field, min: lo,
                          max: hi, step: step || 1, value: value,
                          style: "width:4.5em"});
    inp.addEventListener("input", function () {
      onChange(Number(inp.value));
    });
    return h("label", {style: LABEL}, [label + " ", inp]);
  }

  function range(label, field, lo, hi, value, onChange, step) {
    var inp = h("input", {type: "range", "data-field": field, min: lo,
                          max: hi, step: step || 1, value: value});
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
  var CELL = "border:1px solid #888;min-width:2.2em;height:2.2em;" +
    "text-align:center;padding:0 .15em;font-family:monospace;";

  function grid(values, style, cls) {
    var rows = values.map(function (row, r) {
      return h("tr", {}, row.map(function (v, c) {
        var s = style ? style(r, c, v) || {} : {};
        var css = CELL + "background:" + (s.bg || "#fff") + ";color:" +
          (s.color || "#000") + ";" + (s.border ? "outline:2px solid " +
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

  // White (t = 0) to `color`-ish blue (t = 1) for heat maps.
  function shade(t) {
    var x = Math.max(0, Math.min(1, t));
    var c = function (a, b) { return Math.round(a + (b - a) * x); };
    return "rgb(" + c(255, 21) + "," + c(255, 101) + "," + c(255, 192) + ")";
  }

  // ---- connectivity: two rows of nodes (inputs above, outputs below)
  // and the edges [i, o] between them; opts: {inLabel, outLabel, color(o),
  // inColor(i), width}.  Returns an <svg>.
  function bipartite(nIn, nOut, edges, opts) {
    var o = opts || {}, width = o.width || 520, top = 24, bottom = 116;
    var xs = function (n, i) { return (i + 0.5) * width / n; };
    var kids = [];
    edges.forEach(function (e) {
      kids.push(svg("line", {x1: xs(nIn, e[0]), y1: top, x2: xs(nOut, e[1]),
                             y2: bottom, stroke: o.color ? o.color(e[1])
                               : COLORS.line, "stroke-opacity": 0.6,
                             "stroke-width": 1.2}));
    });
    var node = function (n, i, y, fillColor) {
      return svg("circle", {cx: xs(n, i), cy: y, r: Math.min(7, 0.35 *
                            width / n), fill: fillColor, stroke: "#333"});
    };
    for (var i = 0; i < nIn; i++) {
      kids.push(node(nIn, i, top, o.inColor ? o.inColor(i) : "#fff"));
    }
    for (var j = 0; j < nOut; j++) {
      kids.push(node(nOut, j, bottom, o.outColor ? o.outColor(j) : "#fff"));
    }
    kids.push(svg("text", {x: 2, y: 10, "font-size": 11},
                  o.inLabel || "input channels"));
    kids.push(svg("text", {x: 2, y: bottom + 20, "font-size": 11},
                  o.outLabel || "output channels"));
    return svg("svg", {width: width, height: bottom + 26,
                       "class": "cl-connectivity",
                       viewBox: "0 0 " + width + " " + (bottom + 26)}, kids);
  }

  // ---- line chart: series [{x: [...], y: [...], color, label, dash}],
  // opts {width, height, xlim, ylim, xlabel, ylabel, marks: [{x, y,
  // color}]}.  Returns an <svg>.
  function chart(series, opts) {
    var o = opts || {}, W = o.width || 420, H = o.height || 260;
    var m = {l: 44, r: 10, t: 10, b: 34};
    var xl = o.xlim || extent(series, "x"), yl = o.ylim || extent(series,
                                                                   "y");
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
                             stroke: s.color || PALETTE[k % PALETTE.length],
                             "stroke-dasharray": s.dash || "none",
                             "clip-path": "url(#" + clip + ")"}));
    });
    (o.marks || []).forEach(function (p) {
      kids.push(svg("circle", {cx: sx(p.x), cy: sy(p.y), r: 4,
                               fill: p.color || "#000"}));
    });
    return svg("svg", {width: W, height: H, viewBox: "0 0 " + W + " " + H,
                       "class": "cl-chart"}, kids);
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
    var kids = [svg("defs", {}, [svg("clipPath", {id: clip}, [
      svg("rect", {x: m.l, y: m.t, width: W - m.l - m.r,
                   height: H - m.t - m.b})])])];
    var stroke = {stroke: "#999", "stroke-width": 1};
    kids.push(svg("rect", {x: m.l, y: m.t, width: W - m.l - m.r,
                           height: H - m.t - m.b, fill: "none",
                           stroke: "#999"}));
    if (yl[0] < 0 && yl[1] > 0) {
      kids.push(svg("line", Object.assign({x1: m.l, x2: W - m.r, y1: sy(0),
                                           y2: sy(0)}, stroke)));
    }
    if (xl[0] < 0 && xl[1] > 0) {
      kids.push(svg("line", Object.assign({x1: sx(0), x2: sx(0), y1: m.t,
                                           y2: H - m.b}, stroke)));
    }
    [0, 0.5, 1].forEach(function (t) {
      var x = xl[0] + t * (xl[1] - xl[0]), y = yl[0] + t * (yl[1] - yl[0]);
      kids.push(svg("text", {x: sx(x), y: H - m.b + 14, "font-size": 11,
                             "text-anchor": "middle"}, fmt(x, 2)));
      kids.push(svg("text", {x: m.l - 4, y: sy(y) + 4, "font-size": 11,
                             "text-anchor": "end"}, fmt(y, 2)));
    });
    if (o.xlabel) {
      kids.push(svg("text", {x: (W + m.l) / 2, y: H - 4, "font-size": 12,
                             "text-anchor": "middle"}, o.xlabel));
    }
    if (o.ylabel) {
      kids.push(svg("text", {x: 12, y: (H - m.b) / 2, "font-size": 12,
                             transform: "rotate(-90 12 " + (H - m.b) / 2 +
                             ")", "text-anchor": "middle"}, o.ylabel));
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
                     (it.color || PALETTE[k % PALETTE.length])}),
          " " + it.label]);
      }));
  }

  root.convlibKit = {
    MINUS: MINUS, TIMES: TIMES, COLORS: COLORS, PALETTE: PALETTE,
    num: num, fmt: fmt, big: big, h: h, svg: svg, fill: fill,
    select: select, number: number, range: range, checkbox: checkbox,
    button: button, controls: controls, formula: formula, error: error,
    panel: panel, grid: grid, shade: shade, bipartite: bipartite,
    chart: chart, legend: legend
  };

  // ---- (added for chapter 3) repaint: update a table drawn by `grid` in
  // place, for a redraw that keeps the grid's shape (a stepper moving one
  // step): the same texts and colours `grid(values, style)` would draw,
  // without building new nodes.  Returns false, changing nothing, when
  // `table` is not a grid of that shape (then draw a new grid).
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
        td.style.background = s.bg || "#fff";
        td.style.color = s.color || "#000";
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
  root.convlibKit.repaint = repaint;
})(typeof window !== "undefined" ? window : globalThis);

// ---- layered connectivity (added for chapter 2's variant comparer):
// rows of nodes, sizes[0] at the top, and edgeLists[l] = [[i, o], ...]
// between row l and row l + 1.  opts: {width, labels: [one per row],
// edgeLabels: [one per edge list], nodeColor(row, i), edgeColor(l, i,
// o)}; the labels sit in a left margin of 170 px.  Returns an <svg>
// whose circles carry data-row; the edges of layer l are drawn as one
// <path> per colour with data-layer = l and data-edges = their number.
(function (root) {
  "use strict";
  var K = root.convlibKit;

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
        var c = o.edgeColor ? o.edgeColor(l, e[0], e[1]) : K.COLORS.line;
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
      kids.push(K.svg("text", {x: 2, y: ys(l) + gap / 2 + 4,
                               "font-size": 11, fill: K.COLORS.muted},
                      (o.edgeLabels || [])[l] || ""));
    });
    sizes.forEach(function (n, row) {
      var r = Math.max(2, Math.min(7, 0.35 * (width - left) / n));
      for (var i = 0; i < n; i++) {
        kids.push(K.svg("circle", {
          cx: xs(n, i), cy: ys(row), r: r, "data-row": row, stroke: "#333",
          fill: o.nodeColor ? o.nodeColor(row, i) : "#fff"}));
      }
      kids.push(K.svg("text", {x: 2, y: ys(row) + 4, "font-size": 11},
                      (o.labels || [])[row] || ""));
    });
    var height = ys(sizes.length - 1) + top;
    return K.svg("svg", {width: width, height: height,
                         "class": "cl-layers",
                         viewBox: "0 0 " + width + " " + height}, kids);
  }

  K.layers = layers;
})(typeof window !== "undefined" ? window : globalThis);

// ---- raster (added with chapter 4's HDC map): a 2-D array drawn on a
// <canvas>, one `cell`-pixel square per value, for maps too large for
// grid() (a 129 x 129 receptive field).  color(r, c, v) returns a CSS
// colour ("#rgb", "#rrggbb" or "rgb(r, g, b)"); opts {cell (px, default
// 8), mark: [r, c] outlined in black, class, title}.  The pixels are
// written in one ImageData, so a large map draws in a few milliseconds.
// The canvas carries data-rows and data-cols.
(function (K) {
  "use strict";
  var parsed = {};

  function rgb(css) {  // [r, g, b] of a CSS colour, cached
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

  function raster(values, color, opts) {
    var o = opts || {}, cell = o.cell || 8;
    var rows = values.length, cols = rows ? values[0].length : 0;
    var width = cols * cell, height = rows * cell;
    var canvas = K.h("canvas", {width: width, height: height,
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
      ctx.strokeStyle = "#000";
      ctx.lineWidth = Math.max(1, cell / 5);
      ctx.strokeRect(o.mark[1] * cell, o.mark[0] * cell, cell, cell);
    }
    return canvas;
  }
  K.raster = raster;
})((typeof window !== "undefined" ? window : globalThis).convlibKit);
