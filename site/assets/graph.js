/* The whole-graph page, drawn by sigma.js (WebGL) from graph-data.js:
   window.GLOSSARY_GRAPH = {nodes: [[id, label, kind, url, x, y, size, community]],
   edges: [i, j, i, j, ...], communities: [[label, count]], grouping}.
   Positions, sizes (PageRank) and communities are computed at build time
   (compiler/render/graphview.py); this script draws, filters, finds and highlights.
   Sigma keeps the camera (zoom and pan) when the window is resized. */
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";
  var MAX_MATCHES = 8, SHORT = 32, LABEL_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

  function hasWebGL() {
    try {
      var c = document.createElement("canvas");
      return !!(window.WebGLRenderingContext && (c.getContext("webgl2") || c.getContext("webgl")));
    } catch (e) { return false; }
  }
  function css(name, fallback) {
    var v = getComputedStyle(document.documentElement).getPropertyValue(name);
    return (v && v.trim()) || fallback;
  }
  function mix(colour, ground, t) {  // "#rrggbb" moved towards ``ground`` by t: sigma blends
    // premultiplied colours, so a translucent edge would turn white on a light page
    var a = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour), b = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(ground);
    if (!a || !b) { return colour; }
    var out = "#";
    for (var c = 1; c <= 3; c += 1) {
      var v = Math.round(parseInt(a[c], 16) * (1 - t) + parseInt(b[c], 16) * t);
      out += (v < 16 ? "0" : "") + v.toString(16);
    }
    return out;
  }
  function short(label) { return label.length > SHORT ? label.slice(0, SHORT - 1) + "…" : label; }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("graph-view");
    var data = window.GLOSSARY_GRAPH;
    if (!box || !data || !window.Sigma || !window.graphology || !hasWebGL()) { return; }  // the fallback text stays
    var rows = data.nodes, flat = data.edges, n = rows.length;
    var small = n <= 300, wide = box.clientWidth >= 700;  // a small graph on a wide screen shows every label
    var scale = Math.max(0.45, Math.min(1, Math.sqrt(1500 / Math.max(n, 1))))  // smaller dots in a crowd
      * Math.max(0.6, Math.min(1, box.clientWidth / 900));  // and on a narrow screen
    var degree = new Int32Array(n);
    var k;
    for (k = 0; k < flat.length; k += 1) { degree[flat[k]] += 1; }

    // The small components and unlinked nodes stand in a column right of the drawing;
    // on a screen taller than wide the column is turned into rows below it (decided once, at load).
    var px = new Float64Array(n), py = new Float64Array(n), col = data.column || [];
    rows.forEach(function (r, i) { px[i] = r[4]; py[i] = r[5]; });
    if (col.length && box.clientHeight > box.clientWidth) {
      var top = Infinity, x;
      for (k = 0; k < n; k += 1) { if (px[k] >= col[0] - col[2]) { top = Math.min(top, py[k]); } }
      for (k = 0; k < n; k += 1) {
        if (px[k] >= col[0] - col[2]) { x = px[k]; px[k] = py[k] - top; py[k] = col[1] + 3 * col[2] + x - col[0]; }
      }
    }
    var graph = new window.graphology.UndirectedGraph();
    rows.forEach(function (r, i) {
      graph.addNode(String(i), { x: px[i], y: -py[i], size: r[6] * scale, label: short(r[1]) });
    });
    // Labels at first sight: the biggest node of each 120 x 120 px cell among the biggest twentieth
    // (at least one per cell of the drawing's box); more as one zooms in.
    var bySize = rows.map(function (r) { return r[6]; }).sort(function (a, b) { return b - a; });
    var labelled = Math.max(12, Math.min(80, Math.round(box.clientWidth * box.clientHeight / 14400)), Math.round(n / 20));
    var threshold = small && wide ? 0 : bySize[Math.min(labelled, n) - 1] * scale;
    for (k = 0; k + 1 < flat.length; k += 2) { graph.addEdge(String(flat[k]), String(flat[k + 1])); }

    var show = { term: true, module: true, missing: true };
    var hideUnlinked = true, mode = data.communities.length ? "community" : "kind";
    var focus = null, hovered = null, near = new Set();
    var theme = {};

    function readTheme() {
      theme.fg = css("--fg", "#1b1f24");
      theme.bg = css("--bg", "#ffffff");
      theme.border = css("--border", "#d0d7de");
      theme.edge = mix(css("--edge", "#8c959f"), theme.bg, n > 3000 ? 0.6 : 0.35);
      theme.edgeLit = css("--muted", "#57606a");
      theme.faded = css("--graph-faded", "#e3e6ea");
      theme.kind = { term: css("--node-term", "#0550ae"), module: css("--node-module", "#1a7f37"),
                     missing: css("--node-missing", "#b42318") };
      theme.groups = [];
      for (var g = 0; g < 8; g += 1) { theme.groups.push(css("--graph-c" + g, "#888888")); }
      theme.other = css("--graph-other", "#a0a7b0");
    }
    function colourOf(r) {
      if (mode === "kind") { return theme.kind[r[2]] || theme.kind.missing; }
      return r[7] >= 0 && r[7] < theme.groups.length ? theme.groups[r[7]] : theme.other;
    }
    function visible(i) {
      var key = String(i);
      if (key === focus) { return true; }
      return show[rows[i][2]] !== false && !(hideUnlinked && degree[i] === 0);
    }

    // Sigma picks the labels of a frame (the biggest node of each grid cell) and calls drawLabel
    // for each; they are kept and drawn after the frame, forced and bigger nodes first, each
    // only where it covers no label already drawn, so that no two labels overlap.
    var pending = [], placed = [];
    function drawLabel(ctx, d) { if (d.label) { pending.push(d); } }
    function drawLabels() {
      var ctx = renderer.getCanvases().labels.getContext("2d"), size = 13, boxes = [];
      ctx.font = "600 " + size + "px " + LABEL_FONT;
      ctx.lineJoin = "round";
      ctx.lineWidth = 3;
      pending.sort(function (a, b) { return (b.forceLabel ? 1 : 0) - (a.forceLabel ? 1 : 0) || b.size - a.size || +a.key - +b.key; });
      pending.forEach(function (d) {
        var x = d.x + d.size + 3, w = ctx.measureText(d.label).width, top = d.y - size * 0.75, bottom = d.y + size * 0.55;
        for (var i = 0; i < boxes.length; i += 1) {
          var b = boxes[i];
          if (x < b[2] && b[0] < x + w && top < b[3] && b[1] < bottom && !d.forceLabel) { return; }
        }
        boxes.push([x, top, x + w, bottom, d.label]);
        ctx.strokeStyle = theme.bg;
        ctx.strokeText(d.label, x, d.y + size / 3);
        ctx.fillStyle = theme.fg;
        ctx.fillText(d.label, x, d.y + size / 3);
      });
      pending = [];
      placed = boxes;
    }
    function drawHover(ctx, d, settings) {
      var size = settings.labelSize, label = rows[+d.key] ? rows[+d.key][1] : (d.label || "");
      ctx.font = settings.labelWeight + " " + size + "px " + settings.labelFont;
      var w = ctx.measureText(label).width;
      ctx.fillStyle = theme.bg;
      ctx.strokeStyle = theme.fg;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.arc(d.x, d.y, d.size + 3, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
      ctx.fillRect(d.x + d.size + 1, d.y - size / 2 - 4, w + 8, size + 8);
      ctx.strokeRect(d.x + d.size + 1, d.y - size / 2 - 4, w + 8, size + 8);
      ctx.fillStyle = theme.fg;
      ctx.fillText(label, d.x + d.size + 5, d.y + size / 3);
    }

    function nodeReducer(node, attr) {
      var i = +node, res = Object.assign({}, attr);
      if (!visible(i)) { res.hidden = true; return res; }
      var active = hovered !== null ? hovered : focus;
      if (active !== null) {
        if (node === active) { res.highlighted = true; res.forceLabel = true; res.zIndex = 2; }
        else if (near.has(node)) { res.zIndex = 1; }
        else { res.color = theme.faded; res.label = ""; res.zIndex = 0; }
      }
      return res;
    }
    function edgeReducer(edge, attr) {
      var active = hovered !== null ? hovered : focus;
      if (active === null) { return attr; }
      if (!graph.hasExtremity(edge, active)) { return Object.assign({}, attr, { hidden: true }); }
      return Object.assign({}, attr, { color: theme.edgeLit, size: 1.5 });
    }

    readTheme();
    graph.forEachNode(function (key, attr) { attr.color = colourOf(rows[+key]); });
    box.textContent = "";
    var renderer = new window.Sigma(graph, box, {
      labelFont: LABEL_FONT,
      labelSize: 13, labelWeight: "600", labelColor: { color: theme.fg },
      labelDensity: small && wide ? 4 : 1, labelGridCellSize: small && wide ? 60 : 80,
      labelRenderedSizeThreshold: threshold,
      defaultEdgeColor: theme.edge, defaultDrawNodeLabel: drawLabel, defaultDrawNodeHover: drawHover,
      zIndex: true, minCameraRatio: 0.005, maxCameraRatio: 4, stagePadding: 20,
      hideEdgesOnMove: flat.length > 200000,
      nodeReducer: nodeReducer, edgeReducer: edgeReducer
    });
    var camera = renderer.getCamera();
    window.GLOSSARY_GRAPH_VIEW = renderer;  // for the browser's console and the tests
    window.GLOSSARY_GRAPH_LABELS = function () { return placed; };  // the labels drawn: [left, top, right, bottom, text]

    function frame() {  // the drawing's box: the nodes shown (unlinked ones left out while hidden)
      var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      for (var i = 0; i < n; i += 1) {
        if (hideUnlinked && degree[i] === 0) { continue; }
        x0 = Math.min(x0, px[i]); x1 = Math.max(x1, px[i]); y0 = Math.min(y0, -py[i]); y1 = Math.max(y1, -py[i]);
      }
      if (small && wide) { x1 += (x1 - x0) * 0.2; }  // room for the labels of the rightmost nodes
      if (x0 <= x1) { renderer.setCustomBBox({ x: [x0, x1], y: [y0, y1] }); } else { renderer.setCustomBBox(null); }
    }
    function counted() {
      var shown = 0;
      for (var i = 0; i < n; i += 1) { if (visible(i)) { shown += 1; } }
      box.setAttribute("data-shown", String(shown));
    }
    function setNear(key) {
      near = new Set();
      if (key !== null) { graph.forEachNeighbor(key, function (m) { near.add(m); }); }
    }
    pending = [];  // the constructor's first frame, drawn before these listeners
    renderer.on("beforeRender", function () { pending = []; });
    renderer.on("afterRender", function () {
      drawLabels();
      box.setAttribute("data-labels", String(placed.length));
    });
    function showCamera(s) {
      box.setAttribute("data-camera", [s.x, s.y, s.ratio].map(function (v) { return v.toFixed(6); }).join(","));
    }
    camera.on("updated", showCamera);

    // --- selection and the info line -------------------------------------------------
    var info = document.getElementById("graph-info");
    function describe(key) {
      info.textContent = "";
      if (key === null) { return; }
      var r = rows[+key], kinds = { term: "term", module: "module", missing: "wanted term" };
      var p = document.createElement("p");
      var strong = document.createElement("strong");
      strong.textContent = r[1];
      p.appendChild(strong);
      var links = degree[+key];
      p.appendChild(document.createTextNode(" (" + (kinds[r[2]] || r[2]) + ", " + links + " link" + (links === 1 ? "" : "s") +
        (r[1] !== r[0] ? ", " + r[0] : "") + ") "));
      if (r[3]) {
        var a = document.createElement("a");
        a.href = root + r[3];
        a.textContent = "Open its page";
        p.appendChild(a);
        p.appendChild(document.createTextNode(" "));
      }
      var clear = document.createElement("button");
      clear.type = "button";
      clear.textContent = "Clear";
      clear.addEventListener("click", function () { select(null); });
      p.appendChild(clear);
      info.appendChild(p);
    }
    function select(key, move) {
      focus = key;
      if (hovered === null) { setNear(key); }
      describe(key);
      counted();
      renderer.refresh();
      if (key !== null && move) {
        var d = renderer.getNodeDisplayData(key);
        if (d) { camera.animate({ x: d.x, y: d.y, ratio: Math.min(camera.getState().ratio, small ? 0.6 : 0.15) }, { duration: 400 }); }
      }
    }
    renderer.on("enterNode", function (e) { hovered = e.node; setNear(e.node); box.classList.add("over-node"); renderer.refresh({ skipIndexation: true }); });
    renderer.on("leaveNode", function () { hovered = null; setNear(focus); box.classList.remove("over-node"); renderer.refresh({ skipIndexation: true }); });
    renderer.on("clickNode", function (e) { select(e.node === focus ? null : e.node, false); });
    renderer.on("doubleClickNode", function (e) {
      var r = rows[+e.node];
      e.preventSigmaDefault();
      if (r[3]) { window.location.href = root + r[3]; }
    });
    renderer.on("clickStage", function () { if (focus !== null) { select(null); } });

    // --- find a node ---------------------------------------------------------------------
    var find = document.getElementById("graph-find"), list = document.getElementById("graph-matches");
    var status = document.getElementById("graph-find-status");
    var lower = rows.map(function (r) { return [r[1].toLowerCase(), r[0].toLowerCase()]; });
    function matches(q) {
      var found = [];
      for (var i = 0; i < n; i += 1) {
        var label = lower[i][0], id = lower[i][1], score;
        if (label === q || id === q) { score = 0; }
        else if (label.indexOf(q) === 0 || id.indexOf(q) === 0) { score = 1; }
        else if (label.indexOf(q) >= 0 || id.indexOf(q) >= 0) { score = 2; }
        else { continue; }
        found.push([score, -rows[i][6], i]);
      }
      found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
      return found;
    }
    function choose(i) {
      list.hidden = true;
      find.value = rows[i][1];
      select(String(i), true);
    }
    function showMatches() {
      var q = find.value.trim().toLowerCase();
      list.textContent = "";
      if (!q) { list.hidden = true; status.textContent = ""; return; }
      var found = matches(q);
      found.slice(0, MAX_MATCHES).forEach(function (m) {
        var li = document.createElement("li"), b = document.createElement("button");
        b.type = "button";
        b.textContent = rows[m[2]][1];
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = " " + ({ term: "term", module: "module", missing: "wanted" }[rows[m[2]][2]] || "");
        b.appendChild(kind);
        b.addEventListener("click", function () { choose(m[2]); });
        li.appendChild(b);
        list.appendChild(li);
      });
      list.hidden = found.length === 0;
      status.textContent = found.length === 0 ? "No node matches." :
        found.length + " match" + (found.length === 1 ? "" : "es") + (found.length > MAX_MATCHES ? ", the first " + MAX_MATCHES + " listed" : "") + ".";
    }
    var timer = 0;
    find.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(showMatches, n > 5000 ? 120 : 30); });
    find.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {
        ev.preventDefault();
        var q = find.value.trim().toLowerCase(), found = q ? matches(q) : [];
        if (found.length) { choose(found[0][2]); }
      } else if (ev.key === "ArrowDown" && !list.hidden) {
        ev.preventDefault();
        list.querySelector("button").focus();
      } else if (ev.key === "Escape") {
        find.value = ""; showMatches(); select(null);
      }
    });
    list.addEventListener("keydown", function (ev) {
      var items = Array.prototype.slice.call(list.querySelectorAll("button")), at = items.indexOf(document.activeElement);
      if (ev.key === "ArrowDown" && at < items.length - 1) { ev.preventDefault(); items[at + 1].focus(); }
      if (ev.key === "ArrowUp") { ev.preventDefault(); (at > 0 ? items[at - 1] : find).focus(); }
      if (ev.key === "Escape") { list.hidden = true; find.focus(); }
    });

    // --- filters, colours, legend, zoom ---------------------------------------------------
    ["term", "module", "missing"].forEach(function (kind) {
      var tick = document.getElementById("graph-show-" + kind);
      var count = rows.filter(function (r) { return r[2] === kind; }).length;
      tick.parentNode.appendChild(document.createTextNode(" (" + count + ")"));
      tick.parentNode.hidden = count === 0;  // nothing of that kind to filter
      tick.addEventListener("change", function () { show[kind] = tick.checked; counted(); renderer.refresh(); });
    });
    var unlinked = 0;
    for (k = 0; k < n; k += 1) { if (degree[k] === 0) { unlinked += 1; } }
    document.getElementById("graph-unlinked-count").textContent = String(unlinked);
    var hide = document.getElementById("graph-hide-unlinked");
    hide.parentNode.hidden = unlinked === 0;
    hide.addEventListener("change", function () {
      hideUnlinked = hide.checked;
      frame();
      counted();
      renderer.refresh();
      camera.animatedReset({ duration: 300 });
    });
    var legendKind = document.getElementById("graph-legend-kind"), legendGroups = document.getElementById("graph-legend-community");
    var groupList = document.getElementById("graph-communities"), choice = document.getElementById("graph-colour");
    if (!choice || !legendGroups || !groupList) { mode = "kind"; }
    data.communities.forEach(function (c, g) {
      if (!groupList) { return; }
      var li = document.createElement("li"), dot = document.createElement("span");
      dot.className = "dot c" + g;
      li.appendChild(dot);
      li.appendChild(document.createTextNode(" " + c[0] + " (" + c[1] + ")"));
      groupList.appendChild(li);
    });
    function recolour() {
      graph.updateEachNodeAttributes(function (key, attr) { attr.color = colourOf(rows[+key]); return attr; });
      legendKind.hidden = mode !== "kind";
      if (legendGroups) { legendGroups.hidden = mode !== "community"; }
    }
    if (choice) {
      choice.value = mode;
      choice.addEventListener("change", function () { mode = choice.value; recolour(); });
    }
    document.getElementById("graph-zoom-in").addEventListener("click", function () { camera.animatedZoom({ duration: 200 }); });
    document.getElementById("graph-zoom-out").addEventListener("click", function () { camera.animatedUnzoom({ duration: 200 }); });
    document.getElementById("graph-reset").addEventListener("click", function () { camera.animatedReset({ duration: 300 }); });
    function retheme() {
      readTheme();
      renderer.setSetting("labelColor", { color: theme.fg });
      renderer.setSetting("defaultEdgeColor", theme.edge);
      recolour();
    }
    new MutationObserver(retheme).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    var mq = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");
    if (mq && mq.addEventListener) { mq.addEventListener("change", retheme); }

    var apart = document.getElementById("graph-apart");
    if (apart) { apart.hidden = !col.length; }
    box.setAttribute("data-nodes", String(n));
    frame();
    counted();
    recolour();
    renderer.refresh();
    showCamera(camera.getState());
    box.setAttribute("data-ready", "1");
  });
})();
