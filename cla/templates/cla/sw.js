/* Service worker of the field pages: keeps the visit form, the visit list, the follow-ups and
   their static files on the phone, so they open without a connection once they have been
   opened with one. Pages come from the network first (the phone's copy after a few seconds on
   a poor connection, or with none); static files from the phone's copy, refreshed behind.
   Pages holding focal points' names or numbers are never kept, and a page that answers with
   the login form (session ended, logged out) empties the copies. Sending is not done here:
   the pages queue visits themselves (cla/offline.js). */
"use strict";

var PREFIX = "kengele-cla-";
var CACHE = PREFIX + "{{ version }}";
var PAGES = {{ pages|safe }};
var ASSETS = {{ assets|safe }};
var LOGIN = {{ login_url|safe }};
var PAGE_TIMEOUT_MS = {{ timeout_ms }};

function forgetAll() {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PREFIX) === 0;
    }).map(function (name) { return caches.delete(name); }));
  });
}

function keepable(response) {
  return response && response.status === 200 && response.type === "basic" &&
    !(response.redirected && new URL(response.url).pathname === LOGIN);
}

function loggedOut(response) {
  /* A kept page that now redirects (to the login form) means the session is over. */
  return response && (response.type === "opaqueredirect" ||
    (response.redirected && new URL(response.url).pathname === LOGIN));
}

function keepPage(cache, path) {
  return fetch(path, { credentials: "same-origin" }).then(function (response) {
    if (keepable(response)) {
      return cache.put(path, response);
    }
    return undefined;
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(ASSETS).then(function () {
      return Promise.all(PAGES.map(function (path) {
        return keepPage(cache, path).catch(function () { /* kept on the next visit */ });
      }));
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PREFIX) === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  if (event.data === "forget") {
    event.waitUntil(forgetAll().then(function () {
      if (event.ports[0]) {
        event.ports[0].postMessage("forgotten");
      }
    }));
  }
});

/* The phone's copy of a page, marked as such (tests and support read the header). */
function kept(cache, path) {
  return cache.match(path).then(function (copy) {
    if (!copy) {
      return copy;
    }
    var headers = new Headers(copy.headers);
    headers.set("X-Kengele-Copy", "phone");
    return new Response(copy.body, { status: copy.status, statusText: copy.statusText, headers: headers });
  });
}

function page(request, path) {
  return caches.open(CACHE).then(function (cache) {
    return new Promise(function (resolve) {
      var answered = false;
      function answer(response) {
        if (!answered && response) {
          answered = true;
          resolve(response);
        }
      }
      var network = fetch(request).then(function (response) {
        if (loggedOut(response)) {
          forgetAll();
        } else if (keepable(response)) {
          cache.put(path, response.clone());
        }
        return response;
      });
      network.then(answer, function () {
        kept(cache, path).then(function (copy) { answer(copy || Response.error()); });
      });
      setTimeout(function () { kept(cache, path).then(answer); }, PAGE_TIMEOUT_MS);
    });
  });
}

function asset(request, path) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(path).then(function (kept) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) {
          cache.put(path, response.clone());
        }
        return response;
      });
      if (kept) {
        fresh.catch(function () { /* offline: the kept copy serves */ });
        return kept;
      }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.search) {
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(asset(request, url.pathname));
  } else if (request.mode === "navigate" && PAGES.indexOf(url.pathname) !== -1) {
    event.respondWith(page(request, url.pathname));
  }
});
