// The observer's page: every message, inject, entry, decision and annotation, read only, and
// notes for the after-action review.

import {
  Clock, api, debounce, clear, download, el, exerciseId, follow, getToken, lang, showState, w,
} from "./common.js";
import { citeOption, decisionItem, inboxItem, openExercise, settle, logItem, noteItem, prepend } from "./feed.js";
import { reflexItems, wireDownloads, wireForms } from "./forms.js";
import { startMap } from "./map.js";

const token = getToken(exerciseId);
const base = `/exercises/${encodeURIComponent(exerciseId)}`;
if (!token) location.replace(`/join/${encodeURIComponent(exerciseId)}?lang=${lang}`);

const clock = new Clock();
let ctx = null;
let map = null;
let timer = null; // the periodic refresh, stopped when the exercise ends

// the sheets shown: the players' and those an inject has asked to act (not 100 empty ones)
const sheets = new Set();

function wantSheets(event) {
  const p = event.payload || {};
  if (event.kind === "participant.joined" && p.role === "player" && p.actor) sheets.add(p.actor);
  if (event.kind === "inject.delivered" || event.kind === "inject.not_received") {
    for (const want of p.expected || []) {
      if (ctx.actors.has(want.who)) sheets.add(want.who);
      else for (const a of ctx.actors.values()) if (a.role === want.who) sheets.add(a.id);
    }
  }
}

async function refreshReflex() {
  const ul = document.getElementById("reflex");
  const items = [];
  for (const actor of sheets) {
    const res = await api(`${base}/reflex?actor=${encodeURIComponent(actor)}`, { token });
    if (res.ok) items.push(...reflexItems(ctx, res.data.items || [], token, false, actor));
  }
  clear(ul);
  if (items.length) ul.append(...items);
  else ul.append(el("li", { class: "muted" }, w("no_items")));
}

let reflexTimer = null;
const reflexSoon = () => { clearTimeout(reflexTimer); reflexTimer = setTimeout(refreshReflex, 500); };

const afterClock = debounce(() => { if (map && map.refresh) map.refresh(); });

function onEvent(event) {
  const p = event.payload || {};
  if (event.kind === "exercise.created") { ctx.start = p.start; ctx.zone = p.timezone; clock.created(p); return; }
  if (event.kind.startsWith("clock.")) {
    clock.fromEvent(event);
    showState(p.running ? "running" : "paused", clock);
    afterClock();
    return;
  }
  if (event.kind === "exercise.ended") { clearInterval(timer); showState("ended", clock); clock.set({ scenario_s: clock.now(), running: false }); return; }
  if (event.kind === "log.entry") prepend(document.getElementById("log"), logItem(ctx, event));
  else if (event.kind === "decision") prepend(document.getElementById("decisions"), decisionItem(ctx, event));
  else if (event.kind === "note.added") prepend(document.getElementById("notes"), noteItem(ctx, event));
  else if (event.kind === "annotation.added") { if (map) map.add(event); }
  if (event.kind === "participant.joined" || event.kind.startsWith("inject.")) wantSheets(event);
  if (["action.done", "participant.joined", "inject.delivered", "inject.not_received"].includes(event.kind)) reflexSoon();
  const item = inboxItem(ctx, event);
  if (item) prepend(document.getElementById("inbox"), item);
  citeOption(ctx, event);
}

async function main() {
  if (!token) return;
  ctx = await openExercise(base, token, clock);
  if (!ctx) return;
  const me = await api(`${base}/me`, { token });
  if (me.ok) document.getElementById("me-name").textContent = me.data.name || "";
  wireForms(base, token);
  wireDownloads(base, token);
  document.getElementById("retex-link").addEventListener("click", (evt) => {
    evt.preventDefault();
    download(`${base}/retex?lang=${lang}`, token, `retex-${exerciseId}-${lang}.html`);
  });
  map = await startMap(exerciseId, token, (id) => ctx.channelName(id));
  for (const z of (map && map.geo ? map.geo.zones : [])) ctx.zones.set(z.id, z.name || z.id);
  await follow(exerciseId, token, onEvent);
  setInterval(() => settle(ctx), 2000);
  timer = setInterval(async () => {
    const again = await api(base, { token });
    if (again.ok) { clock.set(again.data); showState(again.data.state, clock); }
    if (map && map.refresh) map.refresh();
  }, 10000);
}

main();
