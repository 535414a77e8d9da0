// Sliding-window stepper for a single-channel 2-D cross-correlation (what
// torch.nn.functional.conv2d computes).  `windowSteps` mirrors
// convlib.widgets.window_steps (tests hold its sums equal to
// convlib.numpy.conv2d); `mount` draws the grids and the controls.
(function (root) {
  "use strict";
  var MINUS = "\u2212", TIMES = "\u00d7";

  function fmt(v) {  // short text for a cell value, with a true minus sign
    var t = Number.isInteger(v) ? String(Math.abs(v))
      : String(parseFloat(Math.abs(v).toFixed(3)));
    return v < 0 ? MINUS + t : t;
  }

  function pad(input, p) {
    var h = input.length, w = input[0].length, out = [];
    for (var r = 0; r < h + 2 * p; r++) {
      var row = [];
      for (var c = 0; c < w + 2 * p; c++) {
        var inside = r >= p && r < h + p && c >= p && c < w + p;
        row.push(inside ? input[r - p][c - p] : 0);
      }
      out.push(row);
    }
    return out;
  }

  // Every window of `input` (2-D array) under `kernel` (2-D array) for an
  // int stride and padding: {padded, outH, outW, steps, error}.  Each step
  // is {row, col, top, left, products, sum}; top/left index the padded
  // input.  error is "" or says why no window fits.
  function windowSteps(input, kernel, stride, padding) {
    var padded = pad(input, padding);
    var ph = padded.length, pw = padded[0].length;
    var kh = kernel.length, kw = kernel[0].length;
    var res = {padded: padded, outH: 0, outW: 0, steps: [], error: ""};
    if (kh > ph || kw > pw) {
      res.error = "the " + kh + TIMES + kw + " kernel is larger than the " +
        ph + TIMES + pw + " padded input";
      return res;
    }
    res.outH = Math.floor((ph - kh) / stride) + 1;
    res.outW = Math.floor((pw - kw) / stride) + 1;
    for (var i = 0; i < res.outH; i++) {
      for (var j = 0; j < res.outW; j++) {
        var products = [], sum = 0;
        for (var u = 0; u < kh; u++) {
          var prow = [];
          for (var v = 0; v < kw; v++) {
            var x = padded[i * stride + u][j * stride + v] * kernel[u][v];
            prow.push(x);
            sum += x;
          }
          products.push(prow);
        }
        res.steps.push({row: i, col: j, top: i * stride,
                        left: j * stride, products: products, sum: sum});
      }
    }
    return res;
  }

  var CELL = "border:1px solid #888;width:2.2em;height:2.2em;" +
    "text-align:center;padding:0;font-family:monospace;";

  function table(cls, values, style) {
    var html = "<table class='" + cls + "' style='border-collapse:collapse;" +
      "display:inline-table;margin:0 1em .5em 0;vertical-align:top'>";
    for (var r = 0; r < values.length; r++) {
      html += "<tr>";
      for (var c = 0; c < values[r].length; c++) {
        html += "<td data-r='" + r + "' data-c='" + c + "' style='" + CELL +
          style(r, c) + "'>" + values[r][c] + "</td>";
      }
      html += "</tr>";
    }
    return html + "</table>";
  }

  function mapGrid(grid, f) {
    return grid.map(function (row, r) {
      return row.map(function (v, c) { return f(v, r, c); });
    });
  }

  function options(values, chosen) {
    return values.map(function (v) {
      return "<option value='" + v + "'" + (v === chosen ? " selected" : "") +
        ">" + v + "</option>";
    }).join("");
  }

  function mount(el, init) {
    var state = {p: init.padding, s: init.stride, step: 0};
    var h = init.input.length, w = init.input[0].length;
    el.innerHTML = "<div class='cl-controls' style='margin-bottom:.5em'>" +
      "<label>padding <select data-field='padding'>" +
      options(init.paddings, init.padding) + "</select></label> " +
      "<label>stride <select data-field='stride'>" +
      options(init.strides, init.stride) + "</select></label> " +
      "<label>position <input type='range' data-field='step' min='0' " +
      "value='0'></label> " +
      "<button type='button' data-field='prev'>\u25c0 back</button> " +
      "<button type='button' data-field='next'>next \u25b6</button> " +
      "<span class='cl-step'></span></div>" +
      "<div class='cl-grids'></div>" +
      "<div class='cl-products' style='font-family:monospace'></div>" +
      "<div>sum: <b class='cl-sum'></b></div>";
    var q = function (s) { return el.querySelector(s); };

    function draw() {
      var res = windowSteps(init.input, init.kernel, state.s, state.p);
      var n = res.steps.length, slider = q("[data-field='step']");
      state.step = Math.max(0, Math.min(state.step, n - 1));
      slider.max = String(Math.max(n - 1, 0));
      slider.value = String(state.step);
      if (res.error) {
        q(".cl-grids").innerHTML = "";
        q(".cl-step").textContent = res.error;
        q(".cl-products").textContent = "";
        q(".cl-sum").textContent = "";
        return;
      }
      var st = res.steps[state.step], p = state.p;
      var kh = init.kernel.length, kw = init.kernel[0].length;
      var inWin = function (r, c) {
        return r >= st.top && r < st.top + kh && c >= st.left &&
          c < st.left + kw;
      };
      var inputHtml = table("cl-input", mapGrid(res.padded, fmt),
        function (r, c) {
          var isPad = r < p || c < p || r >= h + p || c >= w + p;
          var bg = inWin(r, c) ? "#ffd54f" : (isPad ? "#e0e0e0" : "#fff");
          return "background:" + bg + ";color:" + (isPad ? "#777" : "#000");
        });
      var kernelHtml = table("cl-kernel", mapGrid(init.kernel, fmt),
        function () { return "background:#bbdefb;color:#000"; });
      var out = [];
      for (var i = 0; i < res.outH; i++) {
        var row = [];
        for (var j = 0; j < res.outW; j++) {
          var k = i * res.outW + j;
          row.push(k <= state.step ? fmt(res.steps[k].sum) : "");
        }
        out.push(row);
      }
      var outHtml = table("cl-output", out, function (r, c) {
        var cur = r === st.row && c === st.col;
        return "background:" + (cur ? "#ffd54f" : "#fff") + ";color:#000";
      });
      q(".cl-grids").innerHTML =
        "<div style='display:inline-block'>input (padded)<br>" + inputHtml +
        "</div><div style='display:inline-block'>kernel<br>" + kernelHtml +
        "</div><div style='display:inline-block'>output<br>" + outHtml +
        "</div>";
      var terms = [];
      for (var u = 0; u < kh; u++) {
        for (var v = 0; v < kw; v++) {
          var a = res.padded[st.top + u][st.left + v], b = init.kernel[u][v];
          terms.push((a < 0 ? "(" + fmt(a) + ")" : fmt(a)) + TIMES +
                     (b < 0 ? "(" + fmt(b) + ")" : fmt(b)));
        }
      }
      q(".cl-products").textContent = "output[" + st.row + ", " + st.col +
        "] = " + terms.join(" + ");
      q(".cl-sum").textContent = fmt(st.sum);
      q(".cl-step").textContent = "step " + (state.step + 1) + " of " + n +
        " (output " + res.outH + TIMES + res.outW + ")";
    }

    el.addEventListener("change", function (e) {
      var f = e.target.getAttribute("data-field");
      if (f === "padding") { state.p = Number(e.target.value); }
      if (f === "stride") { state.s = Number(e.target.value); }
      if (f === "padding" || f === "stride") { state.step = 0; draw(); }
    });
    el.addEventListener("input", function (e) {
      if (e.target.getAttribute("data-field") === "step") {
        state.step = Number(e.target.value);
        draw();
      }
    });
    el.addEventListener("click", function (e) {
      var f = e.target.getAttribute("data-field");
      if (f === "prev") { state.step -= 1; draw(); }
      if (f === "next") { state.step += 1; draw(); }
    });
    draw();
  }

  root.convlibWindowStepper = {windowSteps: windowSteps, mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
