/* The whole-graph drawing: positions come precomputed in graph-data.js
   (window.GLOSSARY_GRAPH = {nodes: [[id, label, kind, url, x, y]], edges: [[i, j, rel]]}).
   Canvas, drag to pan, wheel or buttons to zoom, click a node to open it. */
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";
  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("graph-canvas");
    var data = window.GLOSSARY_GRAPH;
    if (!canvas || !data || !canvas.getContext) { return; }
    var ctx = canvas.getContext("2d");
    var nodes = data.nodes, edges = data.edges;
    var view = { x: 0, y: 0, k: 1 };
    var hover = -1, highlight = "";
    var ratio = window.devicePixelRatio || 1;
    var drawn = 0;

    function css(name, fallback) {
      var v = getComputedStyle(document.documentElement).getPropertyValue(name);
      return (v && v.trim()) || fallback;
    }
    function size() {
      var w = canvas.parentNode.clientWidth || 800;
      var h = Math.max(360, Math.min(720, Math.round(w * 0.66)));
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
      canvas.style.width = w + "px";
      canvas.style.height = h + "px";
    }
    function reset() {
      var w = canvas.width / ratio, h = canvas.height / ratio;
      view.k = Math.min(w, h) / 1060;
      view.x = (w - 1000 * view.k) / 2;
      view.y = (h - 1000 * view.k) / 2;
    }
    function toScreen(n) { return [n[4] * view.k + view.x, n[5] * view.k + view.y]; }
    // Community colours (idea map): eight hues that stay apart in light and dark mode.
    var PALETTE = ["#2a5db0", "#c2410c", "#15803d", "#9333ea", "#b45309", "#0e7490", "#be185d", "#4d7c0f"];
    function draw() {
      var w = canvas.width / ratio, h = canvas.height / ratio;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.fillStyle = css("--bg", "#fff");
      ctx.fillRect(0, 0, w, h);
      ctx.strokeStyle = css("--edge", "#999");
      ctx.lineWidth = 0.6;
      ctx.beginPath();
      edges.forEach(function (e) {
        var a = toScreen(nodes[e[0]]), b = toScreen(nodes[e[1]]);
        ctx.moveTo(a[0], a[1]);
        ctx.lineTo(b[0], b[1]);
      });
      ctx.stroke();
      var colours = { term: css("--node-term", "#2a5db0"), module: css("--node-module", "#1a7f37"),
                      missing: css("--node-missing", "#b42318") };
      var r = Math.max(2, Math.min(7, 3 * Math.sqrt(view.k * 2)));
      drawn = 0;
      nodes.forEach(function (n, i) {
        var p = toScreen(n);
        if (p[0] < -10 || p[1] < -10 || p[0] > w + 10 || p[1] > h + 10) { return; }
        drawn += 1;
        var lit = highlight && (n[1].toLowerCase().indexOf(highlight) >= 0 || n[0].toLowerCase().indexOf(highlight) >= 0);
        ctx.fillStyle = n.length > 6 && n[6] >= 0 ? PALETTE[n[6] % PALETTE.length] : (colours[n[2]] || colours.missing);
        ctx.beginPath();
        ctx.arc(p[0], p[1], i === hover || lit ? r * 1.8 : r, 0, 2 * Math.PI);
        ctx.fill();
        if (view.k > 1.6 || i === hover || lit) {
          ctx.fillStyle = css("--fg", "#111");
          ctx.font = "12px system-ui, sans-serif";
          ctx.fillText(n[1], p[0] + r + 2, p[1] + 4);
        }
      });
      canvas.setAttribute("data-drawn", String(drawn));
    }
    function nodeAt(mx, my) {
      var best = -1, bestD = 100;
      nodes.forEach(function (n, i) {
        var p = toScreen(n), dx = p[0] - mx, dy = p[1] - my, d = dx * dx + dy * dy;
        if (d < bestD) { best = i; bestD = d; }
      });
      return best;
    }
    function zoom(f, cx, cy) {
      var nk = Math.max(0.05, Math.min(40, view.k * f));
      f = nk / view.k;
      view.x = cx - (cx - view.x) * f;
      view.y = cy - (cy - view.y) * f;
      view.k = nk;
      draw();
    }
    var drag = null, moved = false;
    canvas.addEventListener("mousedown", function (ev) { drag = [ev.clientX, ev.clientY]; moved = false; });
    window.addEventListener("mouseup", function () { drag = null; });
    canvas.addEventListener("mousemove", function (ev) {
      var rect = canvas.getBoundingClientRect();
      if (drag) {
        var dx = ev.clientX - drag[0], dy = ev.clientY - drag[1];
        if (Math.abs(dx) + Math.abs(dy) > 2) { moved = true; }
        view.x += dx; view.y += dy; drag = [ev.clientX, ev.clientY];
        draw();
        return;
      }
      var i = nodeAt(ev.clientX - rect.left, ev.clientY - rect.top);
      if (i !== hover) {
        hover = i;
        canvas.style.cursor = i >= 0 && nodes[i][3] ? "pointer" : "grab";
        document.getElementById("graph-hover").textContent = i >= 0 ? nodes[i][1] + " (" + nodes[i][2] + ")" : "";
        draw();
      }
    });
    canvas.addEventListener("click", function (ev) {
      if (moved) { return; }
      var rect = canvas.getBoundingClientRect();
      var i = nodeAt(ev.clientX - rect.left, ev.clientY - rect.top);
      if (i >= 0 && nodes[i][3]) { window.location.href = root + nodes[i][3]; }
    });
    canvas.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var rect = canvas.getBoundingClientRect();
      zoom(ev.deltaY < 0 ? 1.2 : 1 / 1.2, ev.clientX - rect.left, ev.clientY - rect.top);
    }, { passive: false });
    function centre() { return [canvas.width / ratio / 2, canvas.height / ratio / 2]; }
    document.getElementById("graph-zoom-in").addEventListener("click", function () { var c = centre(); zoom(1.5, c[0], c[1]); });
    document.getElementById("graph-zoom-out").addEventListener("click", function () { var c = centre(); zoom(1 / 1.5, c[0], c[1]); });
    document.getElementById("graph-reset").addEventListener("click", function () { reset(); draw(); });
    document.getElementById("graph-find").addEventListener("input", function (ev) {
      highlight = ev.target.value.trim().toLowerCase();
      draw();
    });
    window.addEventListener("resize", function () { size(); reset(); draw(); });
    var mq = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");
    new MutationObserver(draw).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    if (mq && mq.addEventListener) { mq.addEventListener("change", draw); }
    size(); reset(); draw();
  });
})();
