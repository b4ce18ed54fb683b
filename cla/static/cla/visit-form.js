/* Visit form: add recruit and follow-up rows, keep the form as a draft on the phone, and when
   sending fails (no connection, server unreachable) keep it and offer to send it again. The
   draft carries the visit's idempotency key, so sending it twice never makes two visits. */
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
    return { prefix: prefix, total: total, add: add };
  }
  var formsets = [];
  each(form.querySelectorAll("[data-formset]"), function (section) {
    formsets.push(setUpFormset(section));
  });

  /* --- Drafts ------------------------------------------------------------------------- */

  var draftName = form.getAttribute("data-draft");
  if (!draftName) {
    return;
  }
  var storageKey = "kengele:" + draftName;
  var notice = document.getElementById("draft-notice");
  var noticeText = notice.querySelector("[data-draft-text]");
  var resendButton = notice.querySelector("[data-draft-resend]");
  var discardButton = notice.querySelector("[data-draft-discard]");
  var sending = false;

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

  function save(pending) {
    var previous = read();
    write({
      fields: snapshot(),
      savedAt: Date.now(),
      pending: pending === undefined ? Boolean(previous && previous.pending) : pending
    });
  }

  function restore(draft) {
    var values = {};
    draft.fields.forEach(function (pair) {
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

  function show(message, offerResend) {
    noticeText.textContent = message;
    resendButton.hidden = !offerResend;
    discardButton.hidden = false;
    notice.hidden = false;
  }

  function hide() {
    notice.hidden = true;
  }

  function failed(message) {
    sending = false;
    save(true);
    show(message, true);
  }

  function send() {
    if (sending) {
      return;
    }
    sending = true;
    save(true); /* pending until the server says it is stored */
    show(form.getAttribute("data-msg-sending"), false);
    window.fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Kengele-Draft": "1", "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && type.indexOf("application/json") !== -1) {
        return response.json().then(function (answer) {
          write(null);
          window.location.assign(answer.url);
        });
      }
      if (response.status >= 500) {
        failed(form.getAttribute("data-msg-server"));
        return;
      }
      /* Refused as it stands (a mistake in the form, a session that ended): send it the
         ordinary way, so the page that comes back says what to fix. The draft stays. */
      sending = false;
      HTMLFormElement.prototype.submit.call(form);
    }).catch(function () {
      failed(form.getAttribute("data-msg-offline"));
    });
  }

  form.addEventListener("input", function () { save(); });
  form.addEventListener("change", function () { save(); });
  if (window.fetch && window.FormData) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send();
    });
  }
  resendButton.addEventListener("click", send);
  discardButton.addEventListener("click", function () {
    write(null);
    hide();
    window.location.reload();
  });
  window.addEventListener("online", function () {
    var draft = read();
    if (draft && draft.pending && !sending) {
      show(form.getAttribute("data-msg-online"), true);
    }
  });

  var draft = read();
  if (form.hasAttribute("data-bound")) {
    /* The server sent the form back with its errors: what it shows is the latest draft. */
    save(false);
  } else if (draft && draft.fields) {
    restore(draft);
    show(
      draft.pending ? form.getAttribute("data-msg-offline") : form.getAttribute("data-msg-restored"),
      Boolean(draft.pending)
    );
  }
})();
