// The shared crisis map: an SVG drawn from /map (the territory's geometry) and kept live
// from /map/state (assets down, zones by the share the main alert channel does not reach)
// and the annotation.added events; tools to place a point or a line and post it.

import { api, clear, detail, el, num, pick, say, share, svgEl, w } from "./common.js";
import { COLON } from "./common.js";

const round5 = (x) => Math.round(x * 1e5) / 1e5;

export class CrisisMap {
  constructor(svg) {
    this.svg = svg;
    this.colours = JSON.parse(svg.dataset.colours);
    this.geo = null;
    this.pending = [];
    this.layers = {};
    this.annotations = [];
    this.names = (id) => id;
  }

  /** Project lon/lat to the SVG's units (equirectangular around lat0, 1000 wide). */
  xy(lon, lat) {
    const [w0, , , n] = this.geo.bounds;
    return [(lon - w0) * this.cos * this.k, (n - lat) * this.k];
  }

  lonlat(x, y) {
    const [w0, , , n] = this.geo.bounds;
    return [round5(x / (this.cos * this.k) + w0), round5(n - y / this.k)];
  }

  path(rings) {
    return rings.map((ring) => ring.map(([lon, lat], i) => {
      const [x, y] = this.xy(lon, lat);
      return `${i ? "L" : "M"}${x.toFixed(1)} ${y.toFixed(1)}`;
    }).join("") + "Z").join("");
  }

  draw(geo) {
    this.geo = geo;
    const [w0, s, e, n] = geo.bounds;
    this.cos = Math.cos((geo.lat0 * Math.PI) / 180);
    this.k = 1000 / Math.max((e - w0) * this.cos, 1e-9);
    const height = Math.max((n - s) * this.k, 10);
    const pad = 25; // room for the labels and markers at the edges
    this.full = { x: -pad, y: -pad, w: 1000 + 2 * pad, h: height + 2 * pad };
    this.view = { ...this.full };
    this.setView();
    clear(this.svg);
    const layer = (name) => { const g = svgEl("g", { class: name }); this.svg.append(g); this.layers[name] = g; return g; };
    const zones = layer("zones");
    for (const z of geo.zones) {
      zones.append(svgEl("path", { d: this.path(z.rings), "data-zone": z.id, fill: this.colours.classes[0] },
        svgEl("title", { text: `${z.name || z.id} (${z.population})` })));
    }
    const communes = layer("communes");
    for (const c of geo.communes) {
      communes.append(svgEl("path", { d: this.path(c.rings), "data-commune": c.code },
        svgEl("title", { text: c.name || c.code })));
    }
    const lines = layer("lines");
    for (const l of geo.lines) {
      const pts = l.coords.map(([lon, lat]) => this.xy(lon, lat).map((v) => v.toFixed(1)).join(",")).join(" ");
      lines.append(svgEl("polyline", { points: pts, "data-line": l.id, "data-down": "false" },
        svgEl("title", { text: l.id })));
    }
    const assets = layer("assets");
    for (const a of geo.assets) {
      const [x, y] = this.xy(a.lon, a.lat);
      assets.append(svgEl("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 5, "data-asset": a.id,
        "data-down": "false", fill: this.colours.working[0], stroke: this.colours.working[1] },
      svgEl("title", { text: `${pick(a.kind_label) || a.kind} ${a.id}` })));
    }
    const labels = layer("labels");
    const named = geo.communes.length <= 40 ? geo.communes : [];
    for (const c of named) {
      const pts = c.rings.flat();
      if (!pts.length || !c.name) continue;
      const [x, y] = this.xy(pts.reduce((a, p) => a + p[0], 0) / pts.length, pts.reduce((a, p) => a + p[1], 0) / pts.length);
      const anchor = x < 120 ? "start" : x > 880 ? "end" : "middle";
      labels.append(svgEl("text", { x: x.toFixed(1), y: y.toFixed(1), "text-anchor": anchor }, c.name));
    }
    layer("annotations");
    layer("pending");
    for (const a of this.annotations) this.drawAnnotation(a);
    this.setView();
  }

  get zoom() { return this.full ? this.full.w / this.view.w : 1; }

  /** SVG units per pixel on screen: symbols are sized in pixels. */
  get px() {
    const width = this.svg.getBoundingClientRect().width || 700;
    return this.view ? this.view.w / width : 1;
  }

  pinAt(x, y) { return `translate(${x} ${y}) scale(${(this.px / 1.4).toFixed(3)})`; }

  /** Show ``this.view`` (clamped to the territory); symbols keep their size on screen. */
  setView() {
    const f = this.full;
    const v = this.view;
    v.w = Math.min(v.w, f.w); v.h = Math.min(v.h, f.h);
    v.x = Math.min(Math.max(v.x, f.x), f.x + f.w - v.w);
    v.y = Math.min(Math.max(v.y, f.y), f.y + f.h - v.h);
    this.svg.setAttribute("viewBox", `${v.x.toFixed(1)} ${v.y.toFixed(1)} ${v.w.toFixed(1)} ${v.h.toFixed(1)}`);
    this.svg.classList.toggle("zoomed", this.zoom > 1.01);
    const px = this.px;
    for (const c of this.svg.querySelectorAll(".assets circle")) c.setAttribute("r", (3.5 * px).toFixed(2));
    for (const p of this.svg.querySelectorAll(".pin")) p.setAttribute("transform", this.pinAt(p.dataset.x, p.dataset.y));
    if (this.layers.labels) this.layers.labels.setAttribute("font-size", (13 * px).toFixed(2));
    if (this.layers.pending) this.drawPending();
  }

  /** Zoom by ``factor`` around the view's centre. */
  zoomBy(factor) {
    const v = this.view;
    const cx = v.x + v.w / 2;
    const cy = v.y + v.h / 2;
    const w = Math.max(Math.min(v.w / factor, this.full.w), this.full.w / 32);
    const h = w * (this.full.h / this.full.w);
    this.view = { x: cx - w / 2, y: cy - h / 2, w, h };
    this.setView();
  }

  /** Zoom buttons, and dragging to move once zoomed (a drag is not a click on the map). */
  navigation() {
    const on = (id, f) => { const b = document.getElementById(id); if (b) b.addEventListener("click", f); };
    on("map-zoom-in", () => this.zoomBy(2));
    on("map-zoom-out", () => this.zoomBy(0.5));
    on("map-zoom-reset", () => { this.view = { ...this.full }; this.setView(); });
    let resized = null;
    window.addEventListener("resize", () => { clearTimeout(resized); resized = setTimeout(() => this.setView(), 150); });
    let start = null;
    this.svg.addEventListener("pointerdown", (evt) => {
      if (this.zoom <= 1.01) return;
      start = { x: evt.clientX, y: evt.clientY, view: { ...this.view }, moved: false };
    });
    this.svg.addEventListener("pointermove", (evt) => {
      if (!start) return;
      const dx = evt.clientX - start.x;
      const dy = evt.clientY - start.y;
      if (!start.moved && Math.hypot(dx, dy) < 6) return;
      start.moved = true;
      const scale = start.view.w / this.svg.getBoundingClientRect().width;
      this.view = { ...start.view, x: start.view.x - dx * scale, y: start.view.y - dy * scale };
      this.setView();
    });
    const end = () => {
      if (start && start.moved) { // the click that ends a drag places nothing
        this.dragging = true;
        setTimeout(() => { this.dragging = false; }, 0);
      }
      start = null;
    };
    this.svg.addEventListener("pointerup", end);
    this.svg.addEventListener("pointercancel", end);
    this.svg.addEventListener("pointerleave", end);
  }

  /** Assets and lines down, zones by the share not reached, the reach in words. */
  state(st) {
    if (!this.geo) return;
    const down = new Set(st.assets_down || []);
    for (const c of this.layers.assets.children) {
      const d = down.has(c.dataset.asset);
      c.dataset.down = String(d);
      const [fill, stroke] = d ? this.colours.down : this.colours.working;
      c.setAttribute("fill", fill);
      c.setAttribute("stroke", stroke);
    }
    const linesDown = new Set(st.lines_down || []);
    for (const l of this.layers.lines.children) l.dataset.down = String(linesDown.has(l.dataset.line));
    const zones = st.zones || {};
    for (const p of this.layers.zones.children) {
      const z = zones[p.dataset.zone];
      if (!z) continue;
      // reached by the main alert channel now or informed by the volunteers sent (they pick
      // people independently of the alert: a + b − ab, as Session.zone_reach)
      const cls = shareClass(1 - (z.main + z.relays - z.main * z.relays), this.colours.breaks);
      p.setAttribute("fill", this.colours.classes[cls]);
      p.dataset.class = String(cls);
      p.dataset.main = String(z.main);
    }
    const reach = document.getElementById("reach");
    if (reach && st.reach) {
      const r = st.reach;
      reach.textContent = `${w("reach_main")} (${this.names(r.channel)})${COLON}${share(r.main)} · ${w("reach_any")}${COLON}${share(r.any)} · ${w("reach_relays")}${COLON}${share(r.relays)} · ${num(down.size)} ${w("assets_down")}`;
    }
  }

  /** An annotation.added event's payload on the map. */
  add(event) {
    const a = { ...event.payload, seq: event.seq, scenario_s: event.scenario_s };
    if (this.annotations.some((x) => x.id === a.id)) return;
    this.annotations.push(a);
    if (this.geo) this.drawAnnotation(a);
  }

  drawAnnotation(a) {
    const colour = this.colours.categories[a.category] || "#666";
    const title = svgEl("title", { text: `${w(`cat.${a.category}`)}${COLON}${a.text} — ${a.name || ""}` });
    const g = svgEl("g", { "data-annotation": a.id, "data-category": a.category,
      class: a.shared === false ? "annotation private" : "annotation" }, title);
    const geom = a.geometry || {};
    if (geom.type === "Point") {
      const [x, y] = this.xy(...geom.coordinates);
      g.append(svgEl("path", { d: "M0 0l-9 -16a10 10 0 1 1 18 0z", fill: colour, class: "pin",
        "data-x": x.toFixed(1), "data-y": y.toFixed(1), transform: this.pinAt(x, y) }));
    } else if (geom.type === "LineString") {
      const pts = geom.coordinates.map(([lon, lat]) => this.xy(lon, lat).map((v) => v.toFixed(1)).join(",")).join(" ");
      g.append(svgEl("polyline", { points: pts, stroke: colour, class: "annotation-line" }));
    }
    this.layers.annotations.append(g);
  }

  /** Click (a point) or clicks then double-click (a line) to place; the form posts it. */
  tools(exerciseId, token) {
    const form = document.getElementById("annotate");
    if (!form) return;
    const mode = document.getElementById("annotate-mode");
    const result = document.getElementById("annotate-result");
    const place = (evt) => {
      if (!this.geo) return;
      if (this.dragging) return; // the end of a drag
      const pt = this.svg.createSVGPoint();
      pt.x = evt.clientX; pt.y = evt.clientY;
      const p = pt.matrixTransform(this.svg.getScreenCTM().inverse());
      const ll = this.lonlat(p.x, p.y);
      if (mode.value === "point") this.pending = [ll];
      else {
        const last = this.pending[this.pending.length - 1];
        if (!last || last[0] !== ll[0] || last[1] !== ll[1]) this.pending.push(ll);
      }
      result.textContent = mode.value === "point" ? w("point_added") : w("line_added");
      this.drawPending();
    };
    this.svg.addEventListener("click", place);
    this.svg.addEventListener("dblclick", (evt) => { evt.preventDefault(); document.getElementById("annotate-text").focus(); });
    mode.addEventListener("change", () => { this.pending = []; this.drawPending(); });
    document.getElementById("annotate-clear").addEventListener("click", () => {
      this.pending = []; this.drawPending(); result.textContent = "";
    });
    form.addEventListener("submit", async (evt) => {
      evt.preventDefault();
      const text = document.getElementById("annotate-text").value.trim();
      const point = mode.value === "point";
      if (this.pending.length < (point ? 1 : 2)) { result.textContent = w("need_place"); return; }
      if (!text) { result.textContent = w("need_text"); return; }
      const geometry = point ? { type: "Point", coordinates: this.pending[0] }
        : { type: "LineString", coordinates: this.pending.slice(0, 200) };
      const res = await api(`/exercises/${encodeURIComponent(exerciseId)}/annotations`, {
        method: "POST", token,
        body: { category: document.getElementById("annotate-category").value, text, geometry },
      });
      clear(result);
      if (!res.ok) { result.append(el("span", { class: "refused" }, detail(res))); return; }
      result.append(el("span", { class: res.data.shared ? "ok" : "refused" },
        `${res.data.id}${COLON}${res.data.shared ? w("shared") : w("not_shared")}`));
      if (res.data.reason) result.append(" — ", el("span", { class: "reason" }, pick(res.data.reason)));
      document.getElementById("annotate-text").value = "";
      this.pending = []; this.drawPending();
    });
  }

  drawPending() {
    const g = this.layers.pending;
    if (!g) return;
    clear(g);
    const pts = this.pending.map(([lon, lat]) => this.xy(lon, lat));
    if (pts.length > 1) g.append(svgEl("polyline", { points: pts.map((p) => p.map((v) => v.toFixed(1)).join(",")).join(" ") }));
    for (const [x, y] of pts) g.append(svgEl("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: (5 * this.px).toFixed(2) }));
  }
}

/** The class of a share not reached: 0 none, 1 under the first break, … */
export function shareClass(x, breaks) {
  if (!Number.isFinite(x) || x <= 1e-9) return 0;
  for (let i = 0; i < breaks.length; i += 1) if (x < breaks[i]) return i + 1;
  return breaks.length + 1;
}

/** Load the geometry, then the state now; again on clock events and every 10 s. */
export async function startMap(exerciseId, token, names = null) {
  const svg = document.getElementById("map");
  if (!svg) return null;
  const map = new CrisisMap(svg);
  if (names) map.names = names;
  const base = `/exercises/${encodeURIComponent(exerciseId)}`;
  const geo = await api(`${base}/map`, { token });
  if (!geo.ok) { say(detail(geo), true); return map; }
  map.draw(geo.data);
  map.navigation();
  map.refresh = async () => {
    const st = await api(`${base}/map/state`, { token });
    if (st.ok) map.state(st.data);
  };
  await map.refresh();
  map.tools(exerciseId, token);
  return map;
}
