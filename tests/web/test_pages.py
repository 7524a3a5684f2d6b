"""The exercise's pages in a real browser: Debian's Chromium driven by Playwright, against the
real server (the app on uvicorn in a thread, a SQLite file, the clock task running).

One exercise of the petite-ville template, played through the pages only: the facilitator
creates and starts it, two players join in two browser contexts (one in French on a laptop,
one in English on a 400-px phone), a message goes live from one inbox to the other, an
annotation from one map to the other, the e-mail goes down on screen when the facilitator
jumps past the ransomware (with its reason), a blocked send says why and offers the channels
that would get through. Every name and text is a stored-XSS payload, shown as text on every
page (player, other player, observer, facilitator) while ``window.__xss`` stays undefined.
No console error, no request to another origin, nothing wider than the phone's screen.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the exercise server needs the 'web' extra")
uvicorn = pytest.importorskip("uvicorn")
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from tests.web.conftest import ADMIN, LIBRARY, free_port  # noqa: E402
from tousrisques.web import ServerSettings, create_app, hash_secret  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.slow

NAME = "<img src=x onerror=window.__xss=1>"
MESSAGE = "<script>window.__xss=1</script> route coupée"
LOG = '"><svg onload=window.__xss=1> log'
DECISION = "<iframe src=javascript:window.__xss=1></iframe> décision"
ANNOTATION = "'><img src=x onerror=window.__xss=1> arbre sur la route"
FAC_LOG = "Point de situation de l’animateur"
FAC_NOTE = "Note de l’animateur"
PAYLOADS = (NAME, MESSAGE, LOG, DECISION, ANNOTATION)
TIMEOUT = 10_000


def library(folder: Path) -> Path:
    """The petite-ville template, its inject expecting an action of the mayor and its
    reserve with volunteers (a reflex sheet and a relay to play)."""
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


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app in this process, served by uvicorn in a thread on a free port."""
    folder = tmp_path_factory.mktemp("pages")
    app = create_app(ServerSettings(f"sqlite:///{folder / 'ex.db'}", library(folder / "lib"),
                                    hash_secret(ADMIN), tick_s=0.5))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: `make test` installs Debian's Chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield b
        b.close()


class Watched:
    """A page whose console errors, page errors and requests are recorded."""

    def __init__(self, browser: Browser, base: str, *, width: int = 1280, lang: str = "en"):
        self.context = browser.new_context(viewport={"width": width, "height": 900},
                                           locale="fr-FR" if lang == "fr" else "en-GB")
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT)
        self.problems: list[str] = []
        self.elsewhere: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"{m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("response", lambda r: self.problems.append(f"{r.status} {r.url}")
                     if r.status >= 400 else None)
        self.page.on("request", lambda r: None if r.url.startswith((base, "blob:", "data:"))
                     else self.elsewhere.append(r.url))

    def clean(self) -> None:
        assert self.problems == [], self.problems
        assert self.elsewhere == [], self.elsewhere
        assert self.page.evaluate("window.__xss") is None


def _join(who: Watched, url: str, name: str) -> None:
    page = who.page
    page.goto(url)
    expect(page.locator("#join-code")).not_to_have_value("")
    assert "#code=" not in page.url  # the code leaves the address bar
    page.fill("#join-name", name)
    page.click("#join-submit")
    page.wait_for_url("**/play/**")
    expect(page.locator("#channels li[data-channel]").first).to_be_visible()


def test_an_exercise_played_through_the_pages(base_url: str, browser: Browser) -> None:
    fac = Watched(browser, base_url, lang="en")
    f = fac.page
    f.goto(f"{base_url}/facilitator?lang=en")
    f.fill("#admin-token", ADMIN)
    f.click("#admin-save")
    expect(f.locator("#create-scenario option")).to_have_count(1)
    f.select_option("#create-scenario", "petite-ville/tempete")
    f.fill("#create-run", "0")
    f.fill("#create-speed", "60")
    f.click("#create-submit")
    expect(f.locator("#codes tr[data-actor]")).to_have_count(6)  # five actors, the observers
    qr = f.locator("#codes tr[data-actor=MAIRIE-PCS] svg")
    expect(qr).to_have_count(1)  # its QR code, scaled whole into its box (a viewBox, no size)
    assert qr.get_attribute("viewBox") and qr.get_attribute("width") is None
    qbox = qr.bounding_box()
    assert qbox is not None and qbox["width"] == pytest.approx(qbox["height"])
    assert qbox["width"] >= 120
    # the admin token was pasted in this page, not reloaded: the forms read it when acting
    f.fill("#log-text", FAC_LOG)
    f.click("#log-send")
    expect(f.locator("#log li .text")).to_have_text([FAC_LOG])
    expect(f.locator("#log li .item-head strong")).to_have_text(["Facilitator"])  # not an id
    f.fill("#note-text", FAC_NOTE)
    f.click("#note-send")
    expect(f.locator("#notes li .text")).to_have_text([FAC_NOTE])
    # the exercise's player first; the other actors folded, their QR codes made when unfolded
    expect(f.locator("#codes-more-label")).to_have_text("Join codes of the other actors (4)")
    assert f.locator("#codes-others svg").count() == 0
    f.click("#codes-more-label")
    expect(f.locator("#codes-others svg")).to_have_count(4)
    links = {a: f.locator(f"#codes tr[data-actor={a}] a.join-link").get_attribute("href")
             for a in ("MAIRIE-PCS", "CIS", "observers")}
    assert all(link and "#code=" in link for link in links.values())
    f.click("#ctl-start")
    expect(f.locator("#clock-state")).to_have_attribute("data-state", "running")

    # two players, two browser contexts: the mayor in French on a laptop, the fire station
    # in English on a phone
    mayor = Watched(browser, base_url, lang="fr")
    _join(mayor, str(links["MAIRIE-PCS"]).replace("lang=en", "lang=fr"), "Anne")
    m = mayor.page
    assert m.evaluate("document.documentElement.lang") == "fr"
    # roles in words; the addressees grouped by role, the crisis cells first, names whole
    expect(m.locator("#role-id")).to_have_text("MAIRIE-PCS · mairie")
    groups = m.locator("#compose-to optgroup")
    expect(groups.first).to_have_attribute("label", "Cellules de crise et votre hiérarchie")
    expect(groups.first.locator("option")).to_have_text(
        ["Préfecture — centre opérationnel départemental"])
    labels = [groups.nth(i).get_attribute("label") or "" for i in range(groups.count())]
    assert "Relais citoyen" in labels and not any("_" in x for x in labels), labels
    expect(m.locator("#h-inbox")).to_have_text("Boîte de réception")
    fire = Watched(browser, base_url, width=400, lang="en")
    _join(fire, str(links["CIS"]), NAME)
    p = fire.page
    expect(p.locator("#h-inbox")).to_have_text("Inbox")

    # a message, live from one inbox to the other
    p.select_option("#compose-channel", "mobile")
    p.select_option("#compose-to", ["MAIRIE-PCS"])
    p.fill("#compose-text", MESSAGE)
    p.click("#compose-send")
    expect(p.locator("#compose-result")).not_to_have_attribute("data-status", "blocked")
    received = m.locator("#inbox li[data-kind='message.sent']")
    expect(received).to_have_count(1)
    expect(received.locator(".text")).to_have_text(MESSAGE)
    expect(received.locator(".item-head")).to_contain_text(NAME)

    # an annotation on the mayor's map shows on the fire station's
    expect(m.locator("#map .zones path").first).to_be_attached()
    box = m.locator("#map").bounding_box()
    assert box is not None
    m.locator("#map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    m.select_option("#annotate-category", "road_cut")
    m.fill("#annotate-text", ANNOTATION)
    m.click("#annotate-send")
    expect(m.locator("#annotate-result")).to_contain_text("A1")
    seen = p.locator("#map [data-annotation=A1]")
    expect(seen).to_have_count(1)
    expect(seen.locator("title")).to_contain_text(ANNOTATION)
    # on the phone: zoom in, drag the map (a drag places nothing), then draw a line: clicks,
    # then a double-click
    full = [float(x) for x in (p.locator("#map").get_attribute("viewBox") or "").split()]
    p.click("#map-zoom-in")
    zoomed = [float(x) for x in (p.locator("#map").get_attribute("viewBox") or "").split()]
    assert zoomed[2] == pytest.approx(full[2] / 2)
    pbox = p.locator("#map").bounding_box()
    assert pbox is not None
    p.mouse.move(pbox["x"] + pbox["width"] / 2, pbox["y"] + pbox["height"] / 2)
    p.mouse.down()
    p.mouse.move(pbox["x"] + pbox["width"] / 2 + 60, pbox["y"] + pbox["height"] / 2, steps=5)
    p.mouse.up()
    moved = [float(x) for x in (p.locator("#map").get_attribute("viewBox") or "").split()]
    assert moved[0] < zoomed[0]  # dragged right: the view moved left
    assert p.locator("#map .pending circle").count() == 0
    p.select_option("#annotate-mode", "line")
    p.select_option("#annotate-category", "shelter_open")
    p.locator("#map").click(position={"x": pbox["width"] * 0.3, "y": pbox["height"] * 0.6})
    p.locator("#map").dblclick(position={"x": pbox["width"] * 0.5, "y": pbox["height"] * 0.7})
    p.fill("#annotate-text", "Gymnase ouvert")
    p.click("#annotate-send")
    line = m.locator("#map [data-annotation=A2] polyline")
    expect(line).to_have_count(1)
    assert len((line.get_attribute("points") or "").split()) == 2  # the double-click: one point

    # the log and a decision, with payloads
    p.select_option("#log-category", "situation")
    p.fill("#log-text", LOG)
    p.click("#log-send")
    p.fill("#decision-what", DECISION)
    p.fill("#decision-by", NAME)
    p.fill("#decision-based", MESSAGE)
    p.select_option("#decision-seqs", index=0)
    p.click("#decision-send")
    expect(m.locator("#log li .text")).to_have_text([LOG, FAC_LOG])
    expect(m.locator("#decisions li .what")).to_have_text([DECISION])

    # the facilitator jumps past the ransomware on the mail server (30 h): the mayor's e-mail
    # goes down on screen, with its reason
    mail = m.locator("#channels li[data-channel=courriel]")
    expect(mail).to_have_attribute("data-available", "true")
    f.fill("#ctl-jump-to", "31")
    f.click("#ctl-jump")
    expect(mail).to_have_attribute("data-available", "false")
    expect(mail.locator(".reason")).to_contain_text("MAIL-PV")
    expect(mail.locator(".reason")).to_contain_text("rançongiciel")  # French words, French page

    # a blocked send says why and offers the channels that would get through
    m.select_option("#compose-channel", "courriel")
    m.select_option("#compose-to", ["CIS"])
    m.fill("#compose-text", "Point de situation")
    m.click("#compose-send")
    result = m.locator("#compose-result")
    expect(result).to_have_attribute("data-status", "blocked")
    expect(result.locator(".reason")).to_contain_text("MAIL-PV")
    expect(result.locator("button[data-use=mobile]")).to_be_visible()
    result.locator("button[data-use=mobile]").click()
    assert m.locator("#compose-channel").input_value() == "mobile"

    # the jump delivered the 02:00 inject: the mayor ticks its reflex sheet's action
    action = m.locator("#reflex li[data-inject=I1][data-index='0']")
    expect(action).to_contain_text("Déclencher le PCS")
    action.locator("input[type=checkbox]").check()
    expect(action).to_have_attribute("data-done", "true")
    expect(action.locator("input[type=checkbox]")).to_be_disabled()

    # the mayor sends the reserve's volunteers to the hamlet
    # (by commune: the relay's own first and chosen; the hamlet is outside it: a second click)
    m.select_option("#relay-actor", "RESERVE")
    expect(m.locator("#relay-commune option").first).to_contain_text("(la commune du relais)")
    assert m.locator("#relay-commune").input_value() == "Z-CENTRE"
    m.select_option("#relay-commune", "Z-HAMEAU")
    expect(m.locator("#relay-zones option:checked")).to_have_text(
        ["Hameau des Essarts — 320 habitants"])
    m.click("#relay-send")
    expect(m.locator("#relay-result")).to_contain_text("hors de la commune du relais")
    m.click("#relay-send")
    expect(m.locator("#relay-result")).to_contain_text("Ordre envoyé")

    # the facilitator pushes an inject to the fire station
    f.select_option("#push-to", ["CIS"])
    f.fill("#push-text", MESSAGE)
    f.click("#push-send")
    pushed = p.locator("#inbox li[data-kind='inject.delivered']", has_text=MESSAGE)
    expect(pushed).to_have_count(1)

    # an observer sees everything as text, and writes a note the facilitator sees
    obs = Watched(browser, base_url, lang="en")
    o = obs.page
    o.goto(str(links["observers"]))
    o.fill("#join-name", NAME)
    o.click("#join-submit")
    o.wait_for_url("**/observe/**")
    expect(o.locator("#inbox li[data-kind='message.sent'] .text").last).to_have_text(MESSAGE)
    o.fill("#note-text", LOG)
    o.click("#note-send")
    expect(f.locator("#notes li .text")).to_have_text([LOG, FAC_NOTE])
    with o.expect_download() as got:  # the observers download the RETEX too
        o.click("#retex-link")
    assert got.value.suggested_filename == f"retex-{o.url.split('/')[-1].split('?')[0]}-en.html"

    # every page shows every payload as text, and none ran
    for page in (m, p, o, f):
        expect(page.locator("#log li .text").first).to_have_text(LOG)
        expect(page.locator("#decisions li .what")).to_have_text([DECISION])
        expect(page.locator("#map [data-annotation=A1] title")).to_contain_text(ANNOTATION)
        assert page.locator("#inbox img, #log img, #decisions img, #map img, #inbox script,"
                            " #log svg, #decisions iframe, #notes svg").count() == 0
    sent = f.locator("#inbox li[data-kind='message.sent'] .item-head", has_text=NAME)
    expect(sent).to_have_count(1)

    expect(o.locator("#reflex li[data-inject=I1][data-done=true]")).to_have_count(1)

    # the annotations as GeoJSON, the RETEX: downloads (a token cannot go in a link)
    with p.expect_download() as got:
        p.click("#annotations-geojson")
    assert got.value.suggested_filename.endswith(".geojson")
    geojson = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    assert [x["properties"]["text"] for x in geojson["features"]] == [ANNOTATION, "Gymnase ouvert"]
    assert [x["geometry"]["type"] for x in geojson["features"]] == ["Point", "LineString"]
    with f.expect_download() as got:
        f.click("#retex-link")
    assert got.value.suggested_filename.startswith("retex-")
    retex = Path(got.value.path()).read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__xss=1" in retex and "<script>window.__xss" not in retex

    # the phone: nothing wider than its screen
    assert p.evaluate("document.documentElement.scrollWidth") <= 400

    # the end: twice to be sure; every page says so, no request fails after it
    f.click("#ctl-end")
    expect(f.locator("#ctl-end")).to_have_attribute("data-armed", "true")
    f.click("#ctl-end")
    for page in (m, p, o, f):
        expect(page.locator("#clock-state")).to_have_attribute("data-state", "ended")
    for who in (fac, mayor, fire, obs):
        who.clean()
        who.context.close()


def test_pages_speak_both_languages_and_refuse_bad_ids(base_url: str) -> None:
    import httpx

    made = httpx.post(f"{base_url}/api/exercises", headers={"authorization": f"Bearer {ADMIN}"},
                      json={"scenario": "petite-ville/tempete", "run": 0})
    assert made.status_code == 201, made.text
    fr = httpx.get(f"{base_url}/facilitator", headers={"accept-language": "de"})
    assert fr.status_code == 200 and '<html lang="fr">' in fr.text and "Créer" in fr.text
    en = httpx.get(f"{base_url}/play/{made.json()['id']}?lang=en")
    assert '<html lang="en">' in en.text and "Inbox" in en.text
    assert "script-src 'self'" in en.headers["content-security-policy"]
    assert "<script>" not in en.text and " style=" not in en.text  # nothing inline
    # an unknown exercise, an unknown page: a page in the reader's language, not a join form
    for path in ("/join/nope", "/play/nope", "/observe/a%3Cb"):
        missing = httpx.get(f"{base_url}{path}", headers={"accept-language": "fr-FR"})
        assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
        assert "Il n’y a pas d’exercice" in missing.text
        assert 'href="/facilitator?lang=fr"' in missing.text
        assert 'id="join-form"' not in missing.text and "<script" not in missing.text
    assert "a&lt;b" in httpx.get(f"{base_url}/observe/a%3Cb").text
    elsewhere = httpx.get(f"{base_url}/nowhere?lang=en")
    assert elsewhere.status_code == 404 and "There is no page at this address" in elsewhere.text
    api = httpx.get(f"{base_url}/api/nowhere")  # the API keeps its JSON
    assert api.status_code == 404 and api.json()["code"] == "http.404"
    assert httpx.get(f"{base_url}/static/../_pages.py").status_code == 404
    js = httpx.get(f"{base_url}/static/common.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    home = httpx.get(f"{base_url}/", follow_redirects=False)
    assert home.status_code == 307 and home.headers["location"] == "/facilitator"
