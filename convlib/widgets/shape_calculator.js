// Output-shape calculator for one spatial dimension of a convolution.
// The arithmetic mirrors convlib.widgets.shape_report (tests hold the two
// equal); `mount` draws the controls and the substituted formula.
(function (root) {
  "use strict";
  var FLOOR_L = "\u230a", FLOOR_R = "\u230b", MINUS = "\u2212";

  function num(v) {  // integers with a true minus sign
    return v < 0 ? MINUS + String(-v) : String(v);
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

  function field(key, label, lo, hi, value) {
    return "<label style='margin-right:1em;white-space:nowrap'>" + label +
      " <input type='number' data-field='" + key + "' min='" + lo +
      "' max='" + hi + "' value='" + value + "' style='width:4em'></label>";
  }

  function mount(el, init) {
    var html = "<div class='cl-controls'>";
    FIELDS.forEach(function (f) {
      html += field(f[0], f[1], f[2], f[3], init[f[0]]);
    });
    html += "<label style='white-space:nowrap'><input type='checkbox' " +
      "data-field='same'" + (init.same ? " checked" : "") +
      "> padding='same'</label></div>" +
      "<div class='cl-formula' style='font-family:monospace;margin:.5em 0'>" +
      "</div><div>output size: <b class='cl-size'></b></div>" +
      "<div class='cl-reason' style='color:#b00020'></div>";
    el.innerHTML = html;
    function get(key) {
      return el.querySelector("[data-field='" + key + "']");
    }
    function update() {
      var v = {};
      ["n", "k", "s", "p", "d"].forEach(function (key) {
        v[key] = Number(get(key).value);
      });
      var same = get("same").checked;
      get("p").disabled = same;
      var r = shapeReport(v.n, v.k, v.s, same ? "same" : v.p, v.d);
      el.querySelector(".cl-formula").textContent = r.formula;
      el.querySelector(".cl-size").textContent =
        r.size === null ? "invalid" : String(r.size);
      el.querySelector(".cl-reason").textContent = r.reason;
    }
    el.addEventListener("input", update);
    el.addEventListener("change", update);
    update();
  }

  root.convlibShapeCalculator = {shapeReport: shapeReport, mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
