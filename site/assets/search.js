/* Client-side search over ids, labels, aliases and definitions.
   The index is a script (search-index.js sets window.GLOSSARY_SEARCH) loaded on
   first use, because fetch() of file:// URLs is refused by browsers. The first
   results are listed with the total number of matches; "Show all" lists every one.
   Labels, definitions and symbols with markup come as HTML made at build time
   (escaped there: Markdown without raw HTML, sanitised MathML). */
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
    return hits.map(function (h) { return h[1]; });
  }
  function markup(element, html, text) {
    if (html) {
      var t = document.createElement("template");
      t.innerHTML = html;
      element.appendChild(t.content);
    } else {
      element.textContent = text;
    }
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
    var all = false;
    function show() {
      var q = input.value;
      var found = search(q);
      var hits = all ? found : found.slice(0, MAX);
      results.textContent = "";
      hits.forEach(function (e) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = root + e.url;
        markup(a, e.label_html, e.label);
        li.appendChild(a);
        if (e.symbol_html) {
          var sym = document.createElement("span");
          sym.className = "search-symbol";
          markup(sym, e.symbol_html, "");
          li.appendChild(document.createTextNode(" "));
          li.appendChild(sym);
        }
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
          markup(p, e.definition_html, e.definition);
          li.appendChild(p);
        }
        results.appendChild(li);
      });
      if (q.trim()) {
        var total = document.createElement("li");
        total.className = "search-total";
        total.textContent = found.length === 0 ? "No match." :
          (hits.length < found.length ? "Showing " + hits.length + " of " + found.length + " matches. "
                                      : found.length + (found.length === 1 ? " match." : " matches."));
        if (hits.length < found.length) {
          var more = document.createElement("button");
          more.type = "button";
          more.className = "search-all";
          more.textContent = "Show all " + found.length;
          more.addEventListener("click", function () { all = true; show(); input.focus(); });
          total.appendChild(more);
        }
        results.insertBefore(total, results.firstChild);  // the count first: how much there is to see
      }
      results.hidden = !q.trim();
      if (status) { status.textContent = q.trim() ? found.length + " matches" : ""; }
    }
    input.addEventListener("focus", function () { load(function () { prepared = null; show(); }); });
    input.addEventListener("input", function () { all = false; load(show); show(); });
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
