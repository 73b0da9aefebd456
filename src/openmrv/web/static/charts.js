// Draws the dashboard's charts from the JSON blocks the page carries (no inline script: CSP).
// Every chart is bars with labelled categories ("Scope 1", facility names); the trend stacks
// the scopes per year (never one mixed line) and draws each target's path against them.
document.addEventListener("DOMContentLoaded", function () {
  var block = document.getElementById("chart-data");
  if (!block || !window.Plotly) return;
  var data = JSON.parse(block.textContent);
  var names = JSON.parse(document.getElementById("chart-labels").textContent);
  function label(key, value) {
    var m = names[key] || {};
    return m[String(value)] || String(value);
  }
  document.querySelectorAll(".chart").forEach(function (el) {
    var key = el.dataset.key;
    var traces;
    if (key === "year") {
      var rows = data.year || [];
      var scopes = [];
      rows.forEach(function (r) { if (scopes.indexOf(r.scope) < 0) scopes.push(r.scope); });
      traces = scopes.map(function (s) {
        var mine = rows.filter(function (r) { return r.scope === s; });
        return { type: "bar", name: label("scope", s),
                 x: mine.map(function (r) { return String(r.year); }),
                 y: mine.map(function (r) { return r.co2e_t; }) };
      });
      (data.targets || []).forEach(function (t) {
        traces.push({ type: "scatter", mode: "lines+markers", name: names.target + ": " + t.name,
                      x: t.x.map(String), y: t.y, line: { dash: "dash" } });
      });
    } else {
      var rows2 = data[key] || [];
      traces = [{ type: "bar", x: rows2.map(function (r) { return label(key, r.key); }),
                  y: rows2.map(function (r) { return r.co2e_t; }) }];
    }
    Plotly.newPlot(el, traces, {
      title: { text: el.dataset.title, font: { size: 14 } }, barmode: "stack",
      margin: { l: 70, r: 10, t: 40, b: 80 }, height: 300, showlegend: key === "year",
      legend: { orientation: "h", y: -0.3 },
      yaxis: { title: { text: names.axis } },
      xaxis: { type: "category", title: { text: key === "year" ? names.year : "" } }
    }, { displayModeBar: false, responsive: true });
  });
});
