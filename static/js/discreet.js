/* Discreet mode: warns while the analyst types a reply that names Kengele, an alert or the
   mission to a reporter whose phone may be searched. The server applies the same rules
   (alerts/discreet.py, rules in <script id="revealing-rules">) and asks to confirm. */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function revealing(text, rules) {
    var words = Array.from(text.matchAll(/[\p{L}\p{N}_]+/gu));
    var folded = words.map(function (m) { return fold(m[0]); });
    var found = [];
    for (var i = 0; i < words.length; i++) {
      for (var s = 0; s < rules.stems.length; s++) {
        var stem = rules.stems[s];
        var end = i + stem.length;
        if (end > words.length) continue;
        var head = stem.slice(0, -1).every(function (w, k) { return folded[i + k] === w; });
        if (head && folded[end - 1].indexOf(stem[stem.length - 1]) === 0) {
          found.push(text.slice(words[i].index, words[end - 1].index + words[end - 1][0].length));
          break;
        }
      }
    }
    if (rules.acronyms) {
      Array.from(text.matchAll(new RegExp(rules.acronyms, "gu"))).forEach(function (m) {
        found.push(m[0]);
      });
    }
    return found.filter(function (w, k) { return found.indexOf(w) === k; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = document.getElementById("revealing-rules");
    if (!data) return;
    var rules = JSON.parse(data.textContent);
    document.querySelectorAll("textarea[data-revealing]").forEach(function (textarea) {
      var output = document.getElementById(textarea.getAttribute("data-revealing"));
      if (!output) return;
      var template = output.getAttribute("data-template") || "{words}";
      function update() {
        var words = revealing(textarea.value, rules);
        output.hidden = words.length === 0;
        output.textContent = template.replace("{words}", words.map(function (w) {
          return "“" + w + "”";
        }).join(", "));
      }
      textarea.addEventListener("input", update);
      update();
    });
  });
})();
