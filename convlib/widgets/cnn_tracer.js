// CNN shape tracer.  `traceCnn` mirrors convlib.widgets.trace_cnn and
// `cnnLayers` mirrors convlib.widgets.cnn_layers (tests hold them equal
// over a large sweep, and the shapes equal to torch's); `mount` draws the
// controls and the table with the shared kit (convlibKit).
(function (root) {
  "use strict";
  var K = root.convlibKit, TIMES = "\u00d7";
  var CONV = {out_channels: 1, kernel_size: 1, stride: 1, padding: 0,
              dilation: 1, in_channels: 1};
  var POOL = {kernel_size: 1, stride: 1, padding: 0};

  function get(kw, key, dflt) {
    return kw[key] === undefined || kw[key] === null ? dflt : kw[key];
  }

  function badNumber(label, kw, limits) {
    var keys = Object.keys(limits);
    for (var i = 0; i < keys.length; i++) {
      var v = kw[keys[i]];
      if (v === undefined || v === null) { continue; }
      if (!Number.isInteger(v) || v < limits[keys[i]]) {
        return label + ": " + keys[i] + " must be an integer \u2265 " +
          limits[keys[i]] + ", got " + String(v);
      }
    }
    return "";
  }

  function spanReason(label, what, k, d, sizes, p) {
    var span = d * (k - 1) + 1, dims = ["high", "wide"];
    var dilated = d !== 1 ? " (dilation " + d + ")" : "";
    for (var i = 0; i < 2; i++) {
      if (span > sizes[i] + 2 * p) {
        return label + ": the " + k + TIMES + k + " " + what + dilated +
          " spans " + span + " pixels but the padded input is only " +
          (sizes[i] + 2 * p) + " " + dims[i] + " (" + sizes[i] + " + 2" +
          TIMES + p + ")";
      }
    }
    return "";
  }

  function flatReason(label, shape) {
    return label + " needs a (C, H, W) input, got a flat vector of " +
      shape[0] + " features";
  }

  function outSize(n, k, s, p, d) {
    return Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
  }

  function conv(label, shape, kw) {
    if (shape.length !== 3) { return flatReason(label, shape); }
    var cin = get(kw, "in_channels", shape[0]);
    if (cin !== shape[0]) {
      return label + " has in_channels=" + cin + " but its input has " +
        shape[0] + " channels";
    }
    var k = get(kw, "kernel_size", 1), s = get(kw, "stride", 1);
    var p = get(kw, "padding", 0), d = get(kw, "dilation", 1);
    var reason = spanReason(label, "kernel", k, d, shape.slice(1), p);
    if (reason) { return reason; }
    var h = outSize(shape[1], k, s, p, d), w = outSize(shape[2], k, s, p, d);
    var cout = kw.out_channels;
    return {shape: [cout, h, w], params: cout * shape[0] * k * k + cout,
            macs: h * w * cout * shape[0] * k * k,
            geo: {k: k, s: s, p: p, d: d}};
  }

  function pool(label, shape, kw) {
    if (shape.length !== 3) { return flatReason(label, shape); }
    var k = kw.kernel_size, p = get(kw, "padding", 0);
    var s = get(kw, "stride", 0) || k;
    if (p > Math.floor(k / 2)) {
      return label + ": padding " + p + " is more than half the window " +
        "size " + k + " (torch allows at most " + Math.floor(k / 2) + ")";
    }
    var reason = spanReason(label, "window", k, 1, shape.slice(1), p);
    if (reason) { return reason; }
    return {shape: [shape[0], outSize(shape[1], k, s, p, 1),
                    outSize(shape[2], k, s, p, 1)],
            params: 0, macs: 0, geo: {k: k, s: s, p: p, d: 1}};
  }

  function linear(label, shape, kw) {
    if (shape.length !== 1) {
      return label + " needs a flat input (put flatten before it), got " +
        "shape (" + shape.join(", ") + ")";
    }
    var fin = get(kw, "in_features", shape[0]), fout = kw.out_features;
    if (fin !== shape[0]) {
      return label + " has in_features=" + fin + " but its input has " +
        shape[0] + " features";
    }
    return {shape: [fout], params: fin * fout + fout, macs: fin * fout,
            geo: null};
  }

  function limits(name) {
    if (name === "conv2d") { return CONV; }
    if (name === "linear") { return {out_features: 1, in_features: 1}; }
    return /pool2d$/.test(name) ? POOL : {};
  }

  function step(name, label, shape, kw) {
    var reason = badNumber(label, kw, limits(name));
    if (reason) { return reason; }
    if (name === "conv2d") { return conv(label, shape, kw); }
    if (/pool2d$/.test(name)) { return pool(label, shape, kw); }
    if (name === "linear") { return linear(label, shape, kw); }
    if (name === "flatten" && shape.length === 3) {
      return {shape: [shape[0] * shape[1] * shape[2]], params: 0, macs: 0,
              geo: null};
    }
    return {shape: shape, params: 0, macs: 0, geo: null};
  }

  function inputShape(size, channels) {
    var sizes = Array.isArray(size) ? size : [size, size];
    var checks = [["size", sizes[0]], ["size", sizes[sizes.length - 1]],
                  ["channels", channels]];
    for (var i = 0; i < checks.length; i++) {
      var v = checks[i][1];
      if (!Number.isInteger(v) || v < 1) {
        return "input: " + checks[i][0] + " must be an integer \u2265 1, " +
          "got " + String(v);
      }
    }
    return [channels, sizes[0], sizes[1]];
  }

  // {inputShape, rows: [{index, layer, shape, params, macs, rfSize,
  // rfStride}], failedAt, reason} as trace_cnn returns it.
  function traceCnn(size, channels, layers) {
    var shape = inputShape(size, channels);
    if (typeof shape === "string") {
      return {inputShape: null, rows: [], failedAt: 0, reason: shape};
    }
    var rows = [], current = shape, rfSize = 1, rfStride = 1;
    for (var i = 0; i < layers.length; i++) {
      var name = layers[i][0], label = "layer " + (i + 1) + " (" +
        name + ")";
      var r = step(name, label, current, layers[i][1]);
      if (typeof r === "string") {
        return {inputShape: shape, rows: rows, failedAt: i + 1, reason: r};
      }
      if (r.geo) {
        rfSize += r.geo.d * (r.geo.k - 1) * rfStride;
        rfStride *= r.geo.s;
      }
      current = r.shape;
      var lin = name === "linear";
      rows.push({index: i + 1, layer: name, shape: current,
                 params: r.params, macs: r.macs,
                 rfSize: lin ? null : rfSize,
                 rfStride: lin ? null : rfStride});
    }
    return {inputShape: shape, rows: rows, failedAt: null, reason: ""};
  }

  // The demo's network, as cnn_layers builds it.
  function cnnLayers(s) {
    function conv(c, cin) {
      return ["conv2d", {out_channels: c[0], kernel_size: c[1],
                         stride: c[2], padding: c[3],
                         in_channels: cin === undefined ? null : cin}];
    }
    function pool(p) {
      return p[0] === "none" ? [] :
        [[p[0] + "_pool2d", {kernel_size: p[1], stride: p[2]}]];
    }
    return [conv(s.conv1, null), ["relu", {}]].concat(pool(s.pool1),
      [conv(s.conv2, s.conv2_in), ["relu", {}]], pool(s.pool2),
      [["flatten", {}], ["linear", {out_features: s.classes,
        in_features: s.linear_in === undefined ? null : s.linear_in}]]);
  }

  function shapeText(shape) { return "(" + shape.join(", ") + ")"; }

  function table(trace, layers) {
    var head = ["#", "layer", "output shape", "parameters", "MACs",
                "receptive field"];
    var th = "padding:.15em .6em;border-bottom:1px solid #888;" +
      "text-align:right";
    var td = "padding:.15em .6em;text-align:right;font-family:monospace";
    var rows = [K.h("tr", {}, head.map(function (t) {
      return K.h("th", {style: th}, t);
    }))];
    function row(cells, cls, color) {
      rows.push(K.h("tr", {"class": cls, style: color ? "color:" + color
                                                      : ""},
        cells.map(function (c, j) {
          return K.h("td", {"class": ["cl-index", "cl-layer", "cl-shape",
                                      "cl-params", "cl-macs", "cl-rf"][j],
                            style: td}, c);
        })));
    }
    row(["0", "input", shapeText(trace.inputShape), "0", "0", "1"],
        "cl-row");
    trace.rows.forEach(function (r) {
      row([String(r.index), r.layer, shapeText(r.shape), K.big(r.params),
           K.big(r.macs), r.rfSize === null ? "whole input"
             : r.rfSize + " (stride " + r.rfStride + ")"], "cl-row");
    });
    if (trace.failedAt) {  // the layer that breaks, in red
      row([String(trace.failedAt), layers[trace.failedAt - 1][0],
           "breaks", "", "", ""], "cl-failed", K.COLORS.error);
    }
    return K.h("table", {"class": "cl-trace",
                         style: "border-collapse:collapse"}, rows);
  }

  function totals(trace) {
    var p = 0, m = 0;
    trace.rows.forEach(function (r) { p += r.params; m += r.macs; });
    return K.h("div", {"class": "cl-totals", style: "margin:.3em 0"},
      "total: " + K.big(p) + " parameters, " + K.big(m) +
      " MACs per image");
  }

  function mount(el, init) {
    var st = JSON.parse(JSON.stringify(init));
    var out = K.h("div", {"class": "cl-output"});
    function num(label, field, lo, hi, value, set) {
      return K.number(label, field, lo, hi, value, function (v) {
        set(v); update();
      });
    }
    function convRow(key, title) {
      var c = st[key];
      return K.controls([K.h("b", {}, title + " "),
        num("out channels", key + "_out", 1, 64, c[0], function (v) {
          c[0] = v; }),
        num("kernel", key + "_k", 1, 9, c[1], function (v) { c[1] = v; }),
        num("stride", key + "_s", 1, 4, c[2], function (v) { c[2] = v; }),
        num("padding", key + "_p", 0, 4, c[3], function (v) {
          c[3] = v; })]);
    }
    function poolRow(key, title) {
      var p = st[key];
      return K.controls([K.h("b", {}, title + " "),
        K.select("kind", key + "_kind", [["max", "max"], ["avg", "average"],
                                         ["none", "none"]], p[0],
                 function (v) { p[0] = v; update(); }),
        num("window", key + "_k", 1, 8, p[1], function (v) { p[1] = v; }),
        num("stride", key + "_s", 1, 8, p[2], function (v) {
          p[2] = v; })]);
    }
    var wired = [num("conv 2 in_channels", "conv2_in", 1, 64, st.conv2_in,
                     function (v) { st.conv2_in = v; }),
                 num("linear in_features", "linear_in", 1, 100000,
                     st.linear_in, function (v) { st.linear_in = v; })];
    K.fill(el, [
      K.controls([K.h("b", {}, "input "),
        num("size", "size", 1, 64, st.size, function (v) { st.size = v; }),
        num("channels", "channels", 1, 16, st.channels, function (v) {
          st.channels = v; })]),
      convRow("conv1", "conv 1"), poolRow("pool1", "pool 1"),
      convRow("conv2", "conv 2"), poolRow("pool2", "pool 2"),
      K.controls([K.h("b", {}, "linear "),
        num("outputs", "classes", 1, 100, st.classes, function (v) {
          st.classes = v; }),
        K.checkbox("fill in in_channels / in_features", "wire", st.wire,
                   function (v) { st.wire = v; update(); })].concat(wired)),
      out]);
    function field(name) {
      return el.querySelector("[data-field='" + name + "']");
    }
    function update() {
      var layers = cnnLayers({conv1: st.conv1, pool1: st.pool1,
        conv2: st.conv2, pool2: st.pool2, classes: st.classes,
        conv2_in: st.wire ? null : st.conv2_in,
        linear_in: st.wire ? null : st.linear_in});
      var trace = traceCnn(st.size, st.channels, layers);
      field("conv2_in").disabled = st.wire;
      field("linear_in").disabled = st.wire;
      if (st.wire) { wire(trace); }
      K.fill(out, trace.inputShape ? [table(trace, layers)] : []);
      if (trace.failedAt === null) {
        out.appendChild(totals(trace));
      } else {
        out.appendChild(K.error("breaks at " + (trace.failedAt ?
          "layer " + trace.failedAt : "the input") + ": " + trace.reason));
      }
      el.convlibTrace = trace;
    }
    function wire(trace) {  // show the values torch would need
      st.conv2_in = st.conv1[0];
      field("conv2_in").value = String(st.conv2_in);
      trace.rows.forEach(function (r) {
        if (r.layer === "flatten") { st.linear_in = r.shape[0]; }
      });
      field("linear_in").value = String(st.linear_in);
    }
    update();
  }

  root.convlibCnnTracer = {traceCnn: traceCnn, cnnLayers: cnnLayers,
                           mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
