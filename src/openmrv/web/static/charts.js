// Draws the dashboard's charts from the JSON block the page carries (no inline script: CSP).
document.addEventListener("DOMContentLoaded", function () {
  var block = document.getElementById("chart-data");
  if (!block || !window.Plotly) return;
  var data = JSON.parse(block.textContent);
  document.querySelectorAll(".chart").forEach(function (el) {
    var rows = data[el.dataset.key] || [];
    var x = rows.map(function (r) { return String(r.key); });
    var y = rows.map(function (r) { return r.co2e_t; });
    var trace = el.dataset.key === "year"
      ? { x: x, y: y, type: "scatter", mode: "lines+markers" }
      : { x: x, y: y, type: "bar" };
    Plotly.newPlot(el, [trace], {
      title: { text: el.dataset.title, font: { size: 14 } },
      margin: { l: 60, r: 10, t: 40, b: 60 }, height: 260,
      yaxis: { title: { text: "t CO2e" } }, xaxis: { type: "category" }
    }, { displayModeBar: false, responsive: true });
  });
});
