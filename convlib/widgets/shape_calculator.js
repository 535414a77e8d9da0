// Output-shape calculator for one spatial dimension of a convolution.
// `shapeReport` is convlib.widgets.shape_report's twin (tests hold the
// two equal): the size from the kit's rules, the words from its string
// table; `mount` draws the number boxes (bounds from the config) and the
// substituted formula with the shared kit (convlibKit, kit.js).  Every
// box takes the arrow keys, the 'same' box Space or Enter, and the
// output size is in a live region that screen readers announce.
(function (root) {
  "use strict";
  var K = root.convlibKit;
  // The sentence of each rule that can refuse a setting.
  var REASONS = {"int": "arg.int", "min": "arg.min",
                 same_stride: "calc.same_stride", span: "calc.span"};
  var ORDER = ["n", "k", "s", "p", "d"];  // the boxes, as the formula reads

  // The report for input size n, kernel k, stride s, padding p (an int or
  // the string "same") and dilation d: {size, formula, reason}.  size is
  // null when the settings are invalid and reason then says why.
  function shapeReport(n, k, s, p, d) {
    var out = K.rules.conv(n, k, s, p, d);
    var words = Object.assign({n: n, k: k, s: s, p: p, d: d,
                               size: out.size}, out.facts);
    var reason = out.rule ? K.t(REASONS[out.rule], words) : "";
    if (out.rule === "int" || out.rule === "min" ||
        out.rule === "same_stride") {
      return {size: null, formula: "", reason: reason};
    }
    if (p === "same") {
      return {size: out.size, formula: K.t("calc.same", words), reason: ""};
    }
    var formula = K.t("calc.floor", words);
    if (out.rule) { return {size: null, formula: formula, reason: reason}; }
    return {size: out.size, reason: "",
            formula: K.t("calc.floor_size", {formula: formula,
                                             size: out.size})};
  }

  // Number boxes for n, k, s, p, d and a padding='same' box; the report
  // follows every change.
  function mount(el, init) {
    var v = {n: init.n, k: init.k, s: init.s, p: init.p, d: init.d};
    var same = !!init.same;
    // In the formula's order: a saved widget state sorts the config's
    // keys, so their order in `controls` is not the reading order.
    var boxes = ORDER.filter(function (key) {
      return key in init.controls;
    }).map(function (key) {
      return K.number(K.t("calc." + key), key, init.controls[key], v[key],
                      function (x) { v[key] = x; update(); });
    });
    var sameBox = K.checkbox(K.t("calc.same_box"), "same", same,
                             function (c) { same = c; update(); });
    enterToggles(sameBox.querySelector("input"));
    var formula = K.formula("");
    var size = K.h("b", {"class": "cl-size"});
    var reason = K.h("div", {"class": "cl-reason", role: "alert",
                             style: "color:" + K.COLORS.error});
    K.fill(el, [K.controls(boxes.concat([sameBox])), formula,
                K.h("div", {"class": "cl-result", role: "status",
                            "aria-live": "polite", "aria-atomic": "true"},
                    [K.t("calc.size") + " ", size]), reason]);
    var padBox = el.querySelector("[data-field='p']");

    function update() {
      padBox.disabled = same;
      var r = shapeReport(v.n, v.k, v.s, same ? "same" : v.p, v.d);
      K.fill(formula, r.formula);
      K.fill(size, r.size === null ? K.t("calc.invalid") : String(r.size));
      K.fill(reason, r.reason);
    }
    update();
  }

  // Enter toggles a checkbox as Space does (a click, so 'change' fires).
  function enterToggles(box) {
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); box.click(); }
    });
  }

  root.convlibShapeCalculator = {shapeReport: shapeReport, mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
