/* Dashboard map: alerts per place and incidents (coloured by priority) and, when served, the
   coverage of places by mechanism. Data from our own server; tiles from the configured URL, so
   the data still shows when the tile server cannot be reached. */
(function () {
  "use strict";
  var COLOURS = { 1: "#c62828", 2: "#e8590c", 3: "#c99a06", 4: "#8a94a6" };
  var COVERAGE = { 0: "#6b7280", 1: "#9ecae1", 2: "#4292c6", 3: "#08519c" };

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span.innerHTML;
  }

  function colour(priority) {
    return COLOURS[priority] || COLOURS[4];
  }

  function start() {
    var el = document.getElementById("map");
    if (!el || typeof L === "undefined") return;
    var label = el.dataset;
    var status = document.getElementById("map-status");
    var map = L.map(el, { preferCanvas: true }).setView([-1.0, 29.2], 7);
    if (label.tiles) {
      L.tileLayer(label.tiles, { maxZoom: 18, attribution: text(label.attribution) }).addTo(map);
    }
    var alerts = L.layerGroup().addTo(map);
    var incidents = L.layerGroup().addTo(map);
    var coverage = L.layerGroup();
    var overlays = {};
    overlays[label.labelAlerts] = alerts;
    overlays[label.labelIncidents] = incidents;
    if (label.coverageUrl) overlays[label.labelCoverage] = coverage;
    var control = L.control.layers(null, overlays, { collapsed: false }).addTo(map);
    // Other layers (static/js/map-*.js) add themselves to the map and its layer control.
    el.dispatchEvent(new CustomEvent("kengele:map-ready", { detail: { map: map, control: control } }));
    var bounds = [];

    function addAlerts(collection) {
      (collection.features || []).forEach(function (feature) {
        var p = feature.properties;
        var latlng = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
        bounds.push(latlng);
        L.circleMarker(latlng, {
          radius: 5 + Math.min(Math.sqrt(p.total) * 2, 20),
          color: colour(p.priority),
          fillColor: colour(p.priority),
          fillOpacity: 0.6,
          weight: 1,
        })
          .bindPopup(
            "<strong>" + text(p.place) + "</strong> " + text(p.territory) +
            "<br>P" + text(p.priority) + " · " + text(p.total) + " " + text(label.labelAlerts) +
            " (" + text(p.open) + " " + text(label.labelOpen) + ")" +
            '<br><a href="' + text(p.url) + '">' + text(label.labelQueue) + "</a>"
          )
          .addTo(alerts);
      });
    }

    function addIncidents(collection) {
      (collection.features || []).forEach(function (feature) {
        var p = feature.properties;
        var latlng = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
        bounds.push(latlng);
        L.circleMarker(latlng, {
          radius: 10 + Math.min(p.reporters * 3, 24),
          color: colour(p.priority),
          fill: false,
          weight: p.mechanisms > 1 ? 4 : 2,
        })
          .bindPopup(
            "<strong>" + text(p.place) + "</strong> · P" + text(p.priority) +
            "<br>" + text(p.corroboration_label) + ": " + text(p.reporters) + " " +
            text(label.labelReporters) + ", " + text(p.mechanisms) + " " + text(label.labelMechanisms)
          )
          .addTo(incidents);
      });
    }

    function addCoverage(places) {
      /* One dot per place, darker the more mechanisms (CAN, LPC, CLA visit) reach it; grey
         where none does. */
      (places || []).forEach(function (place) {
        if (place.latitude == null || place.longitude == null) return;
        var mechanisms = place.mechanisms || [];
        L.circleMarker([place.latitude, place.longitude], {
          radius: 6,
          color: COVERAGE[Math.min(mechanisms.length, 3)],
          fillOpacity: mechanisms.length ? 0.5 : 0.15,
          weight: 1,
        })
          .bindPopup(
            "<strong>" + text(place.name) + "</strong> " + text(place.territory) + "<br>" +
            (mechanisms.length ? text(mechanisms.join(" + ").toUpperCase()) : text(label.labelNone))
          )
          .addTo(coverage);
      });
    }

    fetch(label.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        addAlerts(data.alerts);
        addIncidents(data.incidents);
        if (bounds.length) map.fitBounds(bounds, { maxZoom: 11, padding: [20, 20] });
        el.dataset.loaded = String((data.alerts.features || []).length);
      })
      .catch(function () {
        status.textContent = label.labelFailed;
      });

    if (label.coverageUrl) {
      fetch(label.coverageUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data) addCoverage(data.places); })
        .catch(function () { /* the coverage layer stays empty */ });
    }
  }

  document.addEventListener("DOMContentLoaded", start);
})();
