// Search results: the snippets under each result are cut from the page's HTML, where the maths
// is still TeX (\(\beta\)-VAE). This turns the TeX of each formula into plain text (β-VAE)
// before the snippet is made. Only the search page has Sphinx's Search object.
(function () {
  "use strict";
  if (typeof Search === "undefined" || !Search.htmlToText) return;
  var symbols = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε",
    lambda: "λ", mu: "μ", nu: "ν", pi: "π", sigma: "σ", theta: "θ", phi: "φ",
    varphi: "φ", psi: "ψ", omega: "ω", Phi: "Φ", Sigma: "Σ", Omega: "Ω", Gamma: "Γ",
    nabla: "∇", partial: "∂", sum: "∑", prod: "∏", int: "∫", infty: "∞", odot: "⊙",
    cdot: "·", times: "×", le: "≤", leq: "≤", ge: "≥", geq: "≥", approx: "≈",
    sim: "~", to: "→", mid: "|", in: "∈", neq: "≠", ldots: "…", dots: "…",
    log: "log", exp: "exp", min: "min", max: "max", ell: "ℓ"
  };
  function plain(tex) {
    return tex
      .replace(/\\t?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "$1/$2")
      .replace(/\\tfrac12|\\frac12/g, "½")
      .replace(/\\(?:mathrm|mathbb|mathcal|operatorname|text|boxed|mathbf)\s*\{([^{}]*)\}/g, "$1")
      .replace(/\\\|/g, "‖")
      .replace(/\\[,;:! ]/g, " ")
      .replace(/\\(big|Big|bigg|left|right)\b/g, "")
      .replace(/\\([A-Za-z]+)/g, function (m, name) {
        return name in symbols ? symbols[name] : "";
      })
      .replace(/[{}]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  }
  function readable(text) {
    return text
      .replace(/\\\(([\s\S]*?)\\\)/g, function (m, tex) { return plain(tex); })
      .replace(/\\\[([\s\S]*?)\\\]/g, function (m, tex) { return plain(tex); })
      .replace(/\$\$([\s\S]*?)\$\$/g, function (m, tex) { return plain(tex); })
      .replace(/\\begin\{[a-z*]+\}([\s\S]*?)\\end\{[a-z*]+\}/g, function (m, tex) {
        return plain(tex.replace(/&|\\\\/g, " "));
      });
  }
  var original = Search.htmlToText;
  Search.htmlToText = function (html, anchor) {
    return readable(original(html, anchor));
  };
})();
