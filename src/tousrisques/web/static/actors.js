// The actors of a métropole (a hundred) put in order: the addressee lists grouped by role, the
// exercise's players and the actors one reports to first; the communes of the map's zones.

import { cap, el, pick, roleName, w } from "./common.js";
import { COLON } from "./common.js";

const byName = (a, b) => pick(a.name).localeCompare(pick(b.name), document.documentElement.lang);

/** Fill a multiple select of addressees: a first group (``first``: ids), then one group per
 *  role (its name in the page's language, its actors by name, each by its full name), then
 *  the roles themselves (every actor of a role). ``me`` is left out. */
export function addresseeOptions(select, actors, { first = [], firstLabel = "", me = null } = {}) {
  const wanted = new Set(first);
  const others = actors.filter((a) => a.id !== me);
  const head = others.filter((a) => wanted.has(a.id)).sort(byName);
  if (head.length) {
    select.append(el("optgroup", { label: firstLabel },
      head.map((a) => el("option", { value: a.id, title: pick(a.name) }, pick(a.name)))));
  }
  const roles = [...new Set(others.map((a) => a.role))];
  roles.sort((x, y) => roleName(x).localeCompare(roleName(y), document.documentElement.lang));
  for (const role of roles) {
    const rest = others.filter((a) => a.role === role && !wanted.has(a.id)).sort(byName);
    if (!rest.length) continue;
    select.append(el("optgroup", { label: cap(roleName(role)), "data-role": role },
      rest.map((a) => el("option", { value: a.id, title: pick(a.name) }, pick(a.name)))));
  }
  const all = [...new Set(actors.map((a) => a.role))];
  select.append(el("optgroup", { label: w("whole_roles") }, all.map((role) => {
    const n = actors.filter((a) => a.role === role).length;
    return el("option", { value: role, class: "role" }, `${w("role")}${COLON}${roleName(role)} (${n})`);
  })));
}

/** The crisis cells and the actors ``me`` reports to (ids). */
export function chainOf(actors, me) {
  const mine = actors.find((a) => a.id === me);
  const up = new Set(mine ? mine.reports_to || [] : []);
  return actors.filter((a) => a.id !== me && (a.crisis_cell || up.has(a.id))).map((a) => a.id);
}

/** Whether a point is inside a ring ([[lon, lat], …]): a ray to the east crosses it oddly. */
function inside(lon, lat, ring) {
  let odd = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) odd = !odd;
  }
  return odd;
}

/** The commune (its code) of an actor: the zone its site is in, else the commune its name
 *  names (the longest such name); null when neither says. */
export function communeOf(actor, geo) {
  if (!actor || !geo) return null;
  const site = (geo.assets || []).find((a) => a.id === actor.site);
  if (site) {
    const zone = (geo.zones || []).find((z) => z.commune && (z.rings || []).some((r) => inside(site.lon, site.lat, r)));
    if (zone) return zone.commune;
  }
  const name = pick(actor.name).toLocaleLowerCase();
  let best = null;
  for (const c of geo.communes || []) {
    const n = (c.name || "").toLocaleLowerCase();
    if (n && name.includes(n) && (!best || n.length > best.name.length)) best = { code: c.code, name: n };
  }
  return best ? best.code : null;
}
