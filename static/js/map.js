/* Dashboard map: alerts per place and incidents (coloured by priority) and, when served, the
   coverage of places by mechanism. Data from our own server; tiles from the configured URL.
   The approximate limits of provinces and territories and the names of places come from a
   static file of ours, so the map still reads when the tile server cannot be reached (a notice
   then says the base map is missing). */
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
    var notice = document.getElementById("map-notice");
    var map = L.map(el, { preferCanvas: true }).setView([-1.0, 29.2], 7);
    function tilesMissing() {
      if (notice) notice.hidden = false;
      el.dataset.tiles = "failed";
    }
    if (label.tiles) {
      L.tileLayer(label.tiles, { maxZoom: 18, attribution: text(label.attribution) })
        .on("tileerror", tilesMissing)
        .addTo(map);
    } else {
      tilesMissing();
    }
    var boundaries = L.layerGroup().addTo(map);
    var places = L.layerGroup().addTo(map);
    var alerts = L.layerGroup().addTo(map);
    var incidents = L.layerGroup().addTo(map);
    var coverage = L.layerGroup();
    var overlays = {};
    overlays[label.labelBoundaries] = boundaries;
    overlays[label.labelPlaces] = places;
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
            "<br>P" + text(p.priority) + " · " + text(p.summary) +
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
            "<br>" + text(p.corroboration_label) + " : " + text(p.reporters_label) + ", " +
            text(p.mechanisms_label) +
            '<br><a class="popup-incident" href="' + text(p.url) + '">' + text(label.labelIncident) +
            '</a> · <a class="popup-incident-alerts" href="' + text(p.alerts_url) + '">' +
            text(label.labelIncidentAlerts) + "</a>"
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

    function addOutlines(collection) {
      /* Provinces and territories as outlines (approximate: drawn around the gazetteer's
         places), places as small dots named without tiles. */
      var drawn = 0;
      (collection.features || []).forEach(function (feature) {
        var p = feature.properties;
        if (p.kind === "place") {
          var c = feature.geometry.coordinates;
          L.circleMarker([c[1], c[0]], { radius: 2, color: "#222", weight: 1, fillOpacity: 1 })
            .bindTooltip(text(p.name), {
              permanent: true, direction: "right", className: "place-label", offset: [3, 0],
            })
            .addTo(places);
          return;
        }
        var province = p.kind === "province";
        L.geoJSON(feature, {
          interactive: false,
          style: {
            color: province ? "#5b3a8c" : "#7a6a9a",
            weight: province ? 3 : 1.5,
            dashArray: province ? null : "5 4",
            fill: false,
          },
        }).addTo(boundaries);
        drawn += 1;
      });
      el.dataset.outlines = String(drawn);
    }

    if (label.outlinesUrl) {
      fetch(label.outlinesUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data) addOutlines(data); })
        .catch(function () { /* the limits stay undrawn; alerts still show */ });
    }

    fetch(label.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        addAlerts(data.alerts);
        addIncidents(data.incidents);
        if (bounds.length) {
          // Said once the view has come to rest on the markers (fitBounds may animate).
          map.once("moveend", function () { el.dataset.settled = "1"; });
          map.fitBounds(bounds, { maxZoom: 11, padding: [20, 20] });
        } else {
          el.dataset.settled = "1";
        }
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
