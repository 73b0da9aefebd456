// Draws the grid page's heat maps from the JSON block it carries (no inline script: CSP).
document.addEventListener("DOMContentLoaded", function () {
  var block = document.getElementById("grid-figures");
  if (!block || !window.Plotly) return;
  var figs = JSON.parse(block.textContent);
  Object.keys(figs).forEach(function (key) {
    var el = document.getElementById("grid-" + key);
    if (el) Plotly.newPlot(el, figs[key].data, figs[key].layout, { displayModeBar: false, responsive: true });
  });
});
