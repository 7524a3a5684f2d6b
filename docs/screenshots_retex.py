"""Screenshots of an exercise's RETEX, for docs/exercise.md.

Plays a short scripted exercise on run 6 of the Rouen storm (the run where Elbeuf's town hall
loses every channel at 02:00) through the exercise model — the COD, Elbeuf, the SDIS, the CHU
and Orange act on their injects, Elbeuf sends its reserve door to door before it is cut off,
the SDIS marks a road cut on the map, the COD decides, an observer notes — draws the RETEX in
French and English, and saves it in Debian's Chromium on a laptop and on a 400-px phone, and
prints it to PDF::

    .venv/bin/python docs/screenshots_retex.py      # writes docs/images/retex-*.png
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import ViewportSize, sync_playwright

from tousrisques.exercise import Exercise, MemoryStore, Session, review
from tousrisques.report._retex import render_retex
from tousrisques.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images"


def play() -> tuple[Session, MemoryStore]:
    ex = Exercise.for_run(load_scenario(ROOT / "examples/rouen/scenarios/tempete.yaml"), 6)
    store = MemoryStore()
    t0 = datetime(2026, 3, 12, 9, tzinfo=UTC)
    s = Session.create(store, "demo", ex, now=t0, speed=60, scenario_name="rouen/tempete")

    def at(hhmm: str) -> datetime:
        """The real time the running clock (60 scenario seconds a second) shows ``hhmm``;
        the injects due by then are delivered, as the server's clock task does."""
        h, m = (int(x) for x in hhmm.split(":"))
        for minute in range(0, h * 60 + m + 1, 5):
            s.advance(t0 + timedelta(seconds=minute))
        return t0 + timedelta(seconds=(h * 3600 + m * 60) / 60)

    for actor, name in (("COD", "Claire (préfecture)"), ("CCC-76231", "Maire d'Elbeuf"),
                        ("SDIS", "CODIS 76"), ("CHU", "Direction du CHU"),
                        ("OP-ORANGE", "Astreinte Orange")):
        s.join(t0, actor, name)
    s.join(t0, None, "Observatrice SGDSN", role="observer")
    s.start(t0)
    s.done(at("00:25"), "COD", "I1", 0, name="Claire (préfecture)")
    s.log(at("00:30"), "COD", "COD activé, salle de crise ouverte.", "action")
    s.send(at("00:50"), "COD", "fr-alert", [], "Vents violents : restez chez vous.")
    s.done(at("00:55"), "COD", "I1", 1, name="Claire (préfecture)")
    s.done(at("01:20"), "CCC-76231", "I2", 0, name="Maire d'Elbeuf")
    s.send(at("01:25"), "CCC-76231", "mobile", ["COD"], "PCS déclenché à Elbeuf.")
    s.dispatch(at("01:30"), "CCC-76231", "RESERVE-76231",
               [z for z in ex.zone_ids if z.startswith("Z-76231-")][:12], name="Maire d'Elbeuf")
    s.send(at("02:10"), "SDIS", "radio-secours", ["COD"], "300 appels/h au CTA, renforts ?")
    s.send(at("02:20"), "COD", "fixe", ["SDIS"], "Colonne de renfort engagée.")
    s.done(at("02:45"), "SDIS", "I3", 0, name="CODIS 76")
    s.annotate(at("03:30"), "SDIS", "road_cut", "Arbre en travers de la D938",
               {"type": "Point", "coordinates": [1.0105, 49.2876]}, name="CODIS 76")
    s.send(at("03:40"), "CCC-76231", "fixe", ["COD"], "Plus de téléphone à la mairie.")
    s.log(at("03:45"), "CCC-76231", "Mairie coupée : messagers à vélo vers la caserne.",
          "situation")
    s.send(at("04:15"), "CHU", "fixe", ["COD"], "Sur groupes électrogènes, 48 h de fioul.")
    s.done(at("04:20"), "CHU", "I5", 0, name="Direction du CHU")
    s.send(at("04:30"), "SDIS", "radio-secours", ["CHU"],
           "3 blessés par chutes d'arbres en route vers vos urgences.")
    s.send(at("05:30"), "OP-ORANGE", "officier-liaison", ["COD"],
           "Antennes hors service : liste jointe, rétablissement par priorité.")
    s.done(at("05:50"), "OP-ORANGE", "I6", 0, name="Astreinte Orange")
    seqs = [e.seq for e in s.events if e.kind in ("message.sent", "annotation.added")][-4:]
    s.decide(at("06:20"), "COD", "Envoyer un officier de liaison à Elbeuf", "Préfète",
             "mairie injoignable, route coupée", based_on_seqs=seqs, name="Claire (préfecture)")
    s.note(at("06:40"), "Elbeuf injoignable depuis 02:00, personne ne l'a signalé avant 06:00.",
           name="Observatrice SGDSN")
    s.end(at("09:00"))
    return s, store


def main() -> int:
    session, store = play()
    r = review(session.exercise, store.read("demo"))
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        for lang in ("fr", "en"):
            page_file = Path(tmp) / f"retex-{lang}.html"
            page_file.write_text(render_retex(r, session.exercise, lang, exercise_id="demo",
                                              files=("retex-demo.json", "retex-demo.csv")))
            for name, size in (("desktop", ViewportSize(width=1280, height=1700)),
                               ("phone", ViewportSize(width=400, height=1600))):
                page = browser.new_page(viewport=size)
                page.goto(page_file.as_uri())
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= size["width"], (lang, name, wide)  # tables scroll in their box
                page.screenshot(path=OUT / f"retex-{lang}-{name}.png")
                if name == "desktop":
                    page.locator("#circuits").screenshot(path=OUT / f"retex-{lang}-circuits.png")
                    pdf = Path(tmp) / f"retex-{lang}.pdf"
                    page.pdf(path=pdf, format="A4", print_background=True)
                    pages = pdf.read_bytes().count(b"/Type /Page") - 1
                    print(f"{lang}: PDF of {pages} pages")
                page.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
