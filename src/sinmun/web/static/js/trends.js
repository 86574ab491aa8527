// The trend chart of /trends: the counts come in a JSON block of the page (no inline script: CSP).
(function () {
  const data = JSON.parse(document.getElementById("trend-data").textContent);
  Chart.defaults.font.family = "'Noto Sans KR', sans-serif";  // canvas text needs the Korean font named
  const chart = new Chart(document.getElementById("trend-chart"), {
    type: "line",
    data: {labels: data.buckets, datasets: data.terms.map(t => ({label: t.term, data: data.buckets.map(b => t.counts[b] || 0), tension: 0.2}))},
    options: {animation: false, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}},
  });
  document.getElementById("trend-chart").dataset.ready = chart.data.datasets.length;
})();
