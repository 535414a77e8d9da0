// The kit's `nn` section (convlibKit.nn): a network's forward pass on
// plain arrays, for demos that run a trained network in the page.  It
// is loaded after kit.js, only by the demos that ask for it
// (Demo.kit_parts), so the other demos' scripts stay as they are.
//
// Layout as in torch: a feature map is x[c][i][j] (channels, rows,
// columns), a weight w[o][c][ki][kj], a vector v[k]; numbers are
// JavaScript's doubles (float64).  Output sizes come from the kit's
// rules (K.rules), the one copy of torch's size arithmetic.
// tests/test_widgets_digit_net.py holds every function equal to
// convlib.numpy's on random inputs, and a whole network equal to
// convlib's forward.
(function (root) {
  "use strict";
  var K = root.convlibKit;

  // An array of n values made by f(i).
  function make(n, f) {
    var out = new Array(n);
    for (var i = 0; i < n; i++) { out[i] = f(i); }
    return out;
  }

  // Output size along one axis, or an error naming the layer.
  function size(n, k, s, p, what, pool) {
    var r = pool ? K.rules.pool(n, k, s, p, 1, false)
      : K.rules.conv(n, k, s, p, 1);
    if (r.size === null) {
      throw new Error("convlibKit.nn." + what + ": " + r.rule);
    }
    return r.size;
  }

  // Convolution (cross-correlation) of x [C][H][W] with w [O][C][k][k]
  // and bias b [O] (or null): stride s, zero padding p (default 1, 0).
  // y[o][i][j] = b[o] + sum over c, u, v of
  //              w[o][c][u][v] * x[c][i*s - p + u][j*s - p + v].
  function conv2d(x, w, b, s, p) {
    s = s || 1;
    p = p || 0;
    var C = x.length, H = x[0].length, W = x[0][0].length;
    var k = w[0][0].length;
    if (w[0].length !== C) {
      throw new Error("convlibKit.nn.conv2d: weight has " + w[0].length +
                      " input channels but x has " + C);
    }
    var Ho = size(H, k, s, p, "conv2d"), Wo = size(W, k, s, p, "conv2d");
    return make(w.length, function (o) {
      return make(Ho, function (i) {
        return make(Wo, function (j) {
          var sum = b ? b[o] : 0;
          for (var c = 0; c < C; c++) {
            for (var u = 0; u < k; u++) {
              var r = i * s - p + u;
              if (r < 0 || r >= H) { continue; }   // a row of zeros
              for (var v = 0; v < k; v++) {
                var q = j * s - p + v;
                if (q >= 0 && q < W) { sum += w[o][c][u][v] * x[c][r][q]; }
              }
            }
          }
          return sum;
        });
      });
    });
  }

  // max(0, x) elementwise, at any depth of nesting.
  function relu(x) {
    return Array.isArray(x) ? x.map(relu) : Math.max(0, x);
  }

  // Max over each k x k window, stride s (default k), of every channel
  // of x [C][H][W].
  function maxPool2d(x, k, s) {
    s = s || k;
    var H = x[0].length, W = x[0][0].length;
    var Ho = size(H, k, s, 0, "maxPool2d", true);
    var Wo = size(W, k, s, 0, "maxPool2d", true);
    return x.map(function (map) {
      return make(Ho, function (i) {
        return make(Wo, function (j) {
          var best = -Infinity;
          for (var u = 0; u < k; u++) {
            for (var v = 0; v < k; v++) {
              best = Math.max(best, map[i * s + u][j * s + v]);
            }
          }
          return best;
        });
      });
    });
  }

  // x [C][H][W] as one vector, channel by channel, row by row (torch's
  // flatten of one sample).
  function flatten(x) {
    var out = [];
    x.forEach(function (map) {
      map.forEach(function (row) { out.push.apply(out, row); });
    });
    return out;
  }

  // y = W v + b: w [F_out][F_in], v [F_in], b [F_out] (or null).
  function linear(v, w, b) {
    if (w[0].length !== v.length) {
      throw new Error("convlibKit.nn.linear: weight takes " + w[0].length +
                      " features but v has " + v.length);
    }
    return w.map(function (row, o) {
      var sum = b ? b[o] : 0;
      for (var i = 0; i < v.length; i++) { sum += row[i] * v[i]; }
      return sum;
    });
  }

  // exp(v - max v) / sum: the same probabilities, without overflow.
  function softmax(v) {
    var top = Math.max.apply(null, v);
    var e = v.map(function (z) { return Math.exp(z - top); });
    var total = e.reduce(function (a, z) { return a + z; }, 0);
    return e.map(function (z) { return z / total; });
  }

  // Index of the largest value (the first, on ties).
  function argmax(v) {
    var best = 0;
    for (var i = 1; i < v.length; i++) { if (v[i] > v[best]) { best = i; } }
    return best;
  }

  K.nn = {conv2d: conv2d, relu: relu, maxPool2d: maxPool2d,
          flatten: flatten, linear: linear, softmax: softmax,
          argmax: argmax};
})(typeof window !== "undefined" ? window : globalThis);
