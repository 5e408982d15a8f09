// MathJax settings, read by the vendored MathJax (javascripts/vendor/mathjax/tex-svg-full.js): no network.
// Markdown pages give pymdownx.arithmatex's \( \) and \[ \] spans; the executed notebooks keep
// Jupyter's $ $ and $$ $$. Code and pre blocks are never typeset.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true
  },
  options: {
    enableMenu: false
  },
  svg: {
    fontCache: "global"
  }
};
