// The dashboard's page script: charts from the shared templates (specs.js) and this page's data, drawn as they
// come into view (all of them before printing), the language switch, and searching and sorting the table of units. Runs offline: Vega, Vega-Lite and
// vega-embed come from vega.js next to this file. Number formats follow dashboards/i18n.py.
(function () {
  "use strict";

  var STORE = "jeugdmonitor-taal";
  var MENU = {
    nl: { SVG_ACTION: "Opslaan als SVG", PNG_ACTION: "Opslaan als PNG", CLICK_TO_VIEW_ACTIONS: "Klik voor acties" },
    en: { SVG_ACTION: "Save as SVG", PNG_ACTION: "Save as PNG", CLICK_TO_VIEW_ACTIONS: "Click to view actions" },
  };
  var page = JSON.parse(document.getElementById("page-data").textContent);
  var views = new Map();
  var language = initialLanguage();

  function initialLanguage() {
    var asked = new URLSearchParams(window.location.search).get("lang");
    if (asked === "nl" || asked === "en") return asked;
    try {
      var stored = window.localStorage.getItem(STORE);
      if (stored === "nl" || stored === "en") return stored;
    } catch (error) {
      // Storage can be off (private windows, file:// in some browsers): the default language stays.
    }
    return document.documentElement.getAttribute("data-default-lang") || "nl";
  }

  function formatValue(value, unit, lang, signed) {
    var digits = unit === "aantal" || unit === "euro" ? 0 : 1;
    var number = new Intl.NumberFormat(lang === "nl" ? "nl-NL" : "en-GB", {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(Math.abs(value));
    var text = number;
    if (unit === "euro") text = lang === "nl" ? "€\u00a0" + number : "€" + number;
    else if (unit === "%" && signed) text = number + (lang === "nl" ? "\u00a0%-punt" : "\u00a0pp");
    else if (unit === "%") text = lang === "nl" ? number + "\u00a0%" : number + "%";
    var sign = value < 0 ? "-" : "";
    if (signed) sign = value > 0 ? "+" : value < 0 ? "-" : "\u00b1";
    return sign + text;
  }

  function render(element) {
    var chart = page.charts[element.getAttribute("data-chart")];
    if (!chart) return Promise.resolve();
    // A map draws a ranking's rows on the wijk boundaries: same data, template map/ instead of rank/.
    var template = element.getAttribute("data-template");
    var key = template ? chart.spec.replace(/^rank\//, template + "/") : chart.spec;
    var spec = JSON.parse(JSON.stringify(window.MONITOR_SPECS[language][key]));
    if (template === "map") spec.datasets = { geo: window.MONITOR_GEO.features, values: chart.rows };
    else spec.data = { name: "values", values: chart.rows };
    spec.description = chart.alt[language];
    var previous = views.get(element);
    if (previous) previous.finalize();
    var locale = window.MONITOR_LOCALES[language];
    return window
      .vegaEmbed(element, spec, {
        renderer: "svg",
        actions: { export: true, source: false, compiled: false, editor: false },
        formatLocale: locale.format,
        timeFormatLocale: locale.time,
        i18n: MENU[language],
        downloadFileName: element.getAttribute("data-chart"),
      })
      .then(function (result) {
        views.set(element, result.view);
        // vega-embed's chart menu is a <details> whose <summary> holds only an icon: name it.
        element.querySelectorAll("details > summary").forEach(function (summary) {
          summary.setAttribute("aria-label", MENU[language].CLICK_TO_VIEW_ACTIONS);
        });
        // A layer without data in a panel (a year or series with nothing shown) leaves an empty mark group with
        // a role and no name; it holds nothing to announce.
        element.querySelectorAll("g.role-mark[role]").forEach(function (group) {
          if (!group.firstElementChild) group.setAttribute("aria-hidden", "true");
        });
        element.setAttribute("data-rendered", language);
      })
      .catch(function (error) {
        console.error("chart " + element.getAttribute("data-chart") + ": " + error);
      });
  }

  // Charts are drawn when they come into view (or near it), not all at page load: a school page holds some twenty,
  // and drawing them all blocked the main thread for 1-2 s. Printing draws every chart first (beforeprint, and
  // the print media query for browsers that print without that event). html[data-first-view] says the charts in
  // the first view are drawn, html[data-charts] that every chart is, each in the language named.
  var observer = "IntersectionObserver" in window ? new IntersectionObserver(onVisible, { rootMargin: "200px 0px" }) : null;
  var firstView = true;

  function charts() {
    return Array.prototype.slice.call(document.querySelectorAll(".chart[data-chart]"));
  }

  function isDrawn(element) {
    return element.getAttribute("data-rendered") === language || !page.charts[element.getAttribute("data-chart")];
  }

  function noteDrawn() {
    if (charts().every(isDrawn)) document.documentElement.setAttribute("data-charts", language);
  }

  var drawing = new Map(); // element → its render in progress, so that a chart is not drawn twice at once

  function draw(element) {
    if (isDrawn(element)) return Promise.resolve().then(noteDrawn);
    var key = element.getAttribute("data-chart") + " " + language;
    var busy = drawing.get(element);
    if (busy && busy.key === key) return busy.done;
    var done = render(element).then(function () {
      drawing.delete(element);
      noteDrawn();
    });
    drawing.set(element, { key: key, done: done });
    return done;
  }

  function drawAll() {
    if (observer) observer.disconnect();
    return Promise.all(charts().map(draw)).then(noteDrawn);
  }

  function onVisible(entries) {
    var shown = entries.filter(function (entry) {
      return entry.isIntersecting;
    });
    shown.forEach(function (entry) {
      observer.unobserve(entry.target);
    });
    var drawn = Promise.all(
      shown.map(function (entry) {
        return draw(entry.target);
      })
    );
    if (firstView) {
      firstView = false;
      var mark = function () {
        document.documentElement.setAttribute("data-first-view", language);
      };
      // A chart that fails to draw is reported, and the first view still counts as done (the others are drawn).
      drawn.then(mark, function (error) {
        console.error(error);
        mark();
      });
    }
  }

  function drawWhenVisible() {
    document.documentElement.removeAttribute("data-charts");
    if (!observer || !charts().length) {
      drawAll().then(function () {
        document.documentElement.setAttribute("data-first-view", language);
      });
      return;
    }
    observer.disconnect();
    firstView = true;
    charts().forEach(function (element) {
      observer.observe(element);
    });
  }

  function applyLanguage(lang) {
    language = lang;
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-nl]").forEach(function (element) {
      element.textContent = element.getAttribute("data-" + lang);
    });
    document.querySelectorAll("[data-i18n-attr]").forEach(function (element) {
      element.setAttribute(element.getAttribute("data-i18n-attr"), element.getAttribute("data-attr-" + lang));
    });
    document.querySelectorAll("[data-v]").forEach(function (element) {
      var value = parseFloat(element.getAttribute("data-v"));
      element.textContent = formatValue(value, element.getAttribute("data-u"), lang, element.hasAttribute("data-signed"));
    });
    drawWhenVisible();
  }

  function switchLanguage() {
    var next = language === "nl" ? "en" : "nl";
    try {
      window.localStorage.setItem(STORE, next);
    } catch (error) {
      // Without storage the switch still holds for this page.
    }
    applyLanguage(next);
  }

  // A ranking's chart id from its section's choices: rank-<level>[-<sector>]-<indicator> (dashboards/pages.py).
  function chooseRanking(section) {
    var part = function (name) {
      var select = section.querySelector("select[data-part='" + name + "']");
      return select ? select.value : null;
    };
    var sector = part("sector");
    var id = ["rank", section.getAttribute("data-level")].concat(sector ? [sector] : [], [part("indicator")]).join("-");
    var targets = section.querySelectorAll(".chart");
    var empty = section.querySelector(".empty");
    var exists = section.getAttribute("data-available").split(" ").indexOf(id) >= 0;
    empty.hidden = exists;
    targets.forEach(function (target) {
      target.hidden = !exists;
      if (exists && target.getAttribute("data-chart") !== id) {
        target.setAttribute("data-chart", id);
        target.removeAttribute("data-rendered"); // drawn is said of a chart, not of its place on the page
      }
    });
    section.querySelectorAll("a[data-export]").forEach(function (link) {
      link.setAttribute("href", "export/" + id + "." + link.getAttribute("data-export"));
    });
    if (!exists) return;
    if (page.charts[id]) {
      targets.forEach(draw);
      return;
    }
    // Loaded on demand: rank/<id>.js calls window.monitorRanking (dashboards/pages.py ranking_script).
    var script = document.createElement("script");
    script.src = "rank/" + id + ".js";
    document.head.appendChild(script);
  }

  window.monitorRanking = function (id, chart) {
    page.charts[id] = chart;
    document.querySelectorAll(".chart[data-chart='" + id + "']").forEach(draw);
  };

  function sortKey(row, index, numeric) {
    var cell = row.cells[index];
    if (numeric) return cell.hasAttribute("data-v") ? parseFloat(cell.getAttribute("data-v")) : null;
    return cell.getAttribute("data-s") || cell.textContent.trim().toLowerCase();
  }

  function sortTable(table, header) {
    var index = header.cellIndex;
    var numeric = header.getAttribute("data-type") === "number";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[aria-sort]").forEach(function (other) {
      other.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = sortKey(a, index, numeric);
      var y = sortKey(b, index, numeric);
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1; // no value: always last
      var order = numeric ? x - y : x.localeCompare(y, language);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) {
      body.appendChild(row);
    });
  }

  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function filterUnits() {
    var query = normalise(document.getElementById("unit-search").value);
    var level = document.getElementById("unit-level").value;
    var shown = 0;
    document.querySelectorAll("#units tbody tr").forEach(function (row) {
      var visible =
        (!query || normalise(row.getAttribute("data-search")).indexOf(query) >= 0) &&
        (!level || row.getAttribute("data-level") === level);
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    document.getElementById("unit-count").textContent = String(shown);
  }

  document.getElementById("lang-switch").addEventListener("click", switchLanguage);
  document.querySelectorAll("select.rank-part").forEach(function (select) {
    select.addEventListener("change", function () {
      chooseRanking(select.closest("section"));
    });
  });
  document.querySelectorAll("table.sortable th[data-type] button").forEach(function (button) {
    button.addEventListener("click", function () {
      sortTable(button.closest("table"), button.closest("th"));
    });
  });
  if (document.getElementById("unit-search")) {
    document.getElementById("unit-search").addEventListener("input", filterUnits);
    document.getElementById("unit-level").addEventListener("change", filterUnits);
  }
  window.addEventListener("beforeprint", drawAll);
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    var onPrint = function (event) {
      if (event.matches) drawAll();
    };
    if (print.addEventListener) print.addEventListener("change", onPrint);
    else if (print.addListener) print.addListener(onPrint);
  }
  applyLanguage(language);
})();
