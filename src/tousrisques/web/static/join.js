// The join page: the code may come in the URL's fragment (#code=…, from a QR code: a fragment
// is never sent to a server); the token goes in this tab's sessionStorage only.

import { api, clear, detail, el, exerciseId, lang, tokenKey } from "./common.js";

const codeInput = document.getElementById("join-code");
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get("code")) {
  codeInput.value = fragment.get("code");
  // keep the code out of the address bar (and of the history), but in the language switch
  history.replaceState(null, "", location.pathname + location.search);
}
const switchLink = document.getElementById("lang");
switchLink.addEventListener("click", () => {
  if (codeInput.value) switchLink.hash = `code=${encodeURIComponent(codeInput.value)}`;
});

document.getElementById("join-form").addEventListener("submit", async (evt) => {
  evt.preventDefault();
  const result = clear(document.getElementById("join-result"));
  const button = document.getElementById("join-submit");
  button.disabled = true;
  const res = await api(`/exercises/${encodeURIComponent(exerciseId)}/join`, {
    method: "POST",
    body: { name: document.getElementById("join-name").value.trim(), code: codeInput.value.trim() },
  });
  button.disabled = false;
  if (!res.ok) { result.append(el("span", { class: "refused" }, detail(res))); return; }
  sessionStorage.setItem(tokenKey(exerciseId), res.data.token);
  const page = res.data.role === "observer" ? "observe" : "play";
  location.assign(`/${page}/${encodeURIComponent(exerciseId)}?lang=${lang}`);
});
