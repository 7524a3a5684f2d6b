// The facilitator's page: the admin token (this tab only), creating an exercise from the
// library, its join codes with a QR code each, the clock and its controls, every actor's
// channels now, the injects to come and those not received, pushing an inject, the live log,
// the map, ending the exercise and the downloads.

import {
  Clock, adminToken, api, debounce, clear, detail, download, el, follow, lang, pick, roleName, say,
  showClock, showState, w,
} from "./common.js";
import { addresseeOptions } from "./actors.js";
import { COLON } from "./common.js";
import {
  Context, channelItems, citeOption, decisionItem, inboxItem, settle, logItem, noteItem, prepend,
} from "./feed.js";
import { wireDownloads, wireForms } from "./forms.js";
import { startMap } from "./map.js";

let token = adminToken();
const clock = new Clock();
let current = null; // the exercise shown
let ctx = null;
let map = null;
let source = null;
let timer = null;

const $ = (id) => document.getElementById(id);

/** The header's badge, and the controls that make sense in that state. */
function setState(state) {
  showState(state, clock);
  $("ctl-start").disabled = state !== "created";
  $("ctl-pause").disabled = state !== "running";
  $("ctl-resume").disabled = state !== "paused";
  for (const id of ["ctl-speed", "ctl-jump", "ctl-end", "push-send"]) $(id).disabled = state === "ended";
}
const codesKey = (id) => `tousrisques:codes:${id}`;

async function loadLibrary() {
  const res = await api("/library", { token });
  if (!res.ok) { say(detail(res), true); return false; }
  const select = clear($("create-scenario"));
  for (const name of res.data) select.append(el("option", { value: name }, name));
  return true;
}

async function loadExercises() {
  const res = await api("/exercises", { token });
  if (!res.ok) { say(detail(res), true); return; }
  const ul = clear($("exercises"));
  for (const ex of res.data.slice().reverse()) {
    const open = el("button", { type: "button", class: "secondary", "data-open": ex.id }, w("open"));
    open.addEventListener("click", () => show(ex.id));
    ul.append(el("li", { "data-exercise": ex.id }, open, " ", el("code", {}, ex.id), " ",
      ex.scenario, " ", el("span", { class: "badge", "data-state": ex.state }, w(`state.${ex.state}`))));
  }
}

async function create(evt) {
  evt.preventDefault();
  if (!token) { say(w("need_token"), true); return; }
  const by = $("create-by").value;
  const body = { scenario: $("create-scenario").value, speed: Number($("create-speed").value || 1) };
  body[by] = Number($("create-run").value || 0);
  $("create-submit").disabled = true;
  const res = await api("/exercises", { method: "POST", token, body });
  $("create-submit").disabled = false;
  if (!res.ok) { say(detail(res), true); return; }
  sessionStorage.setItem(codesKey(res.data.id), JSON.stringify({
    join_codes: res.data.join_codes, observer_code: res.data.observer_code, players: res.data.players }));
  await loadExercises();
  await show(res.data.id);
}

/** The exercise's players (the actors its injects name): first everywhere. */
const isPlayer = (actor) => Boolean(ctx.actors.get(actor)?.player);

async function showCodes(id) {
  const main = clear($("codes-main"));
  const others = clear($("codes-others"));
  const more = $("codes-more");
  const saved = JSON.parse(sessionStorage.getItem(codesKey(id)) || "null");
  more.hidden = true;
  if (!saved) return;
  const byName = (x, y) => x[1].localeCompare(y[1], lang);
  const all = Object.entries(saved.join_codes).map(([a, c]) => [a, ctx.actorName(a), c]);
  const pending = []; // the folded rows' QR codes: made when unfolded (a hundred requests)
  const row = ([actor, name, code], later) => {
    const url = `${location.origin}/join/${encodeURIComponent(id)}?lang=${lang}#code=${encodeURIComponent(code)}`;
    const qr = el("td", { class: "qr" });
    const link = el("a", { href: url, class: "join-link" }, w("copy"));
    const tr = el("tr", { "data-actor": actor });
    tr.append(el("th", { scope: "row" }, name, el("br"), el("span", { class: "id" }, actor === "observers" ? "" : actor)),
      el("td", {}, el("code", { class: "code" }, code), el("br"), link), qr);
    const make = () => qrCode(url).then((svg) => { if (svg) qr.append(svg); });
    if (later) pending.push(make); else make();
    return tr;
  };
  const first = all.filter(([a]) => isPlayer(a)).sort(byName);
  const rest = all.filter(([a]) => !isPlayer(a)).sort(byName);
  for (const r of first) main.append(row(r, false));
  main.append(row(["observers", w("observers"), saved.observer_code], false));
  for (const r of rest) others.append(row(r, true));
  if (rest.length) {
    more.hidden = false;
    more.open = false;
    $("codes-more-label").textContent = `${w("other_codes")} (${rest.length})`;
    more.ontoggle = () => { if (more.open) while (pending.length) pending.shift()(); };
  }
}

async function qrCode(text) {
  const res = await api("/qr", { method: "POST", token, body: { text }, raw: true });
  if (!res.ok) { say(`QR${COLON}${w("error")} (${res.status})`, true); return null; }
  const doc = new DOMParser().parseFromString(await res.response.text(), "image/svg+xml");
  const svg = doc.documentElement;
  if (!svg || svg.nodeName.toLowerCase() !== "svg") return null;
  for (const s of svg.querySelectorAll("script, foreignObject")) s.remove(); // ours, but still
  const node = document.importNode(svg, true);
  node.setAttribute("role", "img");
  node.setAttribute("aria-label", "QR");
  return node;
}

async function refreshInfo() {
  const res = await api(`/exercises/${encodeURIComponent(current)}`, { token });
  if (!res.ok) { say(detail(res), true); return null; }
  clock.set(res.data);
  setState(res.data.state);
  $("clock-speed").textContent = `×${res.data.speed}`;
  return res.data;
}

async function refreshActors() {
  const res = await api(`/exercises/${encodeURIComponent(current)}/actors`, { token });
  if (!res.ok) { say(detail(res), true); return; }
  // the players and the actors with a channel down first; the others folded, with their count
  const main = clear($("actors-main"));
  const others = clear($("actors-others"));
  let folded = 0;
  const ordered = [...res.data.filter((a) => isPlayer(a.actor)), ...res.data.filter((a) => !isPlayer(a.actor))];
  // a channel down since the start and for the whole run is equipment the actor does not have
  // (planned, not installed: 72 of Rouen's 103 actors at 00:00), not a channel it has lost
  const lost = (c) => !c.available && !(c.since_s === 0 && (c.until_s === null || c.until_s === undefined));
  for (const a of ordered) {
    const down = a.channels.filter(lost).length;
    const cut = a.channels.every((c) => !c.available);
    const body = isPlayer(a.actor) || down ? main : others;
    if (body === others) folded += 1;
    body.append(el("tr", { "data-actor": a.actor, "data-down": down, class: cut ? "cut" : "" },
      el("th", { scope: "row" }, pick(a.name), el("br"), el("span", { class: "id" }, `${a.actor} · ${roleName(a.role)}`)),
      el("td", {}, el("ul", { class: "channels" }, channelItems(ctx, a.channels).map((li, i) => {
        const c = a.channels[i];
        if (c.until_s !== null && c.until_s !== undefined) li.append(el("span", { class: "until" }, ` → ${ctx.time(c.until_s)}`));
        return li;
      })))));
  }
  $("actors-more").hidden = !folded;
  $("actors-more-label").textContent = `${w("other_actors")} (${folded})`;
}

async function refreshInjects() {
  const res = await api(`/exercises/${encodeURIComponent(current)}/injects`, { token });
  if (!res.ok) { say(detail(res), true); return; }
  const up = clear($("upcoming"));
  for (const i of res.data.upcoming) {
    up.append(el("li", { "data-inject": i.id || i.inject || "" },
      el("p", { class: "item-head" }, el("time", {}, ctx.time(i.at_s ?? i.due_s)), " ",
        el("strong", {}, i.id || i.inject || ""), ` → ${(i.to || []).map((a) => ctx.actorName(a)).join(", ")}`),
      el("p", { class: "text" }, pick(i.text))));
  }
  if (!res.data.upcoming.length) up.append(el("li", { class: "muted" }, w("no_items")));
  const lost = clear($("not-received"));
  for (const e of res.data.not_received) lost.append(inboxItem(ctx, e));
  if (!res.data.not_received.length) lost.append(el("li", { class: "muted" }, w("no_items")));
}

const afterClock = debounce(() => {
  refreshInfo(); refreshActors(); refreshInjects();
  if (map && map.refresh) map.refresh();
});

function onEvent(event) {
  settle(ctx);
  const p = event.payload || {};
  if (event.kind === "exercise.created") { ctx.start = p.start; ctx.zone = p.timezone; clock.created(p); return; }
  if (event.kind.startsWith("clock.")) {
    clock.fromEvent(event);
    setState(p.running ? "running" : "paused");
    $("clock-speed").textContent = `×${p.speed}`;
    afterClock();
    return;
  }
  if (event.kind === "exercise.ended") { setState("ended"); clock.set({ scenario_s: clock.now(), running: false }); return; }
  if (event.kind === "log.entry") prepend($("log"), logItem(ctx, event));
  else if (event.kind === "decision") prepend($("decisions"), decisionItem(ctx, event));
  else if (event.kind === "note.added") prepend($("notes"), noteItem(ctx, event));
  else if (event.kind === "annotation.added") { if (map) map.add(event); }
  else if (event.kind === "inject.delivered" || event.kind === "inject.not_received") refreshInjects();
  const item = inboxItem(ctx, event);
  if (item) prepend($("inbox"), item);
  citeOption(ctx, event);
}

async function show(id) {
  if (source) source.close();
  if (timer) clearInterval(timer);
  current = id;
  const url = new URL(location.href);
  url.searchParams.set("exercise", id);
  history.replaceState(null, "", url);
  const info = await api(`/exercises/${encodeURIComponent(id)}`, { token });
  if (!info.ok) { say(detail(info), true); return; }
  ctx = new Context(info.data);
  ctx.now = () => clock.now();
  for (const list of ["inbox", "log", "decisions", "notes"]) clear($(list));
  clear($("decision-seqs"));
  $("exercise").hidden = false;
  $("setup").open = false; // the exercise gets the screen (a projector)
  $("exercise-scenario").textContent = info.data.scenario;
  $("exercise-id").textContent = id;
  clock.set(info.data);
  setState(info.data.state);
  $("clock-speed").textContent = `×${info.data.speed}`;
  $("ctl-speed-value").value = info.data.speed;
  // a hundred actors on a métropole: the players first, then grouped by role
  addresseeOptions(clear($("push-to")), info.data.actors, {
    first: info.data.actors.filter((a) => a.player).map((a) => a.id), firstLabel: w("players") });
  const channel = clear($("push-channel"));
  channel.append(el("option", { value: "" }, "—"));
  for (const c of info.data.channels.filter((c) => !c.broadcast)) channel.append(el("option", { value: c.id }, pick(c.name)));
  await showCodes(id);
  await Promise.all([refreshActors(), refreshInjects()]);
  map = await startMap(id, token, (c) => ctx.channelName(c));
  for (const z of (map && map.geo ? map.geo.zones : [])) ctx.zones.set(z.id, z.name || z.id);
  source = await follow(id, token, onEvent);
  timer = setInterval(() => { settle(ctx); refreshInfo(); refreshActors(); refreshInjects(); if (map && map.refresh) map.refresh(); }, 10000);
}

const base = () => `/exercises/${encodeURIComponent(current)}`;

async function control(path, body) {
  const res = await api(`${base()}/${path}`, { method: "POST", token, body });
  if (!res.ok) say(detail(res), true);
  else { say(""); await refreshInfo(); }
  return res;
}

function wire() {
  $("admin-form").addEventListener("submit", async (evt) => {
    evt.preventDefault();
    const value = $("admin-token").value.trim();
    if (!value) { say(w("need_token"), true); return; }
    sessionStorage.setItem("tousrisques:admin", value);
    token = value;
    $("admin-token").value = "";
    if (await loadLibrary()) { say(w("saved")); await loadExercises(); }
  });
  $("create-form").addEventListener("submit", create);
  $("actors-down-only").addEventListener("change", () => {
    $("actors").classList.toggle("down-only", $("actors-down-only").checked);
  });
  $("ctl-start").addEventListener("click", () => control("start"));
  $("ctl-pause").addEventListener("click", () => control("pause"));
  $("ctl-resume").addEventListener("click", () => control("resume"));
  $("speed-form").addEventListener("submit", (evt) => {
    evt.preventDefault();
    control("speed", { speed: Number($("ctl-speed-value").value) });
  });
  $("jump-form").addEventListener("submit", (evt) => {
    evt.preventDefault();
    control("jump", { scenario_s: Number($("ctl-jump-to").value) * 3600 });
  });
  let armed = false;
  $("ctl-end").addEventListener("click", async () => {
    if (!armed) {
      armed = true;
      $("ctl-end").dataset.armed = "true";
      $("ctl-end").textContent = w("end_confirm");
      return;
    }
    await control("end");
  });
  $("push-form").addEventListener("submit", async (evt) => {
    evt.preventDefault();
    const result = clear($("push-result"));
    const to = [...$("push-to").selectedOptions].map((o) => o.value);
    const text = $("push-text").value.trim();
    if (!to.length) { result.append(w("need_to")); return; }
    if (!text) { result.append(w("need_text")); return; }
    const body = { to, text };
    if ($("push-channel").value) body.channel = $("push-channel").value;
    const res = await api(`${base()}/injects`, { method: "POST", token, body });
    if (!res.ok) { result.append(el("span", { class: "refused" }, detail(res))); return; }
    result.append(`${w("sent")}${COLON}${res.data.length}`);
    $("push-text").value = "";
  });
  $("retex-link").addEventListener("click", (evt) => {
    evt.preventDefault();
    download(`${base()}/retex?lang=${lang}`, token, `retex-${current}-${lang}.html`);
  });
  $("export-json").addEventListener("click", (evt) => {
    evt.preventDefault();
    download(`${base()}/export.json`, token, `exercise-${current}.json`);
  });
  $("export-csv").addEventListener("click", (evt) => {
    evt.preventDefault();
    download(`${base()}/export.csv`, token, `exercise-${current}.csv`);
  });
  // the token is read when acting: it is usually pasted after the page has loaded
  wireForms({ toString: base }, () => token);
  wireDownloads({ toString: base }, () => token);
}

async function main() {
  showClock(clock, null, $("clock-big"));
  setInterval(() => { if (ctx) settle(ctx); }, 2000);
  wire();
  if (!token) return;
  if (!(await loadLibrary())) return;
  await loadExercises();
  const id = new URL(location.href).searchParams.get("exercise");
  if (id) await show(id);
}

main();
