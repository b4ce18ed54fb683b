/* On the login page, nobody is logged in: the field pages kept on this phone (cla/sw.js) belong
   to a session that is over, wherever it ended, so they and their service worker go. Visits
   waiting to be sent stay: they are sent under their own user after the next login. */
(function () {
  "use strict";
  if (window.caches) {
    window.caches.keys().then(function (names) {
      names.forEach(function (name) {
        if (name.indexOf("kengele-cla-") === 0) {
          window.caches.delete(name);
        }
      });
    });
  }
  if (navigator.serviceWorker) {
    navigator.serviceWorker.getRegistrations().then(function (registrations) {
      registrations.forEach(function (registration) {
        if (/\/cla\/$/.test(registration.scope)) {
          registration.unregister();
        }
      });
    });
  }
})();
