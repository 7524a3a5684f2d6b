// The exercise's log shown as lists: messages and injects (#inbox), the situation log (#log),
// decisions (#decisions), observers' notes (#notes). Every text a user wrote goes in as text.

import {
  api, clockText, detail, el, exerciseId, lang, list, num, pick, say, share, showClock, showState, tokenKey, w,
} from "./common.js";
import { COLON } from "./common.js";

/** What the pages know of the exercise: actors, channels, the clock's start. */
export class Context {
  constructor(info, me = null) {
    this.info = info; // the exercise as GET /exercises/{id} gave it
    this.actors = new Map((info.actors || []).map((a) => [a.id, a]));
    this.channels = new Map((info.channels || []).map((c) => [c.id, c]));
    this.me = me; // the player's actor id, or null
    this.start = null;
    this.zone = null;
    this.zones = new Map(); // zone id -> name, once the map is loaded
    this.now = () => 0; // the scenario time now (the page's clock)
  }

  zoneName(id) { return this.zones.get(id) || id; }

  actorName(id) {
    if (!id) return "";
    const a = this.actors.get(id);
    return a ? pick(a.name) : id;
  }

  channelName(id) {
    const c = this.channels.get(id);
    return c ? pick(c.name) : id || "";
  }

  time(s) { return clockText(s, this.start, this.zone); }
}

function head(ctx, event, ...parts) {
  return el("p", { class: "item-head" },
    el("time", { class: "when", "data-s": event.scenario_s }, ctx.time(event.scenario_s)), " ",
    ...parts);
}

const badge = (text, cls = "") => el("span", { class: `badge ${cls}`.trim() }, text);

/** An item of #inbox for a message, an inject, volunteers sent (null when not for it). */
export function inboxItem(ctx, event) {
  const p = event.payload || {};
  if (event.kind === "message.sent") return messageItem(ctx, event, p);
  if (event.kind === "inject.delivered" || event.kind === "inject.not_received") {
    const delivered = event.kind === "inject.delivered";
    return el("li", { "data-seq": event.seq, "data-kind": event.kind, class: delivered ? "item-inject" : "item-inject lost" },
      head(ctx, event, badge(w("inject"), "inject"), " ", p.inject || "", " ",
        ctx.me ? "" : `${w("to")} ${ctx.actorName(p.to)} `,
        p.channel ? badge(ctx.channelName(p.channel)) : "",
        delivered ? "" : badge(w("not_received"), "lost")),
      el("p", { class: "text" }, pick(p.text)),
      p.reason ? el("p", { class: "reason" }, pick(p.reason)) : null);
  }
  if (event.kind === "relay.dispatched") {
    const item = el("li", { "data-seq": event.seq, "data-kind": event.kind, class: `item-relay ${p.status}` },
      head(ctx, event, badge(w("relay"), "relay"), " ", ctx.actorName(event.author), " → ",
        ctx.actorName(p.relay), " ", badge(ctx.channelName(p.channel)), " ", statusBadge(p.status)),
      el("p", { class: "text" }, `${w("zones")}${COLON}${list((p.zones || []).map((z) => ctx.zoneName(z)))}`),
      p.starts_s !== null && p.starts_s !== undefined
        ? el("p", { class: "note" }, `${w("starts")} ${ctx.time(p.starts_s)}`) : null,
      p.reason ? el("p", { class: "reason" }, pick(p.reason)) : null);
    if (p.status === "delayed" && Number.isFinite(p.arrives_s)) pending(ctx, item, p.arrives_s);
    return item;
  }
  return null;
}

function messageItem(ctx, event, p) {
  const mine = ctx.me && p.from === ctx.me;
  const broadcast = !p.to || p.to.length === 0;
  const toMe = ctx.me && (p.recipients || []).find((r) => r.actor === ctx.me);
  const status = toMe ? toMe.status : p.status;
  const who = mine ? w("you") : `${ctx.actorName(p.from)}${p.name ? ` (${p.name})` : ""}`;
  const to = broadcast ? w("broadcast") : list((p.to || []).map((a) => ctx.actorName(a) || a));
  const item = el("li", { "data-seq": event.seq, "data-kind": event.kind, "data-status": status,
                          class: `item-message ${mine ? "sent" : "received"} ${status}` },
    head(ctx, event, el("strong", {}, who), ` → ${to} `, badge(ctx.channelName(p.channel)), " ",
      statusBadge(status)),
    el("p", { class: "text" }, p.text || ""));
  const times = (toMe ? [toMe] : p.recipients || []).map((r) => r.arrives_s).filter(Number.isFinite);
  if (status === "delayed" && times.length) pending(ctx, item, Math.max(...times));
  if (p.reached) {
    item.append(el("p", { class: "note" }, `${share(p.reached.share)} · ${num(p.reached.people)} ${w("reached")}`));
  }
  const reason = toMe ? toMe.reason : p.reason;
  if (reason) item.append(el("p", { class: "reason" }, pick(reason)));
  if (!ctx.me) { // the facilitator and the observers: what happened to each addressee
    const lost = (p.recipients || []).filter((r) => r.status === "not_received");
    for (const r of lost) {
      item.append(el("p", { class: "reason" }, `${ctx.actorName(r.actor)}${COLON}${w("not_received")} — ${pick(r.reason)}`));
    }
  }
  return item;
}

const statusBadge = (status) => el("span", { class: `badge st ${status}` }, w(status));

/** A message or an order on its way: "arrives at", until the scenario time passes it. */
function pending(ctx, item, arrives) {
  item.dataset.arrives = String(arrives);
  item.append(el("p", { class: "note arrival" }, `${w("arrives")} ${ctx.time(arrives)}`));
  settle(ctx, item);
}

/** Items on their way whose time has come: delivered. */
export function settle(ctx, root = document) {
  const now = ctx.now();
  const items = root.matches && root.matches("[data-arrives]") ? [root] : root.querySelectorAll("[data-arrives]");
  for (const item of items) {
    if (Number(item.dataset.arrives) > now) continue;
    delete item.dataset.arrives;
    item.dataset.status = "delivered";
    const b = item.querySelector(".badge.st");
    if (b) { b.className = "badge st delivered"; b.textContent = w("delivered"); }
    const note = item.querySelector(".arrival");
    if (note) note.remove();
  }
}

/** An item of #log. */
/** Who wrote: the participant's name, or « Animateur » for the facilitator. */
const writer = (event, p) => (event.author === "facilitator" ? w("facilitator") : p.name || event.author || "");

export function logItem(ctx, event) {
  const p = event.payload || {};
  return el("li", { "data-seq": event.seq, "data-kind": event.kind },
    head(ctx, event, badge(w(`log.${p.category}`)), " ",
      el("strong", {}, writer(event, p)), p.actor ? ` · ${ctx.actorName(p.actor)}` : ""),
    el("p", { class: "text" }, p.text || ""));
}

/** An item of #decisions. */
export function decisionItem(ctx, event) {
  const p = event.payload || {};
  const item = el("li", { "data-seq": event.seq, "data-kind": event.kind },
    head(ctx, event, el("strong", {}, writer(event, p)), p.actor ? ` · ${ctx.actorName(p.actor)}` : ""),
    el("p", { class: "text what" }, p.what || ""));
  if (p.decided_by) item.append(el("p", { class: "note" }, `${w("decided_by")}${COLON}`, el("span", { class: "by" }, p.decided_by)));
  if (p.based_on) item.append(el("p", { class: "note" }, `${w("based_on")}${COLON}`, el("span", { class: "based" }, p.based_on)));
  if (p.based_on_seqs && p.based_on_seqs.length) {
    item.append(el("p", { class: "note seqs" }, `${w("based_on")}${COLON}`, p.based_on_seqs.map((s) => `#${s}`).join(", ")));
  }
  return item;
}

/** An item of #notes. */
export function noteItem(ctx, event) {
  const p = event.payload || {};
  return el("li", { "data-seq": event.seq, "data-kind": event.kind },
    head(ctx, event, el("strong", {}, writer(event, p))),
    el("p", { class: "text" }, p.text || ""));
}

/** Put an item at the top of a list (newest first), once per event. */
export function prepend(listNode, item) {
  if (!listNode || !item) return;
  const seq = item.dataset.seq;
  if (seq && listNode.querySelector(`[data-seq="${CSS.escape(seq)}"]`)) return;
  listNode.prepend(item);
}

/** What a decision may be based on: an option per message, inject, entry, annotation. */
export function citeOption(ctx, event) {
  const select = document.getElementById("decision-seqs");
  if (!select) return;
  const p = event.payload || {};
  let text = "";
  if (event.kind === "message.sent") text = `${w("message")}${COLON}${p.text || ""}`;
  else if (event.kind === "inject.delivered") text = `${w("inject")}${COLON}${pick(p.text)}`;
  else if (event.kind === "log.entry") text = `${w("log")}${COLON}${p.text || ""}`;
  else if (event.kind === "annotation.added") text = `${w("annotation")}${COLON}${p.text || ""}`;
  else return;
  if (text.length > 90) text = `${text.slice(0, 89)}…`;
  select.prepend(el("option", { value: String(event.seq) }, `#${event.seq} ${ctx.time(event.scenario_s)} ${text}`));
}

/** Show the channels of an actor: li[data-channel][data-available] with the reason. */
export function channelItems(ctx, channels) {
  return channels.map((ch) => el("li", {
    "data-channel": ch.channel, "data-available": ch.available ? "true" : "false",
    class: ch.available ? "up" : "down",
  },
  el("span", { class: "dot", "aria-hidden": "true" }),
  el("span", { class: "ch-name" }, pick(ch.name) || ctx.channelName(ch.channel)), " ",
  badge(ch.available ? w("available") : w("unavailable"), ch.available ? "up" : "down"),
  ch.broadcast ? badge(w("broadcast")) : null,
  ch.available ? null : el("span", { class: "reason" }, pick(ch.reason))));
}

/** The exercise a participant's page shows, read with its token: its context, the clock set
 * and shown; null when it cannot be read (a token the server no longer knows leads back to
 * the join page; another refusal is said in the status bar). */
export async function openExercise(base, token, clock) {
  const info = await api(base, { token });
  if (info.status === 401) { // a token this server does not know, or the exercise has ended
    sessionStorage.removeItem(tokenKey(exerciseId));
    location.replace(`/join/${encodeURIComponent(exerciseId)}?lang=${lang}`);
    return null;
  }
  if (!info.ok) { say(detail(info), true); return null; }
  const ctx = new Context(info.data);
  ctx.now = () => clock.now();
  clock.set(info.data);
  showState(info.data.state, clock);
  showClock(clock);
  return ctx;
}
