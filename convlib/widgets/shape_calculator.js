// Output-shape calculator for one spatial dimension of a convolution.
// The arithmetic mirrors convlib.widgets.shape_report (tests hold the two
// equal); `mount` draws the controls and the substituted formula with
// the shared kit (convlibKit, kit.js).
(function (root) {
  "use strict";
  var FLOOR_L = "\u230a", FLOOR_R = "\u230b", MINUS = "\u2212";

  function num(v) {  // integers with a true minus sign (the kit's)
    return root.convlibKit.num(v);
  }

  function checkArgs(n, k, s, p, d, same) {
    var mins = [["input_size", n, 1], ["kernel_size", k, 1],
                ["stride", s, 1], ["dilation", d, 1]];
    if (!same) { mins.push(["padding", p, 0]); }
    for (var i = 0; i < mins.length; i++) {
      var name = mins[i][0], v = mins[i][1], lo = mins[i][2];
      if (!Number.isInteger(v)) {
        return name + " must be an integer, got " + String(v);
      }
      if (v < lo) {
        return name + " must be \u2265 " + lo + ", got " + num(v);
      }
    }
    if (same && s !== 1) {
      return "padding='same' needs stride 1 (as in PyTorch), got stride " +
        s;
    }
    return "";
  }

  // The report for input size n, kernel k, stride s, padding p (an int or
  // the string "same") and dilation d: {size, formula, reason}.  size is
  // null when the settings are invalid and reason then says why.
  function shapeReport(n, k, s, p, d) {
    var same = p === "same";
    var reason = checkArgs(n, k, s, p, d, same);
    if (reason) { return {size: null, formula: "", reason: reason}; }
    var span = d * (k - 1) + 1;
    if (same) {
      var total = d * (k - 1), before = Math.floor(total / 2);
      return {
        size: n, reason: "",
        formula: "padding='same': total padding d\u00d7(k " + MINUS +
          " 1) = " + d + "\u00d7(" + k + " " + MINUS + " 1) = " + total +
          ", " + before + " before and " + (total - before) +
          " after, so the output size is n = " + n
      };
    }
    var top = n + 2 * p - d * (k - 1) - 1;
    var formula = FLOOR_L + "(" + n + " + 2\u00d7" + p + " " + MINUS + " " +
      d + "\u00d7(" + k + " " + MINUS + " 1) " + MINUS + " 1) / " + s +
      FLOOR_R + " + 1 = " + FLOOR_L + num(top) + " / " + s + FLOOR_R +
      " + 1";
    if (top < 0) {
      return {
        size: null, formula: formula,
        reason: "the kernel spans d\u00d7(k " + MINUS + " 1) + 1 = " + span +
          " cells but the padded input n + 2p has only " + (n + 2 * p)
      };
    }
    var size = Math.floor(top / s) + 1;
    return {size: size, formula: formula + " = " + size, reason: ""};
  }

  var FIELDS = [["n", "input size n", 1, 64], ["k", "kernel size k", 1, 15],
                ["s", "stride s", 1, 8], ["p", "padding p", 0, 10],
                ["d", "dilation d", 1, 8]];

  // Number boxes for n, k, s, p, d and a padding='same' box, drawn with
  // the shared kit (convlibKit); the report follows every change.
  function mount(el, init) {
    var K = root.convlibKit;
    var v = {n: init.n, k: init.k, s: init.s, p: init.p, d: init.d};
    var same = !!init.same;
    var boxes = FIELDS.map(function (f) {
      return K.number(f[1], f[0], f[2], f[3], v[f[0]], function (x) {
        v[f[0]] = x; update();
      });
    });
    var sameBox = K.checkbox("padding='same'", "same", same, function (c) {
      same = c; update();
    });
    var formula = K.formula("");
    var size = K.h("b", {"class": "cl-size"});
    var reason = K.h("div", {"class": "cl-reason", role: "alert",
                             style: "color:" + K.COLORS.error});
    K.fill(el, [K.controls(boxes.concat([sameBox])), formula,
                K.h("div", {}, ["output size: ", size]), reason]);
    var padBox = el.querySelector("[data-field='p']");

    function update() {
      padBox.disabled = same;
      var r = shapeReport(v.n, v.k, v.s, same ? "same" : v.p, v.d);
      K.fill(formula, r.formula);
      K.fill(size, r.size === null ? "invalid" : String(r.size));
      K.fill(reason, r.reason);
    }
    update();
  }

  root.convlibShapeCalculator = {shapeReport: shapeReport, mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
