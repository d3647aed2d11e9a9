/* Theme: follows the system preference until the reader picks one with the toggle.
   Loaded in <head> (not deferred) so the page never flashes the wrong colours. */
(function () {
  "use strict";
  var KEY = "glossary-theme";
  var root = document.documentElement;
  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function systemDark() {
    return !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  }
  function current() {
    var s = stored();
    return s === "dark" || s === "light" ? s : (systemDark() ? "dark" : "light");
  }
  function apply(theme) {
    root.setAttribute("data-theme", theme);
    var button = document.getElementById("theme-toggle");
    if (button) {
      button.setAttribute("aria-pressed", theme === "dark" ? "true" : "false");
      button.textContent = theme === "dark" ? "Light mode" : "Dark mode";
    }
  }
  var s = stored();
  if (s === "dark" || s === "light") { root.setAttribute("data-theme", s); }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("theme-toggle");
    if (!button) { return; }
    button.hidden = false;
    apply(current());
    button.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      try { window.localStorage.setItem(KEY, next); } catch (e) { /* private mode: no memory */ }
      apply(next);
    });
  });
})();
