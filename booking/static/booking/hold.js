// The booking page holds its time as it opens: a POST (never the link's GET, which crawlers and link
// previews follow too), answered with the countdown, or with why not and the nearest other times.
// Without JavaScript the same form is a "Hold it for me" button; the booking works either way.
(function () {
  "use strict";
  var form = document.querySelector("form[data-hold]");
  if (!form || !window.fetch) return;
  var box = form.closest("[data-hold-box]") || form.parentNode;
  form.setAttribute("aria-busy", "true");
  window
    .fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    })
    .then(function (response) {
      return response.text();
    })
    .then(function (html) {
      box.innerHTML = html;
      box.dispatchEvent(new CustomEvent("booking:held", { bubbles: true }));
    })
    .catch(function () {
      // Offline or a server hiccup: leave the button; the form still books the time if it is free.
      form.removeAttribute("aria-busy");
    });
})();
