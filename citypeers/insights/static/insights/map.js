/* CityPeers world map: countries shaded by a stored figure, organisations as points, partnerships
   as great-circle arcs. Drawn as SVG with d3-geo (Natural Earth projection) from world-atlas'
   countries-110m.json, decoded by topojson-client; every figure comes from /api/v1/insights/map/.

   Fluid with tens of thousands of partnerships because nothing is drawn per partnership: at the
   world view the server sends countries as points and the heaviest country-to-country links; zoomed
   in, the cities and city-to-city links inside the view (at most 1,500 points and 400 links).
   Panning and zooming only change one transform; the layers are fetched again after a pause.
   No inline script or style (CSP): colours are CSS classes, sizes are SVG attributes. */
(function () {
  "use strict";

  var root = document.getElementById("world-map");
  if (!root || !window.d3 || !window.topojson) { return; }
  var d3 = window.d3;
  var topojson = window.topojson;
  var strings = JSON.parse(document.getElementById("map-strings").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var W = 960, H = 500;
  var MAX_ZOOM = 64, CITY_ZOOM = 3.5;
  var svg = root.querySelector("svg.map-svg");
  var statusLine = root.querySelector(".map-status");
  var details = root.querySelector(".map-details");
  var legend = root.querySelector(".map-legend");
  var form = document.getElementById("map-filters");
  var figureSelect = form ? form.querySelector("[name=figure]") : null;

  var projection = d3.geoNaturalEarth1().fitExtent([[6, 6], [W - 6, H - 6]], { type: "Sphere" });
  var geoPath = d3.geoPath(projection);
  var view = { k: 1, x: 0, y: 0 };
  var figure = root.dataset.figure || "partnerships";
  var countryFigures = {};
  var level = null;
  var layerRequest = 0;

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function title(node, text) { el("title", {}, node).textContent = text; }
  function fmt(n) { return Number(n || 0).toLocaleString(document.documentElement.lang); }
  function pct(n) { return (n === null || n === undefined) ? strings.noData : (100 * n).toFixed(1) + " %"; }

  var viewport = el("g", { "class": "viewport" }, svg);
  el("path", { "class": "sphere", d: geoPath({ type: "Sphere" }) }, viewport);
  var gCountries = el("g", { "class": "countries" }, viewport);
  var gLinks = el("g", { "class": "links" }, viewport);
  var gPoints = el("g", { "class": "points" }, viewport);

  /* --- filters: the form's current query (figure excluded: it only re-shades) --- */
  function filterQuery() {
    var params = new URLSearchParams();
    if (!form) { return params; }
    new FormData(form).forEach(function (value, key) {
      if (key !== "figure" && value !== "") { params.set(key, value); }
    });
    return params;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  /* --- view transform: pan and zoom change one attribute --- */
  var frame = null;
  function clampView() {
    view.k = Math.max(1, Math.min(MAX_ZOOM, view.k));
    view.x = Math.min(0, Math.max(W - W * view.k, view.x));
    view.y = Math.min(0, Math.max(H - H * view.k, view.y));
  }
  function render() {
    frame = null;
    viewport.setAttribute("transform", "translate(" + view.x.toFixed(2) + "," + view.y.toFixed(2) + ") scale(" + view.k.toFixed(4) + ")");
    var points = gPoints.childNodes;
    for (var i = 0; i < points.length; i++) {
      points[i].setAttribute("r", (points[i].__r / view.k).toFixed(3));
    }
  }
  function changed() {
    clampView();
    if (!frame) { frame = window.requestAnimationFrame(render); }
    scheduleLayers();
  }
  function zoomAt(factor, cx, cy) {
    var k = Math.max(1, Math.min(MAX_ZOOM, view.k * factor));
    view.x = cx - (cx - view.x) * (k / view.k);
    view.y = cy - (cy - view.y) * (k / view.k);
    view.k = k;
    changed();
  }
  function pan(dx, dy) { view.x += dx; view.y += dy; changed(); }
  function reset() { view = { k: 1, x: 0, y: 0 }; changed(); }
  function toViewBox(event) {
    var box = svg.getBoundingClientRect();
    return { x: (event.clientX - box.left) * W / box.width, y: (event.clientY - box.top) * H / box.height };
  }

  svg.addEventListener("wheel", function (event) {
    event.preventDefault();
    var p = toViewBox(event);
    zoomAt(Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.002)), p.x, p.y);
  }, { passive: false });

  var drag = null;
  svg.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) { return; }
    drag = { id: event.pointerId, start: toViewBox(event), x: view.x, y: view.y, moved: false };
    svg.setPointerCapture(event.pointerId);
    svg.classList.add("dragging");
  });
  svg.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.id) { return; }
    var p = toViewBox(event);
    var dx = p.x - drag.start.x, dy = p.y - drag.start.y;
    if (Math.abs(dx) + Math.abs(dy) > 2) { drag.moved = true; }
    view.x = drag.x + dx;
    view.y = drag.y + dy;
    changed();
  });
  function endDrag(event) {
    if (!drag || event.pointerId !== drag.id) { return; }
    svg.classList.remove("dragging");
    svg.__dragged = drag.moved;
    drag = null;
  }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  svg.addEventListener("dblclick", function (event) {
    var p = toViewBox(event);
    zoomAt(event.shiftKey ? 0.5 : 2, p.x, p.y);
  });
  svg.addEventListener("keydown", function (event) {
    var step = 60;
    var keys = {
      ArrowLeft: function () { pan(step, 0); }, ArrowRight: function () { pan(-step, 0); },
      ArrowUp: function () { pan(0, step); }, ArrowDown: function () { pan(0, -step); },
      "+": function () { zoomAt(1.5, W / 2, H / 2); }, "=": function () { zoomAt(1.5, W / 2, H / 2); },
      "-": function () { zoomAt(1 / 1.5, W / 2, H / 2); }, "0": reset
    };
    if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
  });
  root.querySelectorAll(".map-controls [data-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      var actions = {
        "zoom-in": function () { zoomAt(1.5, W / 2, H / 2); },
        "zoom-out": function () { zoomAt(1 / 1.5, W / 2, H / 2); },
        "pan-left": function () { pan(80, 0); }, "pan-right": function () { pan(-80, 0); },
        "pan-up": function () { pan(0, 80); }, "pan-down": function () { pan(0, -80); },
        reset: reset
      };
      actions[button.dataset.action]();
    });
  });

  /* --- the visible area in degrees, for the city layers --- */
  function visibleBox() {
    var lons = [], lats = [];
    for (var i = 0; i <= 6; i++) {
      for (var j = 0; j <= 6; j++) {
        var sx = (i / 6 * W - view.x) / view.k, sy = (j / 6 * H - view.y) / view.k;
        var ll = projection.invert([sx, sy]);
        if (ll && isFinite(ll[0]) && isFinite(ll[1])) { lons.push(ll[0]); lats.push(ll[1]); }
      }
    }
    if (!lons.length) { return null; }
    var pad = 2 / view.k;
    return [Math.max(-180, Math.min.apply(null, lons) - pad), Math.max(-90, Math.min.apply(null, lats) - pad),
            Math.min(180, Math.max.apply(null, lons) + pad), Math.min(90, Math.max.apply(null, lats) + pad)];
  }

  /* --- choropleth --- */
  function valueOf(record) {
    if (!record) { return null; }
    if (figure === "south_south_share") { return record.south_south_share; }
    return record[figure];
  }
  var breaks = [];
  function computeBreaks() {
    var values = Object.keys(countryFigures).map(function (k) { return valueOf(countryFigures[k]); })
      .filter(function (v) { return v !== null && v !== undefined && v > 0; });
    if (figure === "south_south_share") { breaks = [0.1, 0.2, 0.35, 0.5, 0.7]; return; }
    var max = values.length ? Math.max.apply(null, values) : 1;
    breaks = [1, 2, 3, 4, 5].map(function (i) { return Math.max(1, Math.round(Math.pow(max, i / 6))); });
  }
  function classOf(value) {
    if (value === null || value === undefined || (value === 0 && figure !== "south_south_share")) { return "nodata"; }
    var q = 0;
    while (q < breaks.length && value >= breaks[q]) { q++; }
    return "q" + q;
  }
  function shade() {
    computeBreaks();
    gCountries.childNodes.forEach(function (node) {
      var record = countryFigures[node.__numeric];
      var value = valueOf(record);
      node.setAttribute("class", "country " + classOf(value));
      node.firstChild.textContent = (record ? record.name : node.__name) + ": " +
        (figure === "south_south_share" ? pct(value) : (value === null || value === undefined ? strings.noData : fmt(value)));
    });
    drawLegend();
  }
  function drawLegend() {
    legend.textContent = "";
    var label = figureSelect ? figureSelect.options[figureSelect.selectedIndex].text : figure;
    var head = document.createElement("strong");
    head.textContent = label + ":";
    legend.appendChild(head);
    var edges = [0].concat(breaks);
    edges.forEach(function (low, i) {
      var span = document.createElement("span");
      var sw = el("svg", { width: 14, height: 14, "aria-hidden": "true" }, span);
      el("rect", { width: 14, height: 14, "class": "q" + i }, sw);
      var high = breaks[i];
      var text = figure === "south_south_share"
        ? (high !== undefined ? pct(low) + "–" + pct(high) : "≥ " + pct(low))
        : (high !== undefined ? fmt(low) + "–" + fmt(Math.max(low, high - 1)) : "≥ " + fmt(low));
      span.appendChild(document.createTextNode(text));
      legend.appendChild(span);
    });
  }

  /* --- points and links --- */
  function describe(props) {
    details.textContent = "";
    var p = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = props.name || (props.a_name + " – " + props.b_name);
    p.appendChild(strong);
    var parts = [];
    if (props.a_name) { parts.push(fmt(props.partnerships) + " " + strings.partnerships); }
    else {
      parts.push(fmt(props.partnerships) + " " + strings.partnerships);
      parts.push(fmt(props.organisations) + " " + strings.organisations);
      if (props.practices) { parts.push(fmt(props.practices) + " " + strings.practices); }
      if (props.events) { parts.push(fmt(props.events) + " " + strings.events); }
    }
    p.appendChild(document.createTextNode(" · " + parts.join(" · ")));
    details.appendChild(p);
  }
  function drawPoints(collection) {
    gPoints.textContent = "";
    var max = 1;
    collection.features.forEach(function (f) { max = Math.max(max, f.properties.partnerships || 0, f.properties.organisations || 0); });
    collection.features.forEach(function (f) {
      var xy = projection(f.geometry.coordinates);
      if (!xy) { return; }
      var weight = f.properties.partnerships || f.properties.organisations || 0;
      var r = (level === "city" ? 1.5 : 1.6) + (level === "city" ? 8 : 10) * Math.sqrt(weight / max);
      var c = el("circle", {
        cx: xy[0].toFixed(2), cy: xy[1].toFixed(2), r: (r / view.k).toFixed(3),
        "class": "point" + (f.properties.partnerships ? "" : " orgs-only")
      }, gPoints);
      c.__r = r;
      title(c, f.properties.name + ": " + fmt(f.properties.partnerships) + " " + strings.partnerships + ", " + fmt(f.properties.organisations) + " " + strings.organisations);
      c.addEventListener("click", function () { if (!svg.__dragged) { describe(f.properties); } });
    });
  }
  function drawLinks(collection) {
    gLinks.textContent = "";
    var max = 1;
    collection.features.forEach(function (f) { max = Math.max(max, f.properties.partnerships); });
    collection.features.forEach(function (f) {
      var d = geoPath(f);
      if (!d) { return; }
      var line = el("path", {
        d: d, "class": "link " + f.properties.geography,
        "stroke-width": (0.6 + 3.4 * Math.sqrt(f.properties.partnerships / max)).toFixed(2)
      }, gLinks);
      title(line, f.properties.a_name + " – " + f.properties.b_name + ": " + fmt(f.properties.partnerships) + " " + strings.partnerships);
      line.addEventListener("click", function () { if (!svg.__dragged) { describe(f.properties); } });
    });
  }

  var layerTimer = null;
  var lastKey = null;
  function scheduleLayers() {
    window.clearTimeout(layerTimer);
    layerTimer = window.setTimeout(loadLayers, 250);
  }
  function loadLayers() {
    var wanted = view.k >= CITY_ZOOM ? "city" : "country";
    var params = filterQuery();
    params.set("level", wanted);
    if (wanted === "city") {
      var box = visibleBox();
      if (box) { params.set("bbox", box.map(function (v) { return v.toFixed(3); }).join(",")); }
    }
    var key = params.toString();
    if (key === lastKey) { return; }
    lastKey = key;
    var ticket = ++layerRequest;
    statusLine.textContent = strings.loading;
    Promise.all([
      getJSON(root.dataset.points + "?" + key),
      getJSON(root.dataset.links + "?" + key)
    ]).then(function (data) {
      if (ticket !== layerRequest) { return; }
      level = wanted;
      drawLinks(data[1]);
      drawPoints(data[0]);
      root.dataset.level = wanted;
      statusLine.textContent = (wanted === "city" ? strings.cities : strings.countries) + " · " +
        strings.showing.replace("%(shown)s", fmt(data[1].features.length)).replace("%(total)s", fmt(data[1].total));
    }).catch(function () {
      if (ticket === layerRequest) { statusLine.textContent = strings.failed; lastKey = null; }
    });
  }

  /* --- start: shapes, then figures, then layers --- */
  if (figureSelect) {
    figureSelect.addEventListener("change", function () {
      figure = figureSelect.value;
      var url = new URL(window.location.href);
      url.searchParams.set("figure", figure);
      window.history.replaceState(null, "", url);
      shade();
    });
  }
  var query = filterQuery().toString();
  Promise.all([
    getJSON(root.dataset.atlas),
    getJSON(root.dataset.countries + (query ? "?" + query : ""))
  ]).then(function (data) {
    var world = data[0];
    data[1].items.forEach(function (c) { if (c.numeric) { countryFigures[c.numeric] = c; } });
    var shapes = topojson.feature(world, world.objects.countries).features;
    shapes.forEach(function (shape) {
      var node = el("path", { d: geoPath(shape), "class": "country nodata" }, gCountries);
      node.__numeric = shape.id;
      node.__name = shape.properties.name;
      title(node, shape.properties.name);
      node.addEventListener("click", function () {
        if (svg.__dragged) { return; }
        var record = countryFigures[shape.id];
        if (record) {
          describe({ name: record.name, partnerships: record.partnerships, organisations: record.organisations, practices: record.practices, events: record.events });
        }
      });
    });
    shade();
    root.dataset.ready = "true";
    loadLayers();
  }).catch(function () {
    statusLine.textContent = strings.failed;
  });
}());
