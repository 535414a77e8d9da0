// Loaded on pages with widgets, after require.js and before the widget
// manager (html-manager/embed-amd.js); all three are served from _static/.
(function () {
  "use strict";
  var base = document.currentScript.src.replace(/[^\/]*$/, "");
  var hm = base + "html-manager/";

  // 1. AMD module names -> the vendored files, so the widget manager never
  //    falls back to a CDN. The @jupyter-widgets modules are defined inside
  //    embed-amd.js itself; mapping them only fixes the URL their bundled
  //    CSS resolves the Font Awesome fonts against (html-manager/*.woff2).
  window.requirejs.config({
    paths: {
      "anywidget": base + "anywidget/index",
      "@jupyter-widgets/base": hm + "base",
      "@jupyter-widgets/base7": hm + "base7",
      "@jupyter-widgets/controls": hm + "controls",
      "@jupyter-widgets/controls7": hm + "controls7",
      "@jupyter-widgets/html-manager": hm + "html-manager",
      "@jupyter-widgets/html-manager/dist/libembed-amd": hm + "libembed-amd"
    }
  });

  // 2. The widgets typeset their labels with the MathJax 2 call
  //    MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); the book runs
  //    MathJax 3, so forward that call to MathJax.typesetPromise.
  function installHubShim() {
    var mj = window.MathJax;
    if (!mj || !mj.version || mj.Hub) return;
    mj.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (job) {
          if (!Array.isArray(job) || job[0] !== "Typeset" || !job[2]) return;
          var ready = (mj.startup && mj.startup.promise) || Promise.resolve();
          ready.then(function () {
            return mj.typesetPromise([job[2]]);
          });
        });
      }
    };
  }
  // MathJax is a deferred script: it has run before DOMContentLoaded, and
  // the widgets are drawn after it (on window load).
  document.addEventListener("DOMContentLoaded", installHubShim);
})();
