// privlex report: scenario tabs and filters. Plain JavaScript, no libraries; every page works without it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function normalise(text) {
    return (text || "").toLowerCase().replace(/\s+/g, " ").trim();
  }

  function words(text) {
    var clean = normalise(text);
    return clean ? clean.split(" ") : [];
  }

  function matches(haystack, query) {
    var wanted = words(query);
    for (var i = 0; i < wanted.length; i++) {
      if (haystack.indexOf(wanted[i]) < 0) { return false; }
    }
    return true;
  }

  function reveal(selector) {
    var found = document.querySelectorAll(selector);
    for (var i = 0; i < found.length; i++) { found[i].hidden = false; }
  }

  // Matrix pages: one scenario at a time, chosen by the tabs (and the address's #fragment).
  function setUpTabs() {
    var sections = document.querySelectorAll("section.scenario");
    var tabs = document.querySelectorAll(".scenario-tabs a[data-scenario]");
    if (!sections.length || !tabs.length) { return; }
    function show(id) {
      var known = false;
      for (var i = 0; i < sections.length; i++) {
        if (sections[i].getAttribute("data-scenario") === id) { known = true; }
      }
      if (!known) { id = sections[0].getAttribute("data-scenario"); }
      for (var j = 0; j < sections.length; j++) {
        sections[j].hidden = sections[j].getAttribute("data-scenario") !== id;
      }
      for (var k = 0; k < tabs.length; k++) {
        if (tabs[k].getAttribute("data-scenario") === id) {
          tabs[k].setAttribute("aria-current", "true");
        } else {
          tabs[k].removeAttribute("aria-current");
        }
      }
    }
    for (var i = 0; i < tabs.length; i++) {
      tabs[i].addEventListener("click", function (event) {
        var id = this.getAttribute("data-scenario");
        event.preventDefault();
        if (window.history && window.history.replaceState) {
          window.history.replaceState(null, "", "#s-" + id);
        }
        show(id);
      });
    }
    window.addEventListener("hashchange", function () { show(window.location.hash.replace(/^#s-/, "")); });
    show(window.location.hash.replace(/^#s-/, ""));
  }

  // Matrix pages: show only the rows whose places match the filter.
  function setUpRegionFilter() {
    var input = document.getElementById("region-filter");
    if (!input) { return; }
    var count = input.parentNode.querySelector(".filter-count");
    function apply() {
      var query = input.value;
      var rows = document.querySelectorAll("table.matrix tbody tr[data-search]");
      var shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var hit = matches(rows[i].getAttribute("data-search") + " " + normalise(rows[i].getAttribute("data-regions")), query);
        rows[i].hidden = !hit;
        if (hit) { shown++; }
      }
      var bodies = document.querySelectorAll("table.matrix tbody");
      for (var j = 0; j < bodies.length; j++) {
        bodies[j].hidden = !bodies[j].querySelector("tr[data-search]:not([hidden])");
      }
      var sections = document.querySelectorAll("section.scenario").length || 1;
      if (count) { count.textContent = query ? (shown / sections) + " rows shown" : ""; }
    }
    input.addEventListener("input", apply);
  }

  // The search page: filter every rule by the words typed, or by ?q= in the address.
  function setUpSearch() {
    var input = document.getElementById("rule-search");
    if (!input) { return; }
    var count = input.parentNode.querySelector(".filter-count");
    var items = document.querySelectorAll(".search-results li[data-search]");
    function apply() {
      var shown = 0;
      for (var i = 0; i < items.length; i++) {
        var hit = matches(items[i].getAttribute("data-search"), input.value);
        items[i].hidden = !hit;
        if (hit) { shown++; }
      }
      if (count) { count.textContent = shown + " of " + items.length + " shown"; }
    }
    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) { input.value = params.get("q"); }
    var header = document.getElementById("site-search");
    if (header && params.get("q")) { header.value = params.get("q"); }
    input.addEventListener("input", apply);
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    reveal("[data-needs-script]");
    setUpTabs();
    setUpRegionFilter();
    setUpSearch();
  });
})();
