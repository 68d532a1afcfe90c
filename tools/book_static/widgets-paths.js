// Loaded between require.js and ipywidgets' embed-amd.js (see tools/book_sphinx_fixes.py).
// embed-amd.js finds its fonts relative to its AMD module path, which require.js would resolve
// against the page's folder; map that path to the folder these scripts are served from.
(function () {
  var here = document.currentScript.src.replace(/[?#].*$/, "").replace(/\/[^/]*$/, "");
  require.config({ paths: { "@jupyter-widgets/html-manager/dist": here + "/widgets" } });
})();

// The widgets typeset LaTeX in their labels with MathJax 2's MathJax.Hub.Queue, but the site runs
// MathJax 3 (sphinx-mathjax-offline), which has no Hub: give them that one call, mapped onto
// MathJax 3's typesetPromise. Widgets render on "load"; this listener is registered first.
window.addEventListener("load", function () {
  var M = window.MathJax;
  if (!M || M.Hub || !M.startup) return;
  M.Hub = {
    Queue: function (job) {
      var element = job && job[2];
      M.startup.promise
        .then(function () { return M.typesetPromise(element ? [element] : undefined); })
        .catch(function (error) { console.warn("MathJax could not typeset a widget label", error); });
    },
  };
});
