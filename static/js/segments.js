// Live SMS segment counter for textareas with data-segments="<id of an <output>>".
// Mirrors alerts/segments.py: GSM-7 (160, or 153 per part) unless a character falls outside
// GSM 03.38, then UCS-2 (70, or 67 per part, counted in UTF-16 code units).
(function () {
  "use strict";

  var GSM7_BASIC =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM7_EXTENDED = "^{}\\[~]|€\f";

  function countSegments(text) {
    var chars = Array.from(text);
    var gsm = chars.every(function (ch) {
      return GSM7_BASIC.indexOf(ch) !== -1 || GSM7_EXTENDED.indexOf(ch) !== -1;
    });
    var units, single, multi, encoding;
    if (gsm) {
      units = chars.reduce(function (n, ch) {
        return n + (GSM7_EXTENDED.indexOf(ch) !== -1 ? 2 : 1);
      }, 0);
      single = 160; multi = 153; encoding = "GSM-7";
    } else {
      units = text.length; // JavaScript strings are UTF-16 code units already
      single = 70; multi = 67; encoding = "UCS-2";
    }
    var segments = units <= single ? 1 : Math.ceil(units / multi);
    var perSegment = units <= single ? single : multi;
    return {
      encoding: encoding,
      units: units,
      segments: segments,
      remaining: segments * perSegment - units,
    };
  }

  function render(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? String(values[key]) : match;
    });
  }

  function attach(textarea) {
    var output = document.getElementById(textarea.getAttribute("data-segments"));
    if (!output) return;
    var template = output.getAttribute("data-template") || "{segments} SMS ({encoding})";
    function update() {
      var count = countSegments(textarea.value);
      output.textContent = render(template, {
        chars: Array.from(textarea.value).length,
        segments: count.segments,
        encoding: count.encoding,
        remaining: count.remaining,
      });
      output.classList.toggle("is-ucs2", count.encoding === "UCS-2");
      output.classList.toggle("is-multi", count.segments > 1);
    }
    textarea.addEventListener("input", update);
    update();
  }

  window.kengeleCountSegments = countSegments;
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-segments]").forEach(attach);
  });
})();
