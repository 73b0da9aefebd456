// Draws the CCUS Sankey diagram from the JSON block the page carries (no inline script: CSP).
document.addEventListener("DOMContentLoaded", function () {
  var block = document.getElementById("ccus-sankey-data");
  var el = document.getElementById("ccus-sankey");
  if (!block || !el || !window.Plotly) return;
  var fig = JSON.parse(block.textContent);
  Plotly.newPlot(el, fig.data, fig.layout, { displayModeBar: false, responsive: true });
});
