// The demo street drawn from its GeoJSON boundaries (no map tiles): the map to pick a location
// on, and the small maps of locations in the chats.
"use strict";

const Street = (() => {
  const NS = "http://www.w3.org/2000/svg";
  let features = [];
  let box = null; // west, south, east, north and the x scale of a degree of longitude

  function rings(geometry) {
    if (!geometry) return [];
    if (geometry.type === "Polygon") return [geometry.coordinates[0]];
    if (geometry.type === "MultiPolygon") return geometry.coordinates.map((p) => p[0]);
    return [];
  }

  function load(geojson) {
    features = geojson.features.filter((f) => rings(f.geometry).length);
    const points = features.flatMap((f) => rings(f.geometry).flat());
    const lons = points.map((p) => p[0]);
    const lats = points.map((p) => p[1]);
    const south = Math.min(...lats), north = Math.max(...lats);
    const kx = Math.cos(((south + north) / 2) * Math.PI / 180);
    box = { west: Math.min(...lons), east: Math.max(...lons), south, north, kx };
  }

  const SIDE = 1000;
  function scale() {
    const width = (box.east - box.west) * box.kx, height = box.north - box.south;
    return SIDE / Math.max(width, height);
  }
  function project(lon, lat) {
    const s = scale();
    return [(lon - box.west) * box.kx * s, (box.north - lat) * s];
  }
  function unproject(x, y) {
    const s = scale();
    return { longitude: box.west + x / s / box.kx, latitude: box.north - y / s };
  }
  function size() {
    return project(box.east, box.south);
  }

  function el(name, attrs) {
    const node = document.createElementNS(NS, name);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    return node;
  }

  function path(feature) {
    return rings(feature.geometry)
      .map((ring) => "M" + ring.map(([lon, lat]) => project(lon, lat).map((v) => v.toFixed(1)).join(",")).join("L") + "Z")
      .join("");
  }

  // The whole street; `onPick({latitude, longitude})` is called with the clicked point.
  function draw(onPick) {
    const [w, h] = size();
    const svg = el("svg", { viewBox: `0 0 ${w.toFixed(0)} ${h.toFixed(0)}`, class: "street" });
    for (const level of ["street", "community", "grid"]) {
      for (const feature of features.filter((f) => f.properties.level === level)) {
        const shape = el("path", { d: path(feature), class: level, "data-code": feature.properties.code });
        const title = el("title");
        title.textContent = `${feature.properties.code} ${feature.properties.name || ""}`;
        shape.append(title);
        svg.append(shape);
      }
    }
    for (const feature of features.filter((f) => f.properties.level === "grid")) {
      const ring = rings(feature.geometry)[0];
      const xs = ring.map((p) => project(p[0], p[1]));
      const cx = xs.reduce((a, p) => a + p[0], 0) / xs.length;
      const cy = xs.reduce((a, p) => a + p[1], 0) / xs.length;
      const label = el("text", { x: cx.toFixed(0), y: cy.toFixed(0), class: "label" });
      label.textContent = feature.properties.code;
      svg.append(label);
    }
    if (onPick) {
      svg.addEventListener("click", (event) => {
        const point = svg.createSVGPoint();
        point.x = event.clientX;
        point.y = event.clientY;
        const at = point.matrixTransform(svg.getScreenCTM().inverse());
        onPick(unproject(at.x, at.y));
      });
    }
    return svg;
  }

  // A small map of the street with a pin where a location is.
  function pin(latitude, longitude) {
    const svg = draw(null);
    svg.classList.add("mini");
    const [x, y] = project(longitude, latitude);
    svg.append(el("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 18, class: "pin" }));
    return svg;
  }

  return { load, draw, pin, ready: () => box !== null };
})();
