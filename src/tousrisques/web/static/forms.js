// The forms several pages share: the situation log, decisions, observers' notes, the reflex
// sheet's checkboxes, and the downloads (a token cannot go in a link).

import { api, clear, detail, download, duration, el, exerciseId, pick, say, w } from "./common.js";

function onSubmit(id, handler) {
  const form = document.getElementById(id);
  if (!form) return;
  form.addEventListener("submit", async (evt) => {
    evt.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try { await handler(form); } finally { if (button) button.disabled = false; }
  });
}

/** The token: a string, or a function read when acting (the facilitator pastes it after the
 *  page has loaded). */
const tokenOf = (token) => (typeof token === "function" ? token() : token);

/** A refusal, or nothing: in the status bar and under the form (which may be far below it). */
function tell(form, text) {
  say(text, Boolean(text));
  const result = form && form.querySelector(".result");
  if (result) {
    clear(result);
    if (text) result.append(el("span", { class: "refused" }, text));
  }
}

async function post(form, path, token, body) {
  const value = tokenOf(token);
  if (!value) { tell(form, w("need_token")); return { ok: false, status: 401, data: null }; }
  const res = await api(path, { method: "POST", token: value, body });
  tell(form, res.ok ? "" : detail(res));
  return res;
}

/** The log's, the decisions' and the notes' forms; ``token`` a string or a function. */
export function wireForms(base, token) {
  onSubmit("log-form", async (form) => {
    const text = document.getElementById("log-text");
    if (!text.value.trim()) { tell(form, w("need_text")); return; }
    const res = await post(form, `${base}/log`, token, {
      text: text.value, category: document.getElementById("log-category").value });
    if (res.ok) text.value = "";
  });
  onSubmit("decision-form", async (form) => {
    const what = document.getElementById("decision-what");
    if (!what.value.trim()) { tell(form, w("need_text")); return; }
    const seqs = [...document.getElementById("decision-seqs").selectedOptions].map((o) => Number(o.value));
    const res = await post(form, `${base}/decisions`, token, {
      what: what.value, decided_by: document.getElementById("decision-by").value,
      based_on: document.getElementById("decision-based").value, based_on_seqs: seqs });
    if (res.ok) {
      what.value = ""; document.getElementById("decision-based").value = "";
      for (const o of document.getElementById("decision-seqs").options) o.selected = false;
    }
  });
  onSubmit("note-form", async (form) => {
    const text = document.getElementById("note-text");
    if (!text.value.trim()) { tell(form, w("need_text")); return; }
    const res = await post(form, `${base}/notes`, token, { text: text.value });
    if (res.ok) text.value = "";
  });
}

/** The annotation downloads (GeoJSON, HXL CSV); ``token`` a string or a function. */
export function wireDownloads(base, token) {
  for (const [id, name] of [["annotations-geojson", "annotations.geojson"], ["annotations-csv", "annotations.csv"]]) {
    const link = document.getElementById(id);
    if (!link) continue;
    link.addEventListener("click", (evt) => {
      evt.preventDefault();
      const value = tokenOf(token);
      if (!value) { say(w("need_token"), true); return; }
      download(`${base}/${name}`, value, name.replace("annotations", `annotations-${exerciseId}`));
    });
  }
}

/** The items of a reflex sheet: li[data-inject][data-index] with a checkbox. */
export function reflexItems(ctx, items, token, editable, actor = null) {
  const base = `/exercises/${encodeURIComponent(exerciseId)}`;
  return items.map((item) => {
    const box = el("input", { type: "checkbox", checked: Boolean(item.done),
      disabled: Boolean(item.done) || !editable, "aria-label": pick(item.action) });
    const status = item.done
      ? `${w("done")} ${ctx.time(item.done.scenario_s)}${item.done.name ? ` · ${item.done.name}` : ""}`
      : item.received ? w("received") : w("not_yet");
    const li = el("li", { "data-inject": item.inject, "data-index": item.index,
      "data-done": item.done ? "true" : "false", class: item.done ? "done" : "" },
    el("label", {}, box, " ", el("span", { class: "action" }, pick(item.action))),
    el("p", { class: "note" }, `${item.inject} · ${w("due")} ${ctx.time(item.due_s)}`,
      item.within_s ? ` · ${w("within")} ${duration(item.within_s)}` : "",
      ` · ${status}`, actor ? ` · ${ctx.actorName(actor)}` : ""));
    if (editable && !item.done) {
      box.addEventListener("change", async () => {
        if (!box.checked) return;
        box.disabled = true;
        const res = await api(`${base}/actions`, { method: "POST", token,
          body: { inject: item.inject, index: item.index } });
        if (!res.ok) { box.checked = false; box.disabled = false; say(detail(res), true); }
      });
    }
    return li;
  });
}
