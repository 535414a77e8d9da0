// Normalisation explorer: a batch of N x C feature maps (H x W each),
// normalised by batch, layer, instance or group norm, in training or
// evaluation mode.  Python (convlib.widgets.norm.norm_report, tested
// against convlib.numpy) has computed, for every setting the controls
// offer, which maps share the picked value's mean and variance, the
// sentence to print and the normalised output; this script only draws
// them: the maps as small grids (shaded and outlined when averaged
// together), the sentence in an ARIA live region.
(function (root) {
  "use strict";
  var K = root.convlibKit;

  // The config key of a setting (convlib.widgets.norm.setting_key).
  function settingKey(kind, training, groups) {
    if (kind === "batch") { return "batch/" + (training ? "train" : "eval"); }
    return kind === "group" ? "group/" + groups : kind;
  }

  function isMember(members, n, c) {
    return members.some(function (m) { return m[0] === n && m[1] === c; });
  }

  // One feature map x[n, c] as a small grid.
  function featureMap(values, member, picked) {
    return K.grid(values, function () {
      return {bg: member ? K.tint(K.COLORS.window, 0.55) : null,
              border: picked ? K.INK : (member ? K.COLORS.window : null)};
    }, "cl-map" + (member ? " cl-member" : "") +
       (picked ? " cl-picked" : ""));
  }

  function mount(el, init) {
    var ctl = init.controls;
    var state = {kind: init.kind, training: init.training,
                 groups: init.groups, n: init.sample, c: init.channel,
                 show: "input"};
    var live = K.h("div", {"class": "cl-result", "aria-live": "polite",
                           role: "status", style: "margin:.4em 0"});
    var maps = K.h("div", {"class": "cl-maps"});
    var groupBox = K.h("span", {"class": "cl-groups-box"}, K.select(
      K.t("norm.groups"), "groups", ctl.groups, state.groups,
      function (v) { state.groups = Number(v); draw(); }));
    function draw() {
      var s = init.settings[settingKey(state.kind, state.training,
                                       state.groups)];
      var members = s.members[state.n][state.c];
      var values = state.show === "input" ? init.input : s.output;
      var texts = s.text[K.lang()] || s.text.en;   // the page's language
      K.fill(live, texts[state.n][state.c]);
      var rows = [];
      for (var n = 0; n < ctl.samples; n++) {
        var cells = [];
        for (var c = 0; c < ctl.channels; c++) {
          var cell = values[n][c].map(function (row) {
            return row.map(function (v) { return K.fmt(v, 2); });
          });
          cells.push(K.panel(K.t("norm.col", {c: c}),
                             featureMap(cell, isMember(members, n, c),
                                        n === state.n && c === state.c)));
        }
        rows.push(K.h("div", {"class": "cl-sample"},
                      [K.h("div", {style: "font-size:90%"},
                           K.t("norm.row", {n: n}))].concat(cells)));
      }
      K.fill(maps, rows);
      // the group count is a control of group norm only (hidden, not
      // rebuilt, so that it keeps the keyboard focus)
      groupBox.style.display = state.kind === "group" ? "" : "none";
    }
    var kinds = ctl.kinds.map(function (k) {
      return [k, K.t("norm.kind_" + k)];
    });
    var modes = [["train", K.t("norm.training")],
                 ["eval", K.t("norm.evaluation")]];
    var shows = [["input", K.t("norm.show_input")],
                 ["output", K.t("norm.show_output")]];
    el.appendChild(K.controls([
      K.select(K.t("norm.kind"), "kind", kinds, state.kind, function (v) {
        state.kind = v; draw();
      }),
      groupBox,
      K.select(K.t("norm.mode"), "mode", modes,
               state.training ? "train" : "eval", function (v) {
                 state.training = v === "train"; draw();
               }),
      K.select(K.t("norm.sample"), "sample", K.options(0, ctl.samples - 1),
               state.n, function (v) { state.n = Number(v); draw(); }),
      K.select(K.t("norm.channel"), "channel",
               K.options(0, ctl.channels - 1), state.c,
               function (v) { state.c = Number(v); draw(); }),
      K.select(K.t("norm.show"), "show", shows, state.show, function (v) {
        state.show = v; draw();
      })]));
    el.appendChild(live);
    el.appendChild(K.h("div", {style: "font-size:90%;margin:.3em 0"},
                       K.t("norm.legend")));
    el.appendChild(maps);
    draw();
  }

  root.convlibNormExplorer = {settingKey: settingKey, mount: mount};
})(typeof window !== "undefined" ? window : globalThis);
