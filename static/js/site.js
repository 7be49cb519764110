/* PainHero: the city autocomplete, "Near me", and the Leaflet maps. No build step. */
(function () {
  "use strict";

  var fr = (document.documentElement.lang || "en").indexOf("fr") === 0;
  var text = fr
    ? {
        locating: "Recherche de votre position…",
        denied: "Nous n’avons pas accès à votre position. Autorisez-la dans votre navigateur, ou tapez une ville.",
        unavailable: "Votre position n’est pas disponible pour le moment. Tapez une ville à la place.",
        unsupported: "Votre navigateur ne peut pas donner votre position. Tapez une ville à la place.",
        noMatch: "Aucune ville trouvée",
        results: function (n) { return n + (n > 1 ? " villes proposées" : " ville proposée"); },
        clinics: function (n) { return n + (n > 1 ? " cliniques" : " clinique"); },
        pickCity: "Choisissez une ville dans la liste ou tapez son nom au complet.",
      }
    : {
        locating: "Finding your location…",
        denied: "We can’t use your location. Allow it in your browser, or type a city.",
        unavailable: "Your location isn’t available right now. Type a city instead.",
        unsupported: "Your browser can’t share your location. Type a city instead.",
        noMatch: "No matching city",
        results: function (n) { return n + (n === 1 ? " city suggested" : " cities suggested"); },
        clinics: function (n) { return n + (n === 1 ? " clinic" : " clinics"); },
        pickCity: "Pick a city from the list or type its full name.",
      };

  /* --- City autocomplete: an ARIA 1.2 combobox with a listbox popup --------------------------- */
  function setupCombobox(form) {
    var input = form.querySelector("[role=combobox]");
    var list = form.querySelector("[role=listbox]");
    var slugField = form.querySelector("[data-city-slug]");
    if (!input || !list) return;
    var status = form.querySelector("[data-combobox-status]");
    var active = -1;
    var options = [];
    var timer = null;
    var lastQuery = null;
    var controller = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (!options.length) return close();
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function highlight(index) {
      options.forEach(function (el, i) { el.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(el) {
      input.value = el.dataset.name;
      slugField.value = el.dataset.slug;
      close();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }

    function render(cities) {
      list.textContent = "";
      options = cities.map(function (city, i) {
        var li = document.createElement("li");
        li.id = "where-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = "combobox__option";
        var name = fr && city.name_fr ? city.name_fr : city.name;
        li.dataset.name = name;
        li.dataset.slug = city.slug;
        var strong = document.createElement("span");
        strong.className = "combobox__name";
        strong.textContent = name;
        var meta = document.createElement("span");
        meta.className = "combobox__meta";
        meta.textContent = city.province + (city.clinic_count ? " · " + text.clinics(city.clinic_count) : "");
        li.appendChild(strong);
        li.appendChild(meta);
        // mousedown, not click: it comes before the input's blur closes the list.
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(li); });
        list.appendChild(li);
        return li;
      });
      if (!options.length) {
        var none = document.createElement("li");
        none.className = "combobox__empty";
        none.setAttribute("aria-disabled", "true");
        none.textContent = text.noMatch;
        list.appendChild(none);
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        open();
      }
      if (status) status.textContent = options.length ? text.results(options.length) : text.noMatch;
    }

    function lookup() {
      var q = input.value.trim();
      if (q === lastQuery) return;
      lastQuery = q;
      if (q.length < 2) { options = []; list.textContent = ""; close(); return; }
      if (controller) controller.abort();
      controller = "AbortController" in window ? new AbortController() : null;
      var url = input.dataset.autocompleteUrl + "?limit=8&q=" + encodeURIComponent(q);
      fetch(url, { headers: { Accept: "application/json" }, signal: controller && controller.signal })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (cities) { if (input.value.trim() === q) render(Array.isArray(cities) ? cities : []); })
        .catch(function () { /* aborted or offline: the form still submits the typed name */ });
    }

    input.addEventListener("input", function () {
      slugField.value = "";
      clearTimeout(timer);
      timer = setTimeout(lookup, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { lastQuery = null; lookup(); open(); }
        if (options.length) highlight((active + 1) % options.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (options.length) highlight(active <= 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) { event.preventDefault(); choose(options[active]); }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); } else { input.value = ""; slugField.value = ""; }
      } else if (event.key === "Home" || event.key === "End") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });

    form.addEventListener("submit", function () {
      // Send only what was chosen: a picked city as its slug, else the typed name for the server to
      // match; and no empty fields, so the address stays short and shareable.
      if (slugField.value) input.disabled = true;
      var off = [input].concat(Array.prototype.filter.call(form.elements, function (el) { return el.name && el.value === ""; }));
      off.forEach(function (el) { if (el !== input || slugField.value) el.disabled = true; });
      setTimeout(function () { off.forEach(function (el) { el.disabled = false; }); }, 0);
    });
  }

  /* --- Near me ------------------------------------------------------------------------------- */
  function setupNearMe(form) {
    var button = form.querySelector("[data-near-me]");
    var status = form.querySelector("[data-geo-status]");
    if (!button) return;
    button.addEventListener("click", function () {
      function say(message) { status.textContent = message; status.classList.toggle("is-error", message !== text.locating); }
      if (!("geolocation" in navigator)) return say(text.unsupported);
      say(text.locating);
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var params = new URLSearchParams();
          params.set("lat", position.coords.latitude.toFixed(5));
          params.set("lng", position.coords.longitude.toFixed(5));
          var discipline = form.querySelector("[name=discipline]");
          if (discipline && discipline.value) params.set("discipline", discipline.value);
          var technique = form.querySelector("[name=technique]");
          if (technique && technique.value) params.set("technique", technique.value);
          window.location.assign(button.dataset.searchUrl + "?" + params.toString());
        },
        function (error) {
          button.disabled = false;
          say(error.code === 1 ? text.denied : text.unavailable);
          form.querySelector("[role=combobox]").focus();
        },
        { timeout: 10000, maximumAge: 300000 }
      );
    });
  }

  /* --- Maps ---------------------------------------------------------------------------------- */
  function baseMap(el, options) {
    var settings = Object.assign({ scrollWheelZoom: false }, options || {});
    // The zoom buttons' titles come translated from the page (data-zoom-in-title): Leaflet's own are English.
    var zoomControl = settings.zoomControl !== false;
    settings.zoomControl = false;
    var map = L.map(el, settings);
    if (zoomControl) {
      L.control.zoom({
        zoomInTitle: el.dataset.zoomInTitle || "Zoom in",
        zoomOutTitle: el.dataset.zoomOutTitle || "Zoom out",
      }).addTo(map);
    }
    // Without a tile URL (or offline) the map still shows its markers on a plain background.
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    return map;
  }

  function pin(label, extra) {
    return L.divIcon({ className: "map-pin" + (extra ? " " + extra : ""), html: "<span><b>" + label + "</b></span>", iconSize: [30, 30], iconAnchor: [15, 30], popupAnchor: [0, -28] });
  }

  var resultsMap = null;
  var resultsLayer = null;

  function drawResults() {
    var el = document.querySelector("[data-results-map]");
    var dataEl = document.getElementById("map-data");
    if (!el || typeof L === "undefined") return;
    if (!dataEl) { el.hidden = true; return; }
    el.hidden = false;
    var data = JSON.parse(dataEl.textContent);
    if (!resultsMap) {
      resultsMap = baseMap(el);
      resultsLayer = L.layerGroup().addTo(resultsMap);
    }
    resultsLayer.clearLayers();
    var bounds = [];
    data.markers.forEach(function (m, i) {
      var marker = L.marker([m.lat, m.lng], { icon: pin(String(i + 1)), title: m.name, keyboard: false });
      var link = document.createElement("a");
      link.href = m.url;
      link.textContent = m.name;
      marker.bindPopup(link);
      resultsLayer.addLayer(marker);
      bounds.push([m.lat, m.lng]);
    });
    if (data.center) {
      resultsLayer.addLayer(L.circleMarker(data.center, { radius: 6, color: "#0b5d56", fillColor: "#fff", fillOpacity: 1, weight: 3, interactive: false }));
      bounds.push(data.center);
    }
    resultsBounds = bounds;
    fitResults();
  }

  var resultsBounds = [];
  function fitResults() {
    resultsMap.invalidateSize();
    if (resultsBounds.length > 1) resultsMap.fitBounds(resultsBounds, { padding: [28, 28], maxZoom: 15 });
    else if (resultsBounds.length === 1) resultsMap.setView(resultsBounds[0], 13);
    else resultsMap.setView([56, -96], 3);
  }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    // The map changes shape between phone and desktop layouts: keep every clinic in view.
    if (!resultsMap) return;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(fitResults, 150);
  });

  function drawClinicMap() {
    var el = document.querySelector("[data-clinic-map]");
    if (!el || typeof L === "undefined") return;
    var point = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
    var map = baseMap(el, { zoomControl: true, dragging: !L.Browser.mobile, keyboard: false });
    map.setView(point, 15);
    L.marker(point, { icon: pin("", "map-pin--clinic"), title: el.dataset.name, keyboard: false }).addTo(map);
  }

  /* --- htmx: tidy URLs and a busy state ------------------------------------------------------ */
  document.addEventListener("htmx:configRequest", function (event) {
    // Empty filters stay out of the URL, so shared links are short and readable.
    var params = event.detail.parameters;
    var empty = [];
    if (params && typeof params.forEach === "function") {
      params.forEach(function (value, key) { if (value === "") empty.push(key); });
      empty.forEach(function (key) { params.delete(key); });
    } else if (params) {
      Object.keys(params).forEach(function (key) { if (params[key] === "") delete params[key]; });
    }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var results = document.getElementById("results");
    if (results) results.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var results = document.getElementById("results");
    if (!results || event.detail.target !== results) return;
    results.setAttribute("aria-busy", "false");
    drawResults();
    // After paging, bring the top of the new list into view without stealing focus from the filters.
    if (event.detail.requestConfig && event.detail.requestConfig.elt && event.detail.requestConfig.elt.closest(".pager")) {
      results.scrollIntoView({ behavior: "smooth", block: "start" });
      var title = results.querySelector(".results__title");
      if (title) { title.setAttribute("tabindex", "-1"); title.focus({ preventScroll: true }); }
    }
  });
  function init() {
    // On a phone the filters start folded so the results come first; they open with one tap.
    var toggle = document.querySelector("[data-filters-toggle]");
    if (toggle && window.matchMedia("(max-width: 640px)").matches && !document.getElementById("search-error")) toggle.open = false;
    // The results map comes closed (the list first on a phone); a wide screen shows it beside the list.
    var mapToggle = document.querySelector("[data-map-toggle]");
    if (mapToggle) {
      if (window.matchMedia("(min-width: 901px)").matches) mapToggle.open = true;
      mapToggle.addEventListener("toggle", function () { if (mapToggle.open && resultsMap) fitResults(); });
    }
    document.querySelectorAll("[data-city-search]").forEach(function (form) { setupCombobox(form); setupNearMe(form); });
    drawResults();
    drawClinicMap();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
