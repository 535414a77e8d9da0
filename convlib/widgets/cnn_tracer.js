// CNN shape tracer.  `traceCnn` mirrors convlib.widgets.trace_cnn and
// `cnnLayers` mirrors convlib.widgets.cnn_layers (tests hold them equal
// over a large sweep, and the shapes equal to torch's), the sizes from
// the kit's rules; `mount` draws the controls (bounds from the config)
// and the table with the shared kit (convlibKit).
(function (root) {
  "use strict";
  var K = root.convlibKit;
  var CONV = {out_channels: 1, kernel_size: 1, stride: 1, padding: 0,
              dilation: 1, in_channels: 1};
  var POOL = {kernel_size: 1, stride: 1, padding: 0};

  function get(kw, key, dflt) {
    return kw[key] === undefined || kw[key] === null ? dflt : kw[key];
  }

  // "label: sentence" of the string table.
  function because(label, key, words) {
    return K.t("tracer.reason", {label: label, reason: K.t(key, words)});
  }

  function badNumber(label, kw, limits) {
    var refused = K.rules.ints(Object.keys(limits).filter(function (key) {
      return kw[key] !== undefined && kw[key] !== null;
    }).map(function (key) { return [key, kw[key], limits[key]]; }));
    return refused ? because(label, "arg." + refused.rule, refused.facts)
      : "";
  }

  function flatReason(label, shape) {
    return K.t("tracer.flat", {label: label, features: shape[0]});
  }

  // [H, W] after a conv or pooling layer (sizeOf(n), the kit's rules, per
  // axis), or the reason the layer breaks.
  function sizes(label, what, shape, sizeOf, k, p, d) {
    var out = [], dims = ["tracer.high", "tracer.wide"];
    for (var i = 0; i < 2; i++) {
      var r = sizeOf(shape[i + 1]);
      var words = Object.assign({k: k, d: d, n: shape[i + 1], p: p,
                                 dim: K.t(dims[i])}, r.facts);
      if (r.rule === "half_pad") {
        return because(label, "tracer.half_pad", words);
      }
      if (r.rule === "span") {
        return because(label, "tracer.span_" + what +
                       (d !== 1 ? "_dilated" : ""), words);
      }
      out.push(r.size);
    }
    return out;
  }

  function conv(label, shape, kw) {
    if (shape.length !== 3) { return flatReason(label, shape); }
    var cin = get(kw, "in_channels", shape[0]);
    if (cin !== shape[0]) {
      return K.t("tracer.in_channels", {label: label, given: cin,
                                        channels: shape[0]});
    }
    var k = get(kw, "kernel_size", 1), s = get(kw, "stride", 1);
    var p = get(kw, "padding", 0), d = get(kw, "dilation", 1);
    var hw = sizes(label, "kernel", shape, function (n) {
      return K.rules.conv(n, k, s, p, d);
    }, k, p, d);
    if (typeof hw === "string") { return hw; }
    var cout = kw.out_channels;
    return {shape: [cout, hw[0], hw[1]],
            params: cout * shape[0] * k * k + cout,
            macs: hw[0] * hw[1] * cout * shape[0] * k * k,
            geo: {k: k, s: s, p: p, d: d}};
  }

  function pool(label, shape, kw) {
    if (shape.length !== 3) { return flatReason(label, shape); }
    var k = kw.kernel_size, p = get(kw, "padding", 0);
    var s = get(kw, "stride", 0) || k;
    var hw = sizes(label, "window", shape, function (n) {
      return K.rules.pool(n, k, s, p, 1, false);
    }, k, p, 1);
    if (typeof hw === "string") { return hw; }
    return {shape: [shape[0], hw[0], hw[1]], params: 0, macs: 0,
            geo: {k: k, s: s, p: p, d: 1}};
  }

  function linear(label, shape, kw) {
    if (shape.length !== 1) {
      return K.t("tracer.needs_flat", {label: label,
                                       shape: shapeText(shape)});
    }
    var fin = get(kw, "in_features", shape[0]), fout = kw.out_features;
    if (fin !== shape[0]) {
      return K.t("tracer.in_features", {label: label, given: fin,
                                        features: shape[0]});
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
    var hw = Array.isArray(size) ? size : [size, size];
    var refused = K.rules.ints([["size", hw[0], 1],
                                ["size", hw[hw.length - 1], 1],
                                ["channels", channels, 1]]);
    if (refused) {
      return because(K.t("tracer.input"), "arg." + refused.rule,
                     refused.facts);
    }
    return [channels, hw[0], hw[1]];
  }

  // {inputShape, rows: [{index, layer, shape, params, macs, rfSize,
  // rfStride, activations}], failedAt, reason} as trace_cnn returns it.
  function traceCnn(size, channels, layers) {
    var shape = inputShape(size, channels);
    if (typeof shape === "string") {
      return {inputShape: null, rows: [], failedAt: 0, reason: shape};
    }
    var rows = [], current = shape, rfSize = 1, rfStride = 1;
    for (var i = 0; i < layers.length; i++) {
      var name = layers[i][0];
      var label = K.t("tracer.label", {index: i + 1, name: name});
      var r = step(name, label, current, layers[i][1]);
      if (typeof r === "string") {
        return {inputShape: shape, rows: rows, failedAt: i + 1, reason: r};
      }
      if (r.geo) {
        rfSize += (K.rules.span(r.geo.k, r.geo.d) - 1) * rfStride;
        rfStride *= r.geo.s;
      }
      current = r.shape;
      var lin = name === "linear";
      rows.push({index: i + 1, layer: name, shape: current,
                 params: r.params, macs: r.macs,
                 rfSize: lin ? null : rfSize,
                 rfStride: lin ? null : rfStride,
                 activations: current.reduce(function (a, n) {
                   return a * n;
                 }, 1)});
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
    var head = ["index", "layer", "shape", "params", "macs", "rf",
                "memory"];
    var th = "padding:.15em .6em;border-bottom:1px solid " + K.COLORS.grid +
      ";text-align:right";
    var td = "padding:.15em .6em;text-align:right;font-family:monospace";
    var rows = [K.h("tr", {}, head.map(function (key) {
      return K.h("th", {style: th}, K.t("tracer.head_" + key));
    }))];
    function row(cells, cls, color) {
      rows.push(K.h("tr", {"class": cls, style: color ? "color:" + color
                                                      : ""},
        cells.map(function (c, j) {
          return K.h("td", {"class": ["cl-index", "cl-layer", "cl-shape",
                                      "cl-params", "cl-macs", "cl-rf",
                                      "cl-memory"][j],
                            style: td}, c);
        })));
    }
    row(["0", K.t("tracer.input"), shapeText(trace.inputShape), "0", "0",
         "1", bytes(size(trace.inputShape))], "cl-row");
    trace.rows.forEach(function (r) {
      row([String(r.index), r.layer, shapeText(r.shape), K.big(r.params),
           K.big(r.macs), r.rfSize === null ? K.t("tracer.whole_input")
             : K.t("tracer.rf", {size: r.rfSize, stride: r.rfStride}),
           bytes(r.activations)], "cl-row");
    });
    if (trace.failedAt) {  // the layer that breaks, in the error colour
      row([String(trace.failedAt), layers[trace.failedAt - 1][0],
           K.t("tracer.breaks"), "", "", "", ""], "cl-failed",
          K.COLORS.error);
    }
    return K.h("table", {"class": "cl-trace",
                         style: "border-collapse:collapse"}, rows);
  }

  function size(shape) {
    return shape.reduce(function (a, n) { return a * n; }, 1);
  }

  // Bytes of `values` float32 numbers, with thin-space thousands.
  function bytes(values) {
    return K.t("tracer.bytes", {bytes: K.big(4 * values)});
  }

  function totals(trace) {
    var p = 0, m = 0, a = size(trace.inputShape);
    trace.rows.forEach(function (r) {
      p += r.params; m += r.macs; a += r.activations;
    });
    return [K.h("div", {"class": "cl-totals", style: "margin:.3em 0"},
                K.t("tracer.totals", {params: K.big(p), macs: K.big(m)})),
            K.h("div", {"class": "cl-memory-total",
                        style: "margin:.3em 0"},
                K.t("tracer.memory_total", {values: K.big(a),
                                            bytes: K.big(4 * a)}))];
  }

  // The controls, their bounds from init.controls, and the table below.
  function mount(el, init) {
    var st = JSON.parse(JSON.stringify(init)), b = init.controls;
    var out = K.h("div", {"class": "cl-output"});
    function box(label, field, bounds, value, set) {
      return K.number(K.t(label), field, bounds, value, function (v) {
        set(v); update();
      });
    }
    function title(key) { return K.h("b", {}, K.t(key) + " "); }
    function convRow(key) {
      var c = st[key];
      return K.controls([title("tracer." + key),
        box("tracer.out_channels", key + "_out", b.out_channels, c[0],
            function (v) { c[0] = v; }),
        box("tracer.kernel", key + "_k", b.kernel, c[1],
            function (v) { c[1] = v; }),
        box("tracer.stride", key + "_s", b.stride, c[2],
            function (v) { c[2] = v; }),
        box("tracer.padding", key + "_p", b.padding, c[3],
            function (v) { c[3] = v; })]);
    }
    function poolRow(key) {
      var p = st[key];
      return K.controls([title("tracer." + key),
        K.select(K.t("tracer.kind"), key + "_kind",
                 b.pool_kinds.map(function (kind) {
                   return [kind, K.t("tracer.kind_" + kind)];
                 }), p[0], function (v) { p[0] = v; update(); }),
        box("tracer.window", key + "_k", b.window, p[1],
            function (v) { p[1] = v; }),
        box("tracer.stride", key + "_s", b.window_stride, p[2],
            function (v) { p[2] = v; })]);
    }
    var wired = [box("tracer.conv2_in", "conv2_in", b.conv2_in, st.conv2_in,
                     function (v) { st.conv2_in = v; }),
                 box("tracer.linear_in", "linear_in", b.linear_in,
                     st.linear_in, function (v) { st.linear_in = v; })];
    K.fill(el, [
      K.controls([title("tracer.input"),
        box("tracer.size", "size", b.size, st.size,
            function (v) { st.size = v; }),
        box("tracer.channels", "channels", b.channels, st.channels,
            function (v) { st.channels = v; })]),
      convRow("conv1"), poolRow("pool1"), convRow("conv2"), poolRow("pool2"),
      K.controls([title("tracer.linear"),
        box("tracer.classes", "classes", b.classes, st.classes,
            function (v) { st.classes = v; }),
        K.checkbox(K.t("tracer.wire"), "wire", st.wire,
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
        totals(trace).forEach(function (node) { out.appendChild(node); });
      } else {
        out.appendChild(K.error(trace.failedAt ?
          K.t("tracer.breaks_at", {index: trace.failedAt,
                                   reason: trace.reason})
          : K.t("tracer.breaks_at_input", {reason: trace.reason})));
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
