/* Visit form: add recruit and follow-up rows, keep the form being filled as a draft on the
   phone, and on "Record" hand the visit to the queue of cla/offline.js, which keeps it on the
   phone until the server has it. The visit carries its idempotency key, so sending it twice
   never makes two visits; a new form gets a new key from the phone itself, since the page may
   be the phone's copy, opened without a connection. */
(function () {
  "use strict";
  var form = document.querySelector("form.visit-form");
  if (!form) {
    return;
  }
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var MANAGEMENT = /-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/;

  /* --- Formset rows ------------------------------------------------------------------- */

  function setUpFormset(section) {
    var prefix = section.getAttribute("data-formset");
    var total = form.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var max = form.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    var template = section.querySelector("template[data-formset-empty]");
    var rows = section.querySelector("[data-formset-rows]");
    var button = section.querySelector("[data-formset-add]");
    function add() {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        return false;
      }
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
      return true;
    }
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        add();
        save();
      });
    }
    var initial = parseInt(total.value, 10);
    function clear() {
      while (rows.children.length > initial) {
        rows.removeChild(rows.lastElementChild);
      }
      total.value = String(initial);
    }
    return { prefix: prefix, total: total, add: add, clear: clear };
  }
  var formsets = [];
  each(form.querySelectorAll("[data-formset]"), function (section) {
    formsets.push(setUpFormset(section));
  });

  /* --- Drafts ------------------------------------------------------------------------- */

  var draftName = form.getAttribute("data-draft");
  var queue = window.KengeleQueue;
  if (!draftName || !queue) {
    return;
  }
  var storageKey = "kengele:" + draftName;
  var notice = document.getElementById("draft-notice");
  var noticeText = notice.querySelector("[data-draft-text]");
  var discardButton = notice.querySelector("[data-draft-discard]");
  var keyField = form.querySelector('input[name="idempotency_key"]');
  var submitButton = form.querySelector('button[type="submit"]');

  function read() {
    try {
      return JSON.parse(window.localStorage.getItem(storageKey) || "null");
    } catch (error) {
      return null;
    }
  }

  function write(draft) {
    try {
      if (draft) {
        window.localStorage.setItem(storageKey, JSON.stringify(draft));
      } else {
        window.localStorage.removeItem(storageKey);
      }
    } catch (error) {
      /* Storage full or forbidden: the form still works, only without a draft. */
    }
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function snapshot() {
    var fields = [];
    each(form.elements, function (el) {
      if (!el.name || el.disabled || el.name === "csrfmiddlewaretoken") {
        return;
      }
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) {
          fields.push([el.name, el.value]);
        }
      } else if (el.type === "select-multiple") {
        each(el.options, function (option) {
          if (option.selected) {
            fields.push([el.name, option.value]);
          }
        });
      } else if (el.type !== "submit" && el.type !== "button" && el.type !== "file") {
        fields.push([el.name, el.value]);
      }
    });
    return fields;
  }

  function save() {
    write({ fields: snapshot(), savedAt: Date.now() });
  }

  function restore(fields) {
    var values = {};
    fields.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    formsets.forEach(function (formset) {
      var wanted = parseInt((values[formset.prefix + "-TOTAL_FORMS"] || ["0"])[0], 10);
      while (parseInt(formset.total.value, 10) < wanted && formset.add()) {
        /* add rows until the draft's rows fit */
      }
    });
    each(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || MANAGEMENT.test(el.name)) {
        return;
      }
      var saved = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = Boolean(saved) && saved.indexOf(el.value) !== -1;
      } else if (el.type === "select-multiple") {
        each(el.options, function (option) {
          option.selected = Boolean(saved) && saved.indexOf(option.value) !== -1;
        });
      } else if (saved !== undefined && el.type !== "submit" && el.type !== "button") {
        el.value = saved[0];
      }
    });
  }

  function show(message) {
    noticeText.textContent = message;
    discardButton.hidden = false;
    notice.hidden = false;
  }

  /* A blank form with a new key, for the next visit. */
  function startAfresh() {
    form.reset();
    formsets.forEach(function (formset) { formset.clear(); });
    keyField.value = newKey();
    write(null);
    notice.hidden = true;
    each(form.querySelectorAll("details.step"), function (step, index) {
      step.open = index === 0;
    });
    window.scrollTo(0, 0);
  }

  /* The server refused a visit as it stands: send it the ordinary way, with a fresh token, so
     the page that comes back says what to fix. It stays a draft until then. */
  function submitToCorrect(fields) {
    restore(fields);
    save();
    window.fetch(bar("csrf-url"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        form.querySelector('input[name="csrfmiddlewaretoken"]').value = answer.token;
        HTMLFormElement.prototype.submit.call(form);
      })
      .catch(function () { queue.say("queued"); });
  }

  function bar(name) {
    return document.getElementById("offline-bar").getAttribute("data-" + name);
  }

  queue.onFix = function (item) {
    queue.take(item.key);
    submitToCorrect(item.fields);
  };

  function record() {
    var item = { key: keyField.value, fields: snapshot(), action: form.action, savedAt: Date.now() };
    if (!queue.add(item)) {
      /* No room on the phone: send the ordinary way, the page says what happened. */
      show(form.getAttribute("data-msg-full"));
      HTMLFormElement.prototype.submit.call(form);
      return;
    }
    write(null);
    submitButton.disabled = true;
    var done = function () { submitButton.disabled = false; };
    if (navigator.onLine === false) {
      startAfresh();
      queue.say("queued");
      done();
      return;
    }
    queue.flush(item.key).then(function (result) {
      done();
      if (result.sent && result.url) {
        window.location.assign(result.url);
      } else if (result.refused) {
        queue.onFix(item);
      } else {
        startAfresh();
        queue.say(result.failed === "login" ? "login" : result.failed === "server" ? "server" : "queued");
      }
    });
  }

  form.addEventListener("input", function () { save(); });
  form.addEventListener("change", function () { save(); });
  if (window.fetch && window.FormData) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      record();
    });
  }
  discardButton.addEventListener("click", function () {
    startAfresh();
  });

  var draft = read();
  if (draft && draft.pending && draft.fields) {
    /* Kept by an older version of this page as "not sent": it joins the queue. */
    var fields = draft.fields;
    var key = (fields.filter(function (pair) { return pair[0] === "idempotency_key"; })[0] || [])[1];
    if (key) {
      queue.add({ key: key, fields: fields, action: form.action, savedAt: draft.savedAt || Date.now() });
    }
    write(null);
    draft = null;
    queue.say();
  }
  if (form.hasAttribute("data-bound")) {
    /* The server sent the form back with its errors: what it shows is the latest draft. */
    save();
  } else if (draft && draft.fields) {
    restore(draft.fields);
    show(form.getAttribute("data-msg-restored"));
  } else {
    /* The page may be the phone's copy: its key may already have been used. */
    keyField.value = newKey();
  }
  var refused = queue.read().filter(function (item) { return item.refused; })[0];
  if (refused && window.location.hash === "#fix") {
    queue.onFix(refused);
  }
})();
