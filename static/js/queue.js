// The alert queue: rows ticked for a bulk action, a highlighted row moved with the keyboard,
// and the keyboard shortcuts listed in the page's help panel (#queue-help).
// htmx polling replaces the table body every few seconds, so what is ticked and which row is
// highlighted are kept here, by alert id, and put back after each swap.
(function () {
  "use strict";

  var selected = new Set(); // ids of the alerts ticked for a bulk action
  var cursor = null; // id of the highlighted alert
  var cursorIndex = -1; // its place in the list, kept when the row itself goes away

  function tableBody() {
    return document.getElementById("queue-rows");
  }

  function rows() {
    var body = tableBody();
    return body ? Array.prototype.slice.call(body.querySelectorAll("tr[data-alert]")) : [];
  }

  function boxOf(row) {
    return row.querySelector('input[type="checkbox"][name="alerts"]');
  }

  function ticked() {
    return rows().filter(function (row) {
      var box = boxOf(row);
      return box && box.checked;
    });
  }

  function render(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? String(values[key]) : match;
    });
  }

  function showCount(message) {
    var output = document.getElementById("queue-selected");
    var form = document.getElementById("queue-bulk");
    if (!output || !form) return;
    if (message) {
      output.textContent = message;
      return;
    }
    var n = ticked().length;
    var rule = new Intl.PluralRules(document.documentElement.lang || "fr").select(n);
    var template = form.getAttribute(rule === "one" ? "data-selected-one" : "data-selected-other");
    output.textContent = n ? render(template, { n: n }) : "";
  }

  function showPickAll() {
    var all = document.getElementById("queue-pick-all");
    if (!all) return;
    var boxes = rows().map(boxOf).filter(Boolean);
    var checked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = boxes.length > 0 && checked === boxes.length;
    all.indeterminate = checked > 0 && checked < boxes.length;
  }

  function pick(row, on) {
    var box = boxOf(row);
    if (!box) return;
    box.checked = on;
    row.classList.toggle("is-picked", on);
    if (on) selected.add(row.getAttribute("data-alert"));
    else selected.delete(row.getAttribute("data-alert"));
  }

  function highlight(all, index, scroll) {
    all.forEach(function (row, i) {
      row.classList.toggle("is-cursor", i === index);
      if (i === index) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    });
    if (index < 0 || index >= all.length) {
      cursor = null;
      cursorIndex = -1;
      return;
    }
    cursor = all[index].getAttribute("data-alert");
    cursorIndex = index;
    if (scroll) all[index].scrollIntoView({ block: "nearest" });
  }

  function cursorRow() {
    var all = rows();
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute("data-alert") === cursor) return all[i];
    }
    return null;
  }

  // After a poll: tick again what was ticked, highlight the same alert (or, if it left the
  // list, whatever now stands in its place).
  function restore() {
    var all = rows();
    all.forEach(function (row) {
      var id = row.getAttribute("data-alert");
      var box = boxOf(row);
      if (box) box.checked = selected.has(id);
      row.classList.toggle("is-picked", selected.has(id));
    });
    var index = -1;
    if (cursor !== null) {
      index = all.findIndex(function (row) { return row.getAttribute("data-alert") === cursor; });
      if (index === -1 && all.length) index = Math.min(cursorIndex, all.length - 1);
    }
    highlight(all, index, false);
    showPickAll();
    showCount();
  }

  function move(step) {
    var all = rows();
    if (!all.length) return false;
    var index = cursorRow() ? all.indexOf(cursorRow()) : -1;
    index = index === -1 ? 0 : Math.max(0, Math.min(all.length - 1, index + step));
    highlight(all, index, true);
    return true;
  }

  function openAlert() {
    var row = cursorRow();
    var link = row && row.querySelector("td.ref a");
    if (!link) return false;
    window.location.assign(link.href);
    return true;
  }

  function toggle() {
    if (!cursorRow()) move(1);
    var row = cursorRow();
    if (!row || !boxOf(row)) return false;
    pick(row, !boxOf(row).checked);
    showPickAll();
    showCount();
    return true;
  }

  function acknowledgeSelected() {
    var form = document.getElementById("queue-bulk");
    var button = document.getElementById("bulk-acknowledge");
    if (!form || !button) return false;
    if (!ticked().length) {
      showCount(form.getAttribute("data-selected-none"));
      return true;
    }
    if (form.requestSubmit) form.requestSubmit(button);
    else button.click();
    return true;
  }

  function toggleHelp(show) {
    var panel = document.getElementById("queue-help");
    if (!panel) return false;
    panel.hidden = show === undefined ? !panel.hidden : !show;
    document.querySelectorAll('[aria-controls="queue-help"]').forEach(function (button) {
      button.setAttribute("aria-expanded", String(!panel.hidden));
    });
    return true;
  }

  function focusSearch() {
    var search = document.getElementById("f-q");
    if (!search) return false;
    search.focus();
    search.select();
    return true;
  }

  // Typing in a field: letters belong to the field. Checkboxes and buttons take no text.
  function typing(target) {
    if (!target || !target.tagName) return false;
    if (target.isContentEditable) return true;
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return ["checkbox", "radio", "button", "submit", "reset"].indexOf(target.type) === -1;
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var key = event.key;
    var done = false;
    if (key === "j" || key === "ArrowDown") done = move(1);
    else if (key === "k" || key === "ArrowUp") done = move(-1);
    else if (key === "o" || (key === "Enter" && !event.target.closest("a, button, summary")))
      done = openAlert();
    else if (key === "x") done = toggle();
    else if (key === "a") done = acknowledgeSelected();
    else if (key === "/") done = focusSearch();
    else if (key === "?") done = toggleHelp();
    else if (key === "Escape") {
      var panel = document.getElementById("queue-help");
      done = Boolean(panel && !panel.hidden) && toggleHelp(false);
    }
    if (done) event.preventDefault();
  }

  function onChange(event) {
    var target = event.target;
    if (target.id === "queue-pick-all") {
      rows().forEach(function (row) { pick(row, target.checked); });
    } else if (target.name === "alerts" && target.closest("#queue-rows")) {
      var row = target.closest("tr[data-alert]");
      pick(row, target.checked);
      highlight(rows(), rows().indexOf(row), false);
    } else {
      return;
    }
    showPickAll();
    showCount();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!tableBody()) return;
    // Ticks the browser kept (back button) count as a selection too.
    ticked().forEach(function (row) { selected.add(row.getAttribute("data-alert")); });
    restore();
    document.addEventListener("keydown", onKey);
    document.addEventListener("change", onChange);
    document.body.addEventListener("htmx:afterSwap", restore);
    document.body.addEventListener("queue:rows", restore); // only the changed rows came
    document.querySelectorAll('[aria-controls="queue-help"]').forEach(function (button) {
      button.addEventListener("click", function () { toggleHelp(); });
    });
  });
})();

// Live updates: each poll sends the version the table shows and gets an empty 204 while
// nothing changed. Unacknowledged P1 alerts count in the tab title; a new one may beep (off
// unless the analyst ticks it, remembered in this browser) and show a browser notification
// (only once the analyst asked for them). Changes never land above where the reader is:
// they wait behind a "show the changes" button until the reader is back at the top.
// When few alerts changed, the answer (X-Queue-Delta) holds the order of every row by id and
// only the rows that changed: the body is put together from them and the rows already here;
// if one is missing, the whole body is asked for.
(function () {
  "use strict";

  var SOUND = "kengele.queue.sound";
  var VERSION = "X-Queue-Version";
  var DELTA = "X-Queue-Delta";
  var seen = null; // ids of the P1 alerts already announced
  var held = false; // a change is waiting for the reader to come back up
  var forcing = false; // the next answer is swapped whatever the scroll position

  function body() {
    return document.getElementById("queue-rows");
  }

  function urgentIn(html) {
    var found = {};
    var pattern = /data-urgent="(\d+)" data-reference="([^"]*)"/g;
    var match;
    while ((match = pattern.exec(html))) found[match[1]] = match[2];
    return found;
  }

  function showTitle(total) {
    var bare = document.title.replace(/^\(\d+\)\s*/, "");
    document.title = total > 0 ? "(" + total + ") " + bare : bare;
  }

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    var context = new Context();
    var tone = context.createOscillator();
    var gain = context.createGain();
    tone.frequency.value = 880;
    gain.gain.value = 0.2;
    tone.connect(gain);
    gain.connect(context.destination);
    tone.onended = function () { context.close(); };
    tone.start();
    tone.stop(context.currentTime + 0.4);
  }

  function announce(references) {
    if (!references.length) return;
    if (localStorage.getItem(SOUND) === "on") beep();
    if ("Notification" in window && Notification.permission === "granted") {
      var box = document.querySelector(".alerting");
      var title = (box && box.getAttribute("data-new-p1")) || "P1";
      new Notification(title, { body: references.join(", "), tag: "kengele-p1" });
    }
  }

  // The P1 alerts and their count in an answer (or the page), announced when new.
  function take(html, urgent) {
    var total = /data-urgent-total="(\d+)"/.exec(html);
    if (total) showTitle(parseInt(total[1], 10));
    urgent = urgent || urgentIn(html);
    if (seen !== null) {
      announce(Object.keys(urgent).filter(function (id) { return !(id in seen); })
        .map(function (id) { return urgent[id]; }));
    }
    seen = urgent;
  }

  function readerBelowTop() {
    var table = body();
    return Boolean(table) && table.getBoundingClientRect().top < 0;
  }

  function showChanges() {
    var table = body();
    var notice = document.getElementById("queue-held");
    held = false;
    if (notice) notice.hidden = true;
    if (!table || !window.htmx) return;
    forcing = true;
    table.setAttribute("data-version", "");
    window.htmx.trigger(table, "queue:refresh");
  }

  // An answer holding only the changed rows, parsed: the order of all rows, the rows sent.
  function parseDelta(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var fragment = template.content;
    var order = fragment.querySelector("template[data-queue-rows]");
    var fresh = {};
    fragment.querySelectorAll("tr[id]").forEach(function (row) { fresh[row.id] = row; });
    return {
      fragment: fragment,
      ids: order ? order.getAttribute("data-queue-rows").split(" ").filter(Boolean) : null,
      fresh: fresh,
    };
  }

  // The P1 rows the page will show once the changed rows are in, by id, with their reference.
  function urgentAfter(delta) {
    var urgent = {};
    (delta.ids || []).forEach(function (id) {
      var match = /^queue-u-(\d+)$/.exec(id);
      if (!match) return;
      var row = delta.fresh[id] || document.getElementById(id);
      urgent[match[1]] = row ? row.getAttribute("data-reference") : "";
    });
    return urgent;
  }

  function replaceById(fragment, id) {
    var next = fragment.querySelector("#" + id);
    var current = document.getElementById(id);
    if (!next || !current) return;
    next.removeAttribute("hx-swap-oob");
    current.replaceWith(next);
  }

  // The rows in the order given, the changed ones new, the others those already shown.
  function applyDelta(delta) {
    var table = body();
    var have = {};
    Array.prototype.forEach.call(table.children, function (row) { if (row.id) have[row.id] = row; });
    var next = [];
    for (var i = 0; delta.ids && i < delta.ids.length; i++) {
      var row = delta.fresh[delta.ids[i]] || have[delta.ids[i]];
      if (!row) return false;
      next.push(row);
    }
    if (!delta.ids) return false;
    table.replaceChildren.apply(table, next);
    replaceById(delta.fragment, "queue-counts");
    replaceById(delta.fragment, "triage-banner");
    table.dispatchEvent(new CustomEvent("queue:rows", { bubbles: true }));
    return true;
  }

  function onConfigRequest(event) {
    var table = body();
    if (table && event.detail.elt === table) {
      event.detail.headers[VERSION] = table.getAttribute("data-version") || "";
    }
  }

  function onBeforeSwap(event) {
    var table = body();
    var xhr = event.detail.xhr;
    if (!table || event.detail.elt !== table || !xhr || xhr.status !== 200) return;
    var before = (table.getAttribute("data-version") || "").split(".")[0];
    var version = xhr.getResponseHeader(VERSION);
    if (version) table.setAttribute("data-version", version);
    var delta = xhr.getResponseHeader(DELTA) ? parseDelta(xhr.responseText) : null;
    take(xhr.responseText, delta ? urgentAfter(delta) : null);
    // Redrawn for the clock alone (same alerts, same rows): nothing moves, swap it in.
    var moved = !version || version.split(".")[0] !== before;
    if (!forcing && (held || (moved && readerBelowTop()))) {
      event.detail.shouldSwap = false;
      held = true;
      var notice = document.getElementById("queue-held");
      if (notice) notice.hidden = false;
      return;
    }
    forcing = false;
    if (delta) {
      event.detail.shouldSwap = false;
      if (!applyDelta(delta)) showChanges(); // a row it needs is not here: the whole body
    }
  }

  function setUpControls() {
    var sound = document.getElementById("queue-sound");
    if (sound) {
      sound.checked = localStorage.getItem(SOUND) === "on";
      sound.addEventListener("change", function () {
        localStorage.setItem(SOUND, sound.checked ? "on" : "off");
        if (sound.checked) beep(); // the sound it will make; also lets the page play it later
      });
    }
    var notify = document.getElementById("queue-notify");
    if (notify && "Notification" in window && Notification.permission === "default") {
      notify.hidden = false;
      notify.addEventListener("click", function () {
        Notification.requestPermission().then(function () { notify.hidden = true; });
      });
    }
    var show = document.getElementById("queue-show");
    if (show) show.addEventListener("click", showChanges);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!body()) return;
    take(document.getElementById("queue-counts").outerHTML + body().innerHTML);
    setUpControls();
    document.body.addEventListener("htmx:configRequest", onConfigRequest);
    document.body.addEventListener("htmx:beforeSwap", onBeforeSwap);
    window.addEventListener("scroll", function () {
      if (held && !readerBelowTop()) showChanges();
    }, { passive: true });
  });
})();
