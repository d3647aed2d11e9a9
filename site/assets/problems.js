/* The problems page: filters by severity, code and file, and "show all" for long groups.
   The page holds each group's first findings; every finding is in problems-data.js
   (window.GLOSSARY_PROBLEMS), loaded on first use as a script because fetch() of file://
   URLs is refused. A group with no finding left under the filters is hidden whole. */
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";
  var loading = [];

  function load(then) {
    if (window.GLOSSARY_PROBLEMS) { then(); return; }
    loading.push(then);
    if (loading.length > 1) { return; }
    var s = document.createElement("script");
    s.src = root + "problems-data.js";
    s.onload = function () { var todo = loading; loading = []; todo.forEach(function (f) { f(); }); };
    s.onerror = function () { loading = []; };
    document.head.appendChild(s);
  }

  function row(data, r) {
    var li = document.createElement("li");
    var file = data.files[r[1]];
    li.setAttribute("data-file", file[0]);
    var where = document.createElement("span");
    where.className = "where";
    var name;
    if (file[1]) { name = document.createElement("a"); name.href = root + file[1]; }
    else { name = document.createElement("code"); }
    name.textContent = file[0];
    where.appendChild(name);
    if (r[2]) { where.appendChild(document.createTextNode(":" + r[2] + (r[3] ? ":" + r[3] : ""))); }
    li.appendChild(where);
    li.appendChild(document.createTextNode(" " + r[4]));
    if (r[6]) {
      var code = document.createElement("code");
      code.className = "pointer";
      code.textContent = r[6];
      li.appendChild(document.createTextNode(" "));
      li.appendChild(code);
    }
    [[r[5], "hint", "Hint: "], [r[7], "waived", "Waived: "]].forEach(function (extra) {
      if (!extra[0]) { return; }
      li.appendChild(document.createElement("br"));
      var span = document.createElement("span");
      span.className = extra[1];
      span.textContent = extra[2] + extra[0];
      li.appendChild(span);
    });
    return li;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("problem-filters");
    var list = document.getElementById("problem-list");
    var status = document.getElementById("problem-status");
    if (!form || !list) { return; }
    form.hidden = false;
    var groups = Array.prototype.slice.call(list.querySelectorAll("details.problem-group"));
    var full = {};  // group index -> true once all its findings are shown
    var written = groups.map(function (g) { return g.querySelector("ul.problems").cloneNode(true); });

    function wanted() {
      var sev = {};
      Array.prototype.forEach.call(form.querySelectorAll("input[name=severity]"), function (box) {
        sev[box.value] = box.checked;
      });
      return { sev: sev, code: form.querySelector("#problem-code").value,
               file: form.querySelector("#problem-file").value.trim().toLowerCase() };
    }
    function narrowed(w) {
      var off = Object.keys(w.sev).some(function (k) { return !w.sev[k]; });
      return off || w.code || w.file;
    }
    function fill(g, rows) {
      var ul = g.querySelector("ul.problems");
      var data = window.GLOSSARY_PROBLEMS;
      ul.textContent = "";
      rows.forEach(function (r) { ul.appendChild(row(data, r)); });
    }
    function apply() {
      var w = wanted();
      if (!narrowed(w)) {  // back to the page as written, with any group shown whole kept so
        groups.forEach(function (g, k) {
          g.hidden = false;
          g.querySelector(".group-count").textContent = g.getAttribute("data-count");
          if (full[g.getAttribute("data-group")]) { show(g); return; }
          var ul = g.querySelector("ul.problems");
          ul.parentNode.replaceChild(written[k].cloneNode(true), ul);
          var more = g.querySelector(".more");
          if (more) { more.hidden = false; }
        });
        status.textContent = "";
        return;
      }
      load(function () {
        var data = window.GLOSSARY_PROBLEMS;
        var byGroup = {};
        data.rows.forEach(function (r) {
          if (w.file && data.files[r[1]][0].toLowerCase().indexOf(w.file) < 0) { return; }
          (byGroup[r[0]] = byGroup[r[0]] || []).push(r);
        });
        var shown = 0, findings = 0;
        groups.forEach(function (g) {
          var i = g.getAttribute("data-group");
          var sev = g.getAttribute("data-severity");
          var rows = (w.sev[sev] === false || (w.code && w.code !== g.getAttribute("data-key"))) ? [] : (byGroup[i] || []);
          g.hidden = rows.length === 0;
          g.querySelector(".group-count").textContent = rows.length + " of " + g.getAttribute("data-count");
          if (rows.length) { shown += 1; findings += rows.length; fill(g, rows); }
          var more = g.querySelector(".more");
          if (more) { more.hidden = true; }
        });
        status.textContent = findings ? findings + " findings in " + shown + (shown === 1 ? " group" : " groups") + " match."
          : "No finding matches.";
      });
    }
    function show(g) {
      var i = g.getAttribute("data-group");
      var data = window.GLOSSARY_PROBLEMS;
      fill(g, data.rows.filter(function (r) { return String(r[0]) === i; }));
      full[i] = true;
      var more = g.querySelector(".more");
      if (more) { more.hidden = true; }
    }
    Array.prototype.forEach.call(list.querySelectorAll("button.show-all"), function (button) {
      button.hidden = false;
      var note = button.parentNode.querySelector(".no-script");
      if (note) { note.hidden = true; }
      button.addEventListener("click", function () {
        var g = document.getElementById("g-" + (Number(button.getAttribute("data-group")) + 1));
        load(function () { show(g); g.open = true; });
      });
    });
    form.addEventListener("change", apply);
    form.addEventListener("input", apply);
  });
})();
