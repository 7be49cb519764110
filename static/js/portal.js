/* Clinic portal behaviour, kept out of the templates so the Content-Security-Policy needs no inline script. */
(function () {
  "use strict";

  // <select data-autosubmit>: choosing an option submits its form (a <noscript> button does it without JS).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("[data-autosubmit]") && el.form) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
    // Booking for a patient who phoned: the chosen service travels with the booking form (the lookup form
    // is a separate GET form).
    if (el && el.id === "id_service") {
      var target = document.getElementById("id_booking_service");
      if (target) target.value = el.value;
    }
  });

  // <input data-select-on-click>: one click selects the whole value, ready to copy (calendar feed addresses).
  document.addEventListener("click", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("[data-select-on-click]")) el.select();
  });
})();
