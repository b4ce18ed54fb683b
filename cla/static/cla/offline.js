/* Field pages without a connection: installs the service worker that keeps the pages on the
   phone, keeps the visits waiting to be sent (localStorage, per user) and sends each of them
   once the connection is back, with a fresh CSRF token (the phone's copy of the form may carry
   an old one). Every visit carries its idempotency key: the server stores it once, however
   often it is sent. The fixed status bar at the bottom of the screen says what happened.
   Exposes window.KengeleQueue for the visit form (visit-form.js). */
(function () {
  "use strict";
  var bar = document.getElementById("offline-bar");
  if (!bar) {
    return;
  }
  var data = function (name) { return bar.getAttribute("data-" + name) || ""; };
  var storageKey = "kengele:cla-queue:" + data("user");
  var text = bar.querySelector("[data-bar-text]");
  var countBox = bar.querySelector("[data-bar-count-box]");
  var count = bar.querySelector("[data-bar-count]");
  var sendButton = bar.querySelector("[data-bar-send]");
  var fixButton = bar.querySelector("[data-bar-fix]");
  var link = bar.querySelector("[data-bar-link]");
  var closeButton = bar.querySelector("[data-bar-close]");
  var flushing = null;
  var listeners = [];

  /* --- The queue ---------------------------------------------------------------------- */

  function read() {
    try {
      var items = JSON.parse(window.localStorage.getItem(storageKey) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (error) {
      return [];
    }
  }

  function write(items) {
    try {
      if (items.length) {
        window.localStorage.setItem(storageKey, JSON.stringify(items));
      } else {
        window.localStorage.removeItem(storageKey);
      }
      return true;
    } catch (error) {
      return false; /* storage full or forbidden: the caller says so */
    }
  }

  function waiting() {
    return read().filter(function (item) { return !item.refused; });
  }

  function add(item) {
    var items = read().filter(function (other) { return other.key !== item.key; });
    items.push(item);
    return write(items);
  }

  function remove(key) {
    write(read().filter(function (item) { return item.key !== key; }));
  }

  function take(key) {
    var found = read().filter(function (item) { return item.key === key; })[0] || null;
    remove(key);
    return found;
  }

  /* --- The status bar ----------------------------------------------------------------- */

  function say(state, url) {
    var items = read();
    var refused = items.filter(function (item) { return item.refused; });
    if (!state) {
      state = refused.length ? "refused" : items.length ? "queued" : "";
    }
    bar.setAttribute("data-state", state);
    text.textContent = state ? data("msg-" + state) : "";
    count.textContent = String(items.length);
    countBox.hidden = !items.length;
    sendButton.hidden = !(items.length > refused.length) || state === "sending";
    fixButton.hidden = !refused.length || state === "sending";
    link.hidden = !(state === "sent" && url);
    if (url) {
      link.href = url;
    }
    bar.hidden = !state;
    document.body.classList.toggle("has-offline-bar", !bar.hidden);
  }

  closeButton.addEventListener("click", function () {
    if (read().length) {
      say();
    } else {
      say("");
    }
  });

  /* --- Sending ------------------------------------------------------------------------ */

  function Problem(kind) {
    this.kind = kind;
  }

  function freshToken() {
    return window.fetch(data("csrf-url"), {
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || type.indexOf("application/json") === -1 || response.redirected) {
        throw new Problem("login");
      }
      return response.json().then(function (answer) { return answer.token; });
    });
  }

  function sendOne(item, token) {
    var body = new FormData();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.append("csrfmiddlewaretoken", token);
    return window.fetch(item.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Kengele-Draft": "1", "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && type.indexOf("application/json") !== -1) {
        return response.json().then(function (answer) {
          remove(item.key);
          return { sent: true, url: answer.url, created: answer.created };
        });
      }
      if (response.status === 422) {
        var items = read();
        items.forEach(function (other) {
          if (other.key === item.key) {
            other.refused = true;
          }
        });
        write(items);
        return { refused: true, key: item.key };
      }
      if (response.status === 403 || response.redirected) {
        throw new Problem("login");
      }
      throw new Problem("server");
    });
  }

  function sendAll(only) {
    var items = waiting().filter(function (item) { return !only || item.key === only; });
    if (!items.length) {
      return Promise.resolve({});
    }
    say("sending");
    return freshToken().then(function (token) {
      var answer = {};
      var chain = Promise.resolve();
      items.forEach(function (item) {
        chain = chain.then(function () {
          return sendOne(item, token).then(function (result) {
            if (result.sent || only) {
              answer = result;
            }
          });
        });
      });
      return chain.then(function () { return answer; });
    });
  }

  /* One sending at a time, across the tabs of the phone too where the browser allows it. */
  function flush(only) {
    if (flushing) {
      return flushing;
    }
    var run = function () { return sendAll(only); };
    var locked = navigator.locks && navigator.locks.request
      ? navigator.locks.request("kengele-cla-queue", run)
      : run();
    flushing = locked.then(function (result) {
      var refused = read().some(function (item) { return item.refused; });
      if (result.sent) {
        say(refused ? "refused" : "sent", result.url);
      } else {
        say();
      }
      listeners.forEach(function (fn) { fn(result); });
      return result;
    }, function (problem) {
      say(problem instanceof Problem ? problem.kind : "queued");
      return { failed: problem instanceof Problem ? problem.kind : "offline" };
    }).then(function (result) {
      flushing = null;
      if (!result.failed && waiting().length && !only) {
        window.setTimeout(flush, 0); /* a visit recorded while this sending ran */
      }
      return result;
    });
    return flushing;
  }

  sendButton.addEventListener("click", function () { flush(); });
  fixButton.addEventListener("click", function () {
    var refused = read().filter(function (item) { return item.refused; })[0];
    if (!refused) {
      return;
    }
    if (window.KengeleQueue.onFix) {
      window.KengeleQueue.onFix(refused);
    } else {
      window.location.assign(data("form-url") + "#fix");
    }
  });
  window.addEventListener("online", function () { flush(); });
  /* navigator.onLine says little on a poor connection: try again now and then. */
  window.setInterval(function () {
    if (waiting().length && navigator.onLine !== false) {
      flush();
    }
  }, 60000);

  /* --- The service worker, and forgetting on logout ----------------------------------- */

  function forget() {
    var steps = [];
    if (window.caches) {
      steps.push(window.caches.keys().then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf("kengele-cla-") === 0;
        }).map(function (name) { return window.caches.delete(name); }));
      }));
    }
    if (navigator.serviceWorker) {
      steps.push(navigator.serviceWorker.getRegistrations().then(function (registrations) {
        return Promise.all(registrations.filter(function (registration) {
          return /\/cla\/$/.test(registration.scope);
        }).map(function (registration) {
          return registration.unregister();
        }));
      }));
    }
    return Promise.all(steps);
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.logout"), function (logout) {
    logout.addEventListener("submit", function (event) {
      event.preventDefault();
      var leave = function () { HTMLFormElement.prototype.submit.call(logout); };
      forget().then(leave, leave);
      window.setTimeout(leave, 2000);
    });
  });

  if (navigator.serviceWorker && data("may-record") === "true") {
    navigator.serviceWorker.register(data("sw-url"), { scope: data("scope") }).catch(function () {
      /* no worker (private mode, old phone): the page works online, the queue still keeps */
    });
  }

  window.KengeleQueue = {
    add: add,
    take: take,
    read: read,
    flush: flush,
    say: say,
    forget: forget,
    onSent: function (fn) { listeners.push(fn); },
    onFix: null
  };

  say();
  if (waiting().length && navigator.onLine !== false) {
    flush();
  }
})();
