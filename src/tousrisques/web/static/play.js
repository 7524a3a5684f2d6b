// The player's page: role and reflex sheet, channels now, inbox, compose (a blocked send says
// why and which channel would get through), volunteers, the situation log, decisions, the map.

import {
  Clock, api, debounce, clear, detail, download, el, exerciseId, follow, getToken, lang, num, pick,
  roleName, say, share, showState, w,
} from "./common.js";
import { addresseeOptions, chainOf, communeOf } from "./actors.js";
import { COLON } from "./common.js";
import {
  channelItems, citeOption, decisionItem, inboxItem, openExercise, settle, logItem, prepend,
} from "./feed.js";
import { startMap } from "./map.js";
import { reflexItems, wireDownloads, wireForms } from "./forms.js";

const token = getToken(exerciseId);
const base = `/exercises/${encodeURIComponent(exerciseId)}`;
if (!token) location.replace(`/join/${encodeURIComponent(exerciseId)}?lang=${lang}`);

const clock = new Clock();
let ctx = null;
let map = null;
let timer = null; // the periodic refresh, stopped when the exercise ends
let myChannels = [];

async function refreshMe() {
  const me = await api(`${base}/me`, { token });
  if (!me.ok) { say(detail(me), true); return null; }
  const data = me.data;
  if (data.role !== "player") { location.replace(`/observe/${encodeURIComponent(exerciseId)}?lang=${lang}`); return null; }
  document.getElementById("me-name").textContent = data.name || "";
  myChannels = data.channels;
  const ul = clear(document.getElementById("channels"));
  ul.append(...channelItems(ctx, data.channels));
  fillChannelSelect();
  return data;
}

function fillChannelSelect() {
  const select = document.getElementById("compose-channel");
  const chosen = select.value;
  clear(select);
  for (const ch of myChannels) {
    select.append(el("option", { value: ch.channel, "data-broadcast": ch.broadcast ? "true" : "false" },
      `${pick(ch.name)} — ${ch.available ? w("available") : w("unavailable")}`));
  }
  if (chosen && myChannels.some((c) => c.channel === chosen)) select.value = chosen;
  syncBroadcast();
}

function syncBroadcast() {
  const option = document.getElementById("compose-channel").selectedOptions[0];
  document.getElementById("compose-to").disabled = option ? option.dataset.broadcast === "true" : false;
}

async function refreshClock() {
  const info = await api(base, { token });
  if (!info.ok) return;
  clock.set(info.data);
  showState(info.data.state, clock);
}

async function refreshReflex() {
  const res = await api(`${base}/reflex`, { token });
  if (!res.ok) { say(detail(res), true); return; }
  const ul = clear(document.getElementById("reflex"));
  const items = reflexItems(ctx, res.data.items || [], token, true);
  if (items.length) ul.append(...items);
  else ul.append(el("li", { class: "muted" }, w("no_reflex")));
}

const afterClock = debounce(() => { refreshMe(); refreshClock(); if (map && map.refresh) map.refresh(); });

function onEvent(event) {
  const p = event.payload || {};
  if (event.kind === "exercise.created") { ctx.start = p.start; ctx.zone = p.timezone; clock.created(p); return; }
  if (event.kind.startsWith("clock.")) {
    clock.fromEvent(event);
    showState(p.running ? "running" : "paused", clock);
    if (event.kind !== "clock.speed") afterClock();
    return;
  }
  if (event.kind === "exercise.ended") { clearInterval(timer); showState("ended", clock); clock.set({ scenario_s: clock.now(), running: false }); return; }
  if (event.kind === "log.entry") prepend(document.getElementById("log"), logItem(ctx, event));
  else if (event.kind === "decision") prepend(document.getElementById("decisions"), decisionItem(ctx, event));
  else if (event.kind === "annotation.added") { if (map) map.add(event); }
  else if (event.kind === "action.done" || (event.kind === "inject.delivered" && p.expected && p.expected.length)) refreshReflex();
  const item = inboxItem(ctx, event);
  if (item) prepend(document.getElementById("inbox"), item);
  citeOption(ctx, event);
}


async function compose(evt) {
  evt.preventDefault();
  const result = clear(document.getElementById("compose-result"));
  const channelSelect = document.getElementById("compose-channel");
  const channel = channelSelect.value;
  const broadcast = channelSelect.selectedOptions[0]?.dataset.broadcast === "true";
  const to = broadcast ? [] : [...document.getElementById("compose-to").selectedOptions].map((o) => o.value);
  const text = document.getElementById("compose-text").value.trim();
  if (!text) { result.append(w("need_text")); return; }
  if (!broadcast && !to.length) { result.append(w("need_to")); return; }
  const body = broadcast ? { channel, text } : { channel, to, text };
  const res = await api(`${base}/messages`, { method: "POST", token, body });
  if (!res.ok) { result.append(el("p", { class: "refused" }, detail(res))); return; }
  const d = res.data;
  result.dataset.status = d.status;
  result.append(el("p", { class: d.status }, `${w(d.status)}${d.reached ? ` — ${share(d.reached.share)} · ${num(d.reached.people)} ${w("reached")}` : ""}`));
  if (d.status === "blocked") {
    result.append(el("p", { class: "reason" }, pick(d.reason)));
    // the answer has no alternatives: the blocked event in the log has them
    const ev = await api(`${base}/events?after=${d.seq - 1}&limit=1`, { token });
    const alternatives = ev.ok && ev.data.events[0] && ev.data.events[0].seq === d.seq
      ? ev.data.events[0].payload.alternatives || [] : [];
    if (alternatives.length) {
      const p = el("p", { class: "alternatives" }, `${w("alternatives")} `);
      for (const alt of alternatives) {
        const button = el("button", { type: "button", class: "secondary", "data-use": alt }, `${w("use")} ${ctx.channelName(alt)}`);
        button.addEventListener("click", () => { channelSelect.value = alt; syncBroadcast(); document.getElementById("compose-send").focus(); });
        p.append(button, " ");
      }
      result.append(p);
    } else {
      result.append(el("p", { class: "note" }, w("no_alternative")));
    }
  } else {
    document.getElementById("compose-text").value = "";
  }
}

async function main() {
  if (!token) return;
  ctx = await openExercise(base, token, clock);
  if (!ctx) return;
  const me = await refreshMe();
  if (!me) return;
  ctx.me = me.actor;
  const actor = ctx.actors.get(me.actor);
  document.getElementById("role-name").textContent = actor ? pick(actor.name) : me.actor;
  document.getElementById("role-id").textContent = `${me.actor} · ${actor ? roleName(actor.role) : ""}`;
  // a hundred actors on a métropole: grouped by role, the crisis cells and one's superiors first
  addresseeOptions(document.getElementById("compose-to"), ctx.info.actors, {
    first: chainOf(ctx.info.actors, me.actor), firstLabel: w("first_to"), me: me.actor });
  document.getElementById("compose-channel").addEventListener("change", syncBroadcast);
  document.getElementById("compose").addEventListener("submit", compose);
  wireForms(base, token);
  wireDownloads(base, token);
  relays(ctx.info, me.actor);
  await refreshReflex();
  map = await startMap(exerciseId, token, (id) => ctx.channelName(id));
  for (const z of (map && map.geo ? map.geo.zones : [])) ctx.zones.set(z.id, z.name || z.id);
  await follow(exerciseId, token, onEvent);
  setInterval(() => settle(ctx), 2000);
  timer = setInterval(() => { refreshMe(); refreshClock(); if (map && map.refresh) map.refresh(); }, 10000);
}

function relays(info, me) {
  const relayActors = info.actors.filter((a) => a.role === "citizen_relay" && a.id !== me);
  if (!relayActors.length || info.actors.find((a) => a.id === me)?.role === "citizen_relay") return;
  const panel = document.getElementById("relays-panel");
  const select = document.getElementById("relay-actor");
  const communeSelect = document.getElementById("relay-commune");
  const zonesSelect = document.getElementById("relay-zones");
  const send = document.getElementById("relay-send");
  // the player's own relays (those reporting to it) first, then by name
  const mine = (a) => ((a.reports_to || []).includes(me) ? 0 : 1);
  relayActors.sort((x, y) => mine(x) - mine(y) || pick(x.name).localeCompare(pick(y.name), lang));
  for (const a of relayActors) select.append(el("option", { value: a.id }, pick(a.name)));
  panel.hidden = false;
  let geo = null;
  let home = null; // the chosen relay's commune
  let armed = false; // a relay sent outside its commune: a second click confirms
  const disarm = () => { armed = false; delete send.dataset.armed; };
  const zonesOf = (code) => geo.zones.filter((z) => (z.commune || z.id) === code);
  const showZones = () => { // the commune's zones, all chosen (the player may leave some out)
    clear(zonesSelect);
    const zones = zonesOf(communeSelect.value).sort((x, y) => y.population - x.population);
    const seen = new Map(); // names that several zones share (a commune's cells): their id too
    for (const z of zones) seen.set(z.name || z.id, (seen.get(z.name || z.id) || 0) + 1);
    for (const z of zones) {
      const name = z.name || z.id;
      zonesSelect.append(el("option", { value: z.id, selected: true },
        `${seen.get(name) > 1 ? `${name} (${z.id})` : name} — ${num(z.population)} ${w("inhabitants")}`));
    }
    disarm();
  };
  const showCommunes = () => { // the relay's own commune first and chosen, then by name
    home = communeOf(info.actors.find((a) => a.id === select.value), geo);
    const names = new Map((geo.communes || []).map((c) => [c.code, c.name]));
    const codes = [...new Set(geo.zones.map((z) => z.commune || z.id))];
    const name = (code) => names.get(code) || geo.zones.find((z) => z.id === code)?.name || code;
    codes.sort((x, y) => (x === home ? -1 : y === home ? 1 : name(x).localeCompare(name(y), lang)));
    clear(communeSelect);
    for (const code of codes) {
      const people = zonesOf(code).reduce((n, z) => n + z.population, 0);
      communeSelect.append(el("option", { value: code },
        `${name(code)}${code === home ? ` (${w("own_commune")})` : ""} — ${num(people)} ${w("inhabitants")}`));
    }
    if (codes.length) communeSelect.value = codes[0];
    showZones();
  };
  (async () => {
    const res = await api(`${base}/map`, { token });
    if (!res.ok) { say(detail(res), true); return; }
    geo = res.data;
    showCommunes();
  })();
  select.addEventListener("change", () => { if (geo) showCommunes(); });
  communeSelect.addEventListener("change", showZones);
  zonesSelect.addEventListener("change", disarm);
  document.getElementById("relay-form").addEventListener("submit", async (evt) => {
    evt.preventDefault();
    const result = clear(document.getElementById("relay-result"));
    const zones = [...zonesSelect.selectedOptions].map((o) => o.value);
    if (!zones.length) { result.append(el("span", { class: "refused" }, w("need_place_zone"))); return; }
    if (home && communeSelect.value !== home && !armed) {
      armed = true;
      send.dataset.armed = "true";
      result.append(el("span", { class: "refused" },
        `${communeSelect.selectedOptions[0].textContent.split(" — ")[0]} ${w("outside_commune")}`));
      return;
    }
    disarm();
    const res = await api(`${base}/relays`, { method: "POST", token, body: { relay: select.value, zones } });
    if (!res.ok) { result.append(el("span", { class: "refused" }, detail(res))); return; }
    result.append(el("span", { class: res.data.status }, `${w("relay_sent")}${COLON}${w(res.data.status)}`));
    if (res.data.reason) result.append(" — ", el("span", { class: "reason" }, pick(res.data.reason)));
    if (res.data.starts_s !== null && res.data.starts_s !== undefined) result.append(` — ${w("starts")} ${ctx.time(res.data.starts_s)}`);
  });
}

main();
