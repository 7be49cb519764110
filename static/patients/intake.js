/* The body map of "Tell us what hurts" (templates/patients/step_where.html). Without this script each region's
   button submits the step and the server turns the region on or off; with it, the button ticks the same region's
   box in the list below (the list is what the form sends) and the drawing follows, without leaving the page. */
(function () {
  "use strict";
  function start() {
    var map = document.querySelector("[data-body-map]");
    if (!map) return;
    var form = map.closest("form");
    function box(region) {
      return form.querySelector("input[type=checkbox][name=region][value='" + region + "']");
    }
    function show(region, chosen) {
      map.querySelectorAll("[data-region-toggle='" + region + "']").forEach(function (button) {
        button.setAttribute("aria-pressed", chosen ? "true" : "false");
      });
      map.querySelectorAll("[data-region='" + region + "']").forEach(function (part) {
        part.classList.toggle("is-chosen", chosen);
      });
    }
    map.addEventListener("click", function (event) {
      var button = event.target.closest("[data-region-toggle]");
      if (!button) return;
      var input = box(button.getAttribute("data-region-toggle"));
      if (!input) return;
      event.preventDefault();
      input.checked = !input.checked;
      show(input.value, input.checked);
    });
    form.addEventListener("change", function (event) {
      var input = event.target;
      if (input.name === "region") show(input.value, input.checked);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
