/* Client-side search over ids, labels, aliases and definitions.
   The index is a script (search-index.js sets window.GLOSSARY_SEARCH) loaded on
   first use, because fetch() of file:// URLs is refused by browsers. */
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";
  var MAX = 20;
  var loading = false;
  var prepared = null;

  function norm(text) {
    text = String(text || "").toLowerCase();
    if (text.normalize) { text = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, ""); }
    return text;
  }
  function prepare() {
    if (prepared || !window.GLOSSARY_SEARCH) { return prepared; }
    prepared = window.GLOSSARY_SEARCH.map(function (e) {
      return { e: e, label: norm(e.label), id: norm(e.id),
               aliases: (e.aliases || []).map(norm), def: norm(e.definition) };
    });
    return prepared;
  }
  function load(then) {
    if (window.GLOSSARY_SEARCH) { then(); return; }
    if (loading) { return; }
    loading = true;
    var s = document.createElement("script");
    s.src = root + "search-index.js";
    s.onload = function () { loading = false; then(); };
    s.onerror = function () { loading = false; };
    document.head.appendChild(s);
  }
  function score(p, q) {
    var best = 0;
    function field(text, exact, prefix, inside) {
      if (!text) { return; }
      if (text === q) { best = Math.max(best, exact); }
      else if (text.indexOf(q) === 0) { best = Math.max(best, prefix); }
      else if (text.indexOf(q) > 0) { best = Math.max(best, inside); }
    }
    field(p.label, 100, 80, 50);
    field(p.id, 95, 75, 45);
    p.aliases.forEach(function (a) { field(a, 90, 70, 40); });
    field(p.def, 0, 10, 10);
    return best;
  }
  function search(q) {
    var list = prepare() || [];
    q = norm(q).trim();
    if (!q) { return []; }
    var hits = [];
    list.forEach(function (p) {
      var s = score(p, q);
      if (s > 0) { hits.push([s, p.e]); }
    });
    hits.sort(function (a, b) { return b[0] - a[0] || (a[1].label < b[1].label ? -1 : 1); });
    return hits.slice(0, MAX).map(function (h) { return h[1]; });
  }
  function matchedAlias(e, q) {
    q = norm(q).trim();
    var found = null;
    (e.aliases || []).forEach(function (a) {
      if (!found && norm(a).indexOf(q) >= 0 && norm(e.label).indexOf(q) < 0) { found = a; }
    });
    return found;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("search-input");
    var results = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!input || !results) { return; }
    input.disabled = false;
    function show() {
      var q = input.value;
      var hits = search(q);
      results.textContent = "";
      hits.forEach(function (e) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = root + e.url;
        a.textContent = e.label;
        li.appendChild(a);
        var alias = matchedAlias(e, q);
        if (alias) {
          var small = document.createElement("span");
          small.className = "search-alias";
          small.textContent = " (" + alias + ")";
          li.appendChild(small);
        }
        if (e.definition) {
          var p = document.createElement("span");
          p.className = "search-def";
          p.textContent = e.definition;
          li.appendChild(p);
        }
        results.appendChild(li);
      });
      results.hidden = hits.length === 0;
      if (status) { status.textContent = q.trim() ? hits.length + " results" : ""; }
    }
    input.addEventListener("focus", function () { load(function () { prepared = null; show(); }); });
    input.addEventListener("input", function () { load(show); show(); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { results.hidden = true; input.value = ""; }
      if (ev.key === "Enter") {
        var first = results.querySelector("a");
        if (first) { window.location.href = first.href; }
      }
      if (ev.key === "ArrowDown") {
        var a = results.querySelector("a");
        if (a) { a.focus(); ev.preventDefault(); }
      }
    });
    results.addEventListener("keydown", function (ev) {
      var items = Array.prototype.slice.call(results.querySelectorAll("a"));
      var i = items.indexOf(document.activeElement);
      if (ev.key === "ArrowDown" && i < items.length - 1) { items[i + 1].focus(); ev.preventDefault(); }
      if (ev.key === "ArrowUp") { (i > 0 ? items[i - 1] : input).focus(); ev.preventDefault(); }
      if (ev.key === "Escape") { results.hidden = true; input.focus(); }
    });
  });
})();
