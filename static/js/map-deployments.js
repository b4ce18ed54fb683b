/* The map's deployments layer: joint protection teams and assessment missions of the reader's
   areas, drawn once the map is ready (static/js/map.js announces it), with their legend entry.
   Only for readers the page gives a data URL to. */
(function () {
  "use strict";

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span.innerHTML;
  }

  document.addEventListener(
    "kengele:map-ready",
    function (event) {
      var el = event.target;
      var url = el.dataset.deploymentsUrl;
      if (!url) return;
      var name = el.dataset.labelDeployments;
      var layer = L.layerGroup().addTo(event.detail.map);
      event.detail.control.addOverlay(layer, name);
      var legend = document.querySelector(".map-legend");
      if (legend) {
        var item = document.createElement("li");
        item.className = "legend-deployment";
        item.innerHTML = '<span class="deployment-mark"></span>' + text(name);
        legend.appendChild(item);
      }
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          ((data && data.features) || []).forEach(function (feature) {
            var p = feature.properties;
            var latlng = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
            L.marker(latlng, {
              icon: L.divIcon({
                className: "map-deployment",
                html: '<span class="deployment-mark"></span>',
                iconSize: [18, 18],
              }),
              title: p.kind + " · " + p.area,
            })
              .bindPopup(
                "<strong>" + text(p.kind) + "</strong> · " + text(p.area) +
                "<br>" + text(p.from) + (p.until ? " → " + text(p.until) : " →") +
                '<br><a href="' + text(p.url) + '">' + text(name) + "</a>"
              )
              .addTo(layer);
          });
        })
        .catch(function () { /* the deployments layer stays empty */ });
    },
    true
  );
})();
