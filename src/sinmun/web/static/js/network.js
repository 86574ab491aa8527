// The co-occurrence network of an entity page, drawn with Cytoscape.js from the page's JSON block.
// Drawn once the Korean web font is in: labels measured before it came were cut short.
document.fonts.ready.then(function () {
  const data = JSON.parse(document.getElementById("network-data").textContent);
  const colors = {person: "#e8875b", org: "#4a86c8", place: "#5aa469", product: "#9a62c8", concept: "#999", name: "#7a8a99"};
  const max = Math.max(...data.nodes.map(n => n.articles));
  const cy = cytoscape({
    container: document.getElementById("network"),
    elements: [
      ...data.nodes.map(n => ({data: {id: n.id, label: n.id, size: 18 + 30 * n.articles / max, color: colors[n.type] || "#888"}})),
      ...data.edges.map(e => ({data: {source: e.source, target: e.target, weight: e.weight}})),
    ],
    style: [
      {selector: "node", style: {"label": "data(label)", "width": "data(size)", "height": "data(size)", "background-color": "data(color)",
        "font-family": "Noto Sans KR, sans-serif", "font-size": 12, "text-valign": "bottom", "text-margin-y": 3}},
      {selector: "edge", style: {"width": "mapData(weight, 1, 10, 1, 6)", "line-color": "#ccd", "curve-style": "haystack"}},
    ],
    layout: {name: "cose", animate: false, randomize: false, nodeRepulsion: () => 12000, idealEdgeLength: () => 90},
  });
  cy.on("tap", "node", evt => { window.location = "/entities/" + encodeURIComponent(evt.target.id()); });
  document.getElementById("network").dataset.ready = cy.nodes().length;
});
