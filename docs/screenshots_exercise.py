"""Screenshots of the exercise's pages mid-exercise, for docs/exercise.md.

Starts the server in this process (a SQLite file in a temporary folder, the petite-ville
template), plays a few minutes of an exercise through the pages in Debian's Chromium — the
facilitator creates and starts it, the mayor and the fire station join, messages, a log entry,
a decision, annotations, a jump past the ransomware on the mail server — and saves the
facilitator's, a player's and the observer's pages on a laptop and on a 400-px phone::

    .venv/bin/python docs/screenshots_exercise.py      # writes docs/images/exercise-*.png
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import Page, ViewportSize, sync_playwright

from tousrisques.web import ServerSettings, create_app, hash_secret

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "src" / "tousrisques" / "templates"
OUT = ROOT / "docs" / "images"
ADMIN = "screenshots"
DESKTOP: ViewportSize = {"width": 1366, "height": 1000}
PHONE: ViewportSize = {"width": 400, "height": 1500}


def library(folder: Path) -> Path:
    """The petite-ville template, its inject expecting the mayor to trigger the PCS and its
    reserve with volunteers (as tests/web/test_pages.py plays it)."""
    shutil.copytree(LIBRARY / "petite-ville", folder / "petite-ville")
    actors = folder / "petite-ville" / "actors.yaml"
    actors.write_text(actors.read_text(encoding="utf-8").replace(
        "    role: citizen_relay\n", "    role: citizen_relay\n    volunteers: 12\n"),
        encoding="utf-8")
    scenario = folder / "petite-ville" / "scenarios" / "tempete.yaml"
    scenario.write_text(scenario.read_text(encoding="utf-8").rstrip() + """
    expected:
      - who: mayor
        action: {fr: "Déclencher le PCS", en: "Trigger the PCS"}
        within: 30m
""", encoding="utf-8")
    return folder


def serve(db: Path, port: int) -> uvicorn.Server:
    app = create_app(ServerSettings(f"sqlite:///{db}", library(db.parent / "lib"),
                                    hash_secret(ADMIN), tick_s=0.5))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=1))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server


def click_map(page: Page, fx: float, fy: float) -> None:
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.locator("#map").click(position={"x": box["width"] * fx, "y": box["height"] * fy})


def main(port: int = 8791) -> None:
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        server = serve(Path(tmp) / "ex.db", port)
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        ctx = {name: browser.new_context(viewport=DESKTOP, locale="fr-FR")
               for name in ("facilitator", "mayor", "fire", "observer")}
        f = ctx["facilitator"].new_page()
        f.goto(f"{base}/facilitator?lang=fr")
        f.fill("#admin-token", ADMIN)
        f.click("#admin-save")
        f.wait_for_selector("#create-scenario option", state="attached")
        f.fill("#create-speed", "120")
        f.click("#create-submit")
        f.wait_for_selector("#codes tr[data-actor=observers] svg")
        links = {a: f.locator(f"#codes tr[data-actor={a}] a.join-link").get_attribute("href")
                 for a in ("MAIRIE-PCS", "CIS", "observers")}
        f.click("#ctl-start")

        def join(name: str, link: str | None, who: str) -> Page:
            page = ctx[name].new_page()
            page.goto(str(link))
            page.fill("#join-name", who)
            page.click("#join-submit")
            page.wait_for_selector("#map .zones path", state="attached")
            return page

        m = join("mayor", links["MAIRIE-PCS"], "Anne Martin")
        c = join("fire", links["CIS"], "Capitaine Leroy")
        c.wait_for_selector("#map .zones path")
        c.select_option("#compose-channel", "mobile")
        c.select_option("#compose-to", ["MAIRIE-PCS"])
        c.fill("#compose-text", "Arbres sur la D12 au nord du bourg : 2 engins engagés, "
                                "route fermée dans les deux sens.")
        c.click("#compose-send")
        m.wait_for_selector("#map .zones path")
        click_map(m, 0.55, 0.4)
        m.fill("#annotate-text", "Arbre sur la D12, route fermée")
        m.click("#annotate-send")
        m.wait_for_selector("#map [data-annotation=A1]")
        m.select_option("#annotate-mode", "line")
        m.select_option("#annotate-category", "shelter_open")
        click_map(m, 0.3, 0.6)
        click_map(m, 0.4, 0.65)
        m.fill("#annotate-text", "Gymnase ouvert, accès par la rue de l'École")
        m.click("#annotate-send")
        m.fill("#log-text", "PCS déclenché, cellule de crise réunie en mairie.")
        m.click("#log-send")
        m.fill("#decision-what", "Ouvrir le gymnase comme centre d'hébergement")
        m.fill("#decision-by", "Le maire")
        m.fill("#decision-based", "Appel des pompiers, routes coupées au nord")
        m.click("#decision-send")
        f.fill("#ctl-jump-to", "31")
        f.click("#ctl-jump")
        m.wait_for_selector("#channels li[data-channel=courriel][data-available=false]")
        m.select_option("#compose-channel", "courriel")
        m.select_option("#compose-to", ["CIS"])
        m.fill("#compose-text", "Point de situation de 07:00")
        m.click("#compose-send")
        m.wait_for_selector("#compose-result .alternatives")
        m.locator("#reflex li[data-inject=I1] input").check()
        m.select_option("#relay-commune", "Z-HAMEAU")
        m.click("#relay-send")  # outside the relay's commune: a second click confirms
        m.wait_for_selector("#relay-send[data-armed=true]")
        m.click("#relay-send")
        m.wait_for_selector("#relay-result span.delivered, #relay-result span.delayed, "
                            "#relay-result span.blocked")
        o = join("observer", links["observers"], "Observatrice SIDPC")
        o.fill("#note-text", "Le maire n'a pas tenté la radio quand le courriel est tombé.")
        o.click("#note-send")
        time.sleep(1.5)
        OUT.mkdir(parents=True, exist_ok=True)
        for name, page in (("facilitator", f), ("player", m), ("observer", o)):
            page.reload()
            page.wait_for_selector("#map .zones path")
            time.sleep(1.0)
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(OUT / f"exercise-{name}.png"))
            page.set_viewport_size(PHONE)
            time.sleep(0.5)
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(OUT / f"exercise-{name}-phone.png"))
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                print(f"{name}: {width} px wide on a phone", file=sys.stderr)
        browser.close()
        server.should_exit = True
    print("written:", ", ".join(sorted(x.name for x in OUT.glob("exercise-*.png"))))


if __name__ == "__main__":
    main()
