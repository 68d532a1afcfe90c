// Inline formulas wider than the line they sit in (a long formula in a list on a phone): they
// cannot wrap, so they scroll inside their own box with scroll shadows (reading.css,
// .vc-wide-math) instead of sticking out of the column. Re-measured when the window changes size.
(function () {
  "use strict";
  function mark() {
    var formulas = document.querySelectorAll(
      '.bd-article mjx-container:not([display="true"])'
    );
    var wide = [];
    formulas.forEach(function (math) {
      math.classList.remove("vc-wide-math");
    });
    formulas.forEach(function (math) {
      var block = math.parentElement;
      while (block && getComputedStyle(block).display.indexOf("inline") === 0) {
        block = block.parentElement;
      }
      if (block && math.getBoundingClientRect().width > block.clientWidth) {
        wide.push(math);
      }
    });
    wide.forEach(function (math) {
      math.classList.add("vc-wide-math");
    });
  }
  function whenTypeset() {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(mark);
    } else {
      setTimeout(whenTypeset, 100);
    }
  }
  window.addEventListener("resize", mark);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", whenTypeset);
  } else {
    whenTypeset();
  }
})();
