// What every page of the exercise shares: its words, the API with the tab's token, the
// event stream, the scenario clock, and elements built as text (never as HTML).

export const lang = document.documentElement.lang === "en" ? "en" : "fr";
export const exerciseId = document.body.dataset.exercise || "";

const WORDS = {};
for (const span of document.getElementById("words").content.querySelectorAll("[data-w]")) {
  WORDS[span.dataset.w] = span.textContent;
}

/** A word of the page's language, rendered by the server. */
export function w(key) {
  return Object.prototype.hasOwnProperty.call(WORDS, key) ? WORDS[key] : key;
}

/** The side of a text given in both languages ({en, fr}); a string as it is. */
export function pick(text) {
  if (text === null || text === undefined) return "";
  if (typeof text === "string") return text;
  return text[lang] || text.en || "";
}

/** An element whose children are nodes or text: user text never becomes HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element with attributes (numbers and our own strings only). */
export function svgEl(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.setAttribute("class", value);
    else if (key === "checked" || key === "disabled" || key === "selected" || key === "value")
      node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
}

/** Empty a node. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// -- tokens: one per exercise, in this tab only ---------------------------------------------

export const tokenKey = (id) => `tousrisques:${id}`;
export const getToken = (id) => sessionStorage.getItem(tokenKey(id));
export const adminToken = () => sessionStorage.getItem("tousrisques:admin");

// -- the API ----------------------------------------------------------------------------------

/** Call the API: {ok, status, data}; the detail of a refusal comes in the page's language. */
export async function api(path, { method = "GET", body, token, raw = false } = {}) {
  const headers = { "Accept-Language": lang };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(`/api${path}`, {
      method, headers, credentials: "same-origin", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    say(w("network"), true);
    return { ok: false, status: 0, data: null };
  }
  if (raw) return { ok: response.ok, status: response.status, response };
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch (err) { data = text; }
  }
  return { ok: response.ok, status: response.status, data };
}

/** The words of a refusal. */
export function detail(res) {
  if (res && res.status === 0) return w("network");
  const d = res && res.data;
  if (d && typeof d.detail === "string") return d.detail;
  if (d && Array.isArray(d.detail)) return d.detail.map((x) => x.msg).join(" · ");
  return `${w("error")} (${res ? res.status : "?"})`;
}

/** A line in the page's status bar (errors stay until the next message). */
export function say(text, error = false) {
  const status = document.getElementById("status");
  if (!status) return;
  status.textContent = text;
  status.hidden = !text;
  status.classList.toggle("error", error);
}

/** Download what the API answers (a token cannot go in a link): a file the browser saves. */
export async function download(path, token, filename) {
  const res = await api(path, { token, raw: true });
  if (!res.ok) {
    const text = await res.response?.text();
    let data = null;
    try { data = JSON.parse(text); } catch (err) { data = null; }
    say(detail({ data, status: res.status }), true);
    return;
  }
  const blob = await res.response.blob();
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// -- the event stream -------------------------------------------------------------------------

export const KINDS = [
  "exercise.created", "clock.started", "clock.paused", "clock.resumed", "clock.jumped",
  "clock.speed", "participant.joined", "inject.delivered", "inject.not_received",
  "message.sent", "log.entry", "decision", "action.done", "annotation.added", "note.added",
  "relay.dispatched", "exercise.ended",
];

/** Follow the exercise's events: the stream's cookie first (POST stream-key with the token),
 *  then an EventSource that replays the log and goes on live; each event once, in order. */
export async function follow(id, token, onEvent) {
  const key = await api(`/exercises/${encodeURIComponent(id)}/stream-key`, { method: "POST", token });
  if (!key.ok) {
    say(detail(key), true);
    return null;
  }
  let last = 0;
  const source = new EventSource(`/api/exercises/${encodeURIComponent(id)}/stream`);
  const handle = (message) => {
    let event;
    try { event = JSON.parse(message.data); } catch (err) { return; }
    if (!event || event.seq <= last) return;
    last = event.seq;
    try { onEvent(event); } catch (err) { say(String(err), true); }
    if (event.kind === "exercise.ended" && !document.body.classList.contains("page-facilitator")) {
      source.close(); // players' and observers' tokens are revoked: the stream is over
      say(w("ended_revoked"));
    }
  };
  for (const kind of KINDS) source.addEventListener(kind, handle);
  source.addEventListener("open", () => say(""));
  return source;
}

// -- the scenario clock -----------------------------------------------------------------------

/** The scenario's clock, ticking in the page between the server's answers. */
export class Clock {
  constructor() {
    this.start = null; // ISO, on the territory's clock
    this.zone = null;
    this.s = 0; this.at = performance.now(); this.running = false; this.speed = 1;
    this.duration = Infinity;
  }

  /** From the exercise.created event (start and timezone). */
  created(payload) {
    this.start = payload.start || null;
    this.zone = payload.timezone || null;
    if (payload.duration_s) this.duration = payload.duration_s;
  }

  /** From a clock event or an answer of /exercises/{id}: where it is and how it runs. */
  set({ scenario_s, running, speed, duration_s }) {
    this.s = scenario_s; this.at = performance.now();
    if (running !== undefined) this.running = running;
    if (speed !== undefined) this.speed = speed;
    if (duration_s) this.duration = duration_s;
  }

  /** From a clock event (replayed or live): where it is now, given when it happened. */
  fromEvent(event) {
    const p = event.payload || {};
    const age = Math.max(0, (Date.now() - Date.parse(event.real_time)) / 1000);
    this.set({ scenario_s: p.running ? p.scenario_s + p.speed * age : p.scenario_s,
               running: p.running, speed: p.speed });
  }

  now() {
    if (!this.running) return this.s;
    return Math.min(this.duration, this.s + this.speed * (performance.now() - this.at) / 1000);
  }

  text(s = this.now()) { return clockText(s, this.start, this.zone); }
}

const NNBSP = "\u202f";

/** A colon as the page's language writes it: French puts a no-break space before it. */
export const COLON = lang === "fr" ? "\u00a0: " : ": ";

/** A scenario time as the territory's clock reads it: "04:10" on the start's day, "3 Nov
 *  04:10" after it; "+31 h 05" without a start. */
export function clockText(s, start, zone) {
  if (s === null || s === undefined || !Number.isFinite(s)) return "—";
  if (!start) {
    const minutes = Math.floor(s / 60);
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return `+${h}${NNBSP}h${m ? NNBSP + String(m).padStart(2, "0") : ""}`;
  }
  const locale = lang === "fr" ? "fr-FR" : "en-GB";
  const t0 = new Date(start);
  const t = new Date(t0.getTime() + s * 1000);
  const opts = zone ? { timeZone: zone } : {};
  const day = (d) => new Intl.DateTimeFormat("en-CA", { ...opts, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
  const time = new Intl.DateTimeFormat(locale, { ...opts, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(t);
  if (day(t) === day(t0)) return time;
  const date = new Intl.DateTimeFormat(locale, { ...opts, day: "numeric", month: "short" }).format(t);
  return `${date} ${time}`;
}

const LOCALE = lang === "fr" ? "fr-FR" : "en-GB";
const INTEGER = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

/** A number as the page's language writes it: "500 534" (French), "500,534". */
export function num(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "—";
  return INTEGER.format(Math.round(x));
}

/** A share as the page's language writes it: "61 %" (narrow space in French), "61%"; one
 *  neither none nor all that rounds to 0 or 100 reads "<1 %" or ">99 %", as the report writes
 *  it (Formats.share): 100 % always means all. */
export function share(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "—";
  const sp = lang === "fr" ? NNBSP : "";
  if (x > 0 && x < 0.005) return `<${sp}${share(0.01)}`;
  if (x >= 0.995 && x < 1) return `>${sp}${share(0.99)}`;
  return `${Math.round(x * 100)}${sp}%`;
}

/** A duration in hours and minutes, as the report writes it: "45 min", "2 h", French
 *  "1 h 30", English "1 h 30 min". */
export function duration(s) {
  if (s === null || s === undefined || !Number.isFinite(s)) return "—";
  const minutes = Math.round(Math.abs(s) / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (!h) return `${m}${NNBSP}min`;
  if (!m) return `${h}${NNBSP}h`;
  const mm = String(m).padStart(2, "0");
  return lang === "fr" ? `${h}${NNBSP}h${NNBSP}${mm}` : `${h}${NNBSP}h${NNBSP}${mm}${NNBSP}min`;
}

/** A role's name in the page's language ("crisis_cell" → "cellule de crise"). */
export const roleName = (role) => (role ? w(`role.${role}`) : "");

/** A text with its first letter in capitals (a group's label). */
export const cap = (text) => (text ? text.charAt(0).toLocaleUpperCase(LOCALE) + text.slice(1) : "");

/** Show the clock in the header (and anywhere else given), every second. */
export function showClock(clock, state, ...outputs) {
  const nodes = [document.getElementById("clock"), ...outputs].filter(Boolean);
  const tick = () => {
    const text = clock.text();
    for (const n of nodes) if (n.textContent !== text) n.textContent = text;
  };
  tick();
  setInterval(tick, 1000);
  return tick;
}

/** The header's badge: not started, running (×speed), paused, ended. */
export function showState(state, clock) {
  const badge = document.getElementById("clock-state");
  if (!badge) return;
  const words = w(`state.${state}`);
  badge.textContent = state === "running" ? `${words} ×${clock.speed}` : words;
  badge.dataset.state = state;
}

/** Join a list of strings with commas. */
export const list = (items) => items.filter(Boolean).join(", ");

/** ``fn`` called once, ``ms`` after the last of a burst of calls (a replayed log). */
export function debounce(fn, ms = 300) {
  let timer = null;
  return () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
}
