"""One broken fixture per validation rule (DESIGN.md §8).

Each test starts from the minimal valid territory of ``conftest.py``, breaks one thing, loads
the folder and checks the :class:`~tousrisques.Problem` reported: its code, its file, its place
(the line of a CSV or YAML file, the feature number of a GeoJSON file) and its field, and that
the rendered message names them. Expected line and feature numbers are computed from the text
the test wrote (:func:`line_of`, :func:`feature_of`), never copied from the output.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from tousrisques import Problem, ReadLimits, Territory, ValidationError, load_territory

TERRITORY = "territory.yaml"
POWER = "assets/power.geojson"
TELECOM = "assets/telecom.csv"
LINKS = "links/links.csv"
ZONES = "zones.geojson"
CHANNELS = "channels.yaml"
ACTORS = "actors.yaml"
EXTRA = "assets/extra.csv"
ASSET_LIST = "assets: [assets/power.geojson, assets/telecom.csv]"

# ----------------------------------------------------------------------------- helpers


class Folder:
    """The minimal territory on disk, with small edits and a way to collect its problems."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self, rel: str) -> str:
        return (self.path / rel).read_text(encoding="utf-8")

    def write(self, rel: str, content: str | bytes) -> str:
        """Write ``content``; return it as text (bytes are decoded leniently, for line counts)."""
        path = self.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
            return content.decode("utf-8", errors="replace")
        path.write_text(content, encoding="utf-8")
        return content

    def replace(self, rel: str, old: str, new: str) -> str:
        """Replace the one occurrence of ``old`` in ``rel``; return the new text."""
        text = self.read(rel)
        assert text.count(old) == 1, f"{old!r} is not once in {rel}"
        return self.write(rel, text.replace(old, new))

    def append(self, rel: str, more: str) -> str:
        return self.write(rel, self.read(rel) + more)

    def add_assets(self, rel: str, content: str | bytes) -> str:
        """Write one more asset file and name it in territory.yaml."""
        self.replace(TERRITORY, ASSET_LIST, ASSET_LIST[:-1] + f", {rel}]")
        return self.write(rel, content)

    def load(self, limits: ReadLimits | None = None) -> Territory:
        return load_territory(self.path, limits=limits)

    def problems(self, limits: ReadLimits | None = None) -> tuple[Problem, ...]:
        with pytest.raises(ValidationError) as info:
            load_territory(self.path, limits=limits)
        return info.value.problems


@pytest.fixture
def t(make_territory: Callable[..., Path]) -> Folder:
    return Folder(make_territory())


def line_of(text: str, needle: str) -> int:
    """The 1-based line of ``text`` that contains ``needle`` (which must be on one line)."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}"
    return hits[0]


def feature_of(text: str, ident: str) -> int:
    """The 1-based number of the GeoJSON feature whose ``properties.id`` is ``ident``."""
    features = json.loads(text)["features"]
    hits = [i for i, f in enumerate(features, start=1)
            if isinstance(f, dict) and isinstance(f.get("properties"), dict)
            and f["properties"].get("id") == ident]
    assert len(hits) == 1, f"id {ident!r} is in features {hits}"
    return hits[0]


def place_of(rel: str, text: str, needle: str) -> dict[str, int]:
    """Where ``needle`` is: a feature number (needle = the id) in GeoJSON, else a line."""
    if rel.endswith(".geojson"):
        return {"feature": feature_of(text, needle)}
    return {"line": line_of(text, needle)}


def listing(problems: Iterable[Problem]) -> str:
    return "\n".join(p.render("en") for p in problems)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def expect(problems: Iterable[Problem], code: str, file: str, *, only: bool = False,
           line: int | None = None, feature: int | None = None, field: str | None = None,
           ident: str | None = None, says: Iterable[str] = (),
           severity: str = "error") -> Problem:
    """The one problem of ``code`` in ``file``, checked; ``only``: it is the only error."""
    problems = list(problems)
    found = [p for p in problems if p.code == code and p.file == file]
    assert len(found) == 1, f"expected one {code} in {file}, got:\n{listing(problems)}"
    p = found[0]
    text = p.render("en")
    assert p.severity == severity, text
    if line is not None:
        assert p.line == line, text
        assert f"{file}:{line}" in text
    if feature is not None:
        assert p.feature == feature, text
        assert f"{file}, feature {feature}" in text
    if field is not None:
        assert p.field == field, text
        assert f"[{field}]" in text
    if ident is not None:
        assert p.ident == ident, text
    for s in says:
        assert s in text, text
    if only:
        assert errors(problems) == [p], listing(problems)
    return p


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def feature(props: dict[str, Any], geometry: dict[str, Any] | None) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def collection(features: Iterable[Any]) -> str:
    """A FeatureCollection with one feature per line."""
    body = ",\n".join(json.dumps(f) for f in features)
    return '{"type": "FeatureCollection", "features": [\n' + body + "\n]}\n"


def power_features() -> list[dict[str, Any]]:
    """The features of the minimal power.geojson."""
    return [
        feature({"id": "S1", "kind": "substation", "source": True}, point(1.0, 49.3)),
        feature({"id": "L1", "kind": "line", "connects": ["S1", "T1"]},
                {"type": "LineString", "coordinates": [[1.0, 49.3], [1.01, 49.31]]}),
        feature({"id": "T1", "kind": "transformer"}, point(1.01, 49.31)),
    ]


def props_of(features: list[dict[str, Any]], ident: str) -> dict[str, Any]:
    return next(f["properties"] for f in features if f["properties"]["id"] == ident)


SQUARE = {"type": "Polygon", "coordinates": [[[1.0, 49.3], [1.02, 49.3], [1.02, 49.32],
                                              [1.0, 49.32], [1.0, 49.3]]]}
BOW_TIE = {"type": "Polygon", "coordinates": [[[1.0, 49.3], [1.02, 49.32], [1.02, 49.3],
                                               [1.0, 49.32], [1.0, 49.3]]]}


def zone(geometry: dict[str, Any] | None = SQUARE, **props: Any) -> dict[str, Any]:
    """The minimal zone Z1 with some properties changed (``None`` drops one)."""
    base = {"id": "Z1", "population": 1000, "vulnerable": 50, "requires": "T1", **props}
    return feature({k: v for k, v in base.items() if v is not None}, geometry)


def use_csv_zones(t: Folder, text: str) -> str:
    """Replace zones.geojson by a CSV zone file."""
    t.replace(TERRITORY, "zones: zones.geojson", "zones: zones.csv")
    return t.write("zones.csv", text)


# ----------------------------------------------------------------------------- YAML


@pytest.mark.parametrize(("rel", "old", "new"), [
    (TERRITORY, "timezone: Europe/Paris", "timezone: Europe: Paris"),
    (CHANNELS, "    latency: 10m", "    latency: 10m: 5m"),
    (ACTORS, "    role: mayor", "    role: mayor: yes"),
    (ACTORS, "    site: SITE\n    channels: [mobile]", "\tsite: SITE\n    channels: [mobile]"),
], ids=["territory", "channels", "actors", "actors-tab"])
def test_yaml_syntax_error_names_its_line(t: Folder, rel: str, old: str, new: str) -> None:
    text = t.replace(rel, old, new)
    expect(t.problems(), "yaml.syntax", rel, line=line_of(text, new.split("\n")[0]))


@pytest.mark.parametrize(("rel", "old", "new", "key"), [
    (TERRITORY, "timezone: Europe/Paris\n", "timezone: Europe/Paris\ntimezone: Europe/London\n",
     "timezone"),
    (ACTORS, "    role: mayor\n", "    role: mayor\n    role: police\n", "role"),
    (CHANNELS, "    latency: 10m\n", "    latency: 10m\n    latency: 20m\n", "latency"),
], ids=["territory", "actors", "channels"])
def test_yaml_duplicate_key(t: Folder, rel: str, old: str, new: str, key: str) -> None:
    text = t.replace(rel, old, new)
    second = new.splitlines()[1]
    p = expect(t.problems(), "yaml.duplicate_key", rel, line=line_of(text, second),
               says=[f"'{key}'"])
    assert p.params["key"] == key


@pytest.mark.parametrize(("rel", "old", "new"), [
    (TERRITORY, "name: Minimal", "name: !!python/object:os.system {}"),
    (TERRITORY, "name: Minimal", "name: !!python/name:os.system"),
    (ACTORS, "    site: SITE\n    channels: [mobile]",
     '    site: !!python/object/apply:os.system ["touch {pwned}"]\n    channels: [mobile]'),
    (CHANNELS, "    requires: CORE", "    requires: !include secrets.yaml"),
], ids=["object", "name", "apply", "local-tag"])
def test_yaml_forbidden_tag_is_refused(t: Folder, tmp_path: Path, rel: str, old: str,
                                       new: str) -> None:
    pwned = tmp_path / "pwned"
    text = t.replace(rel, old, new.replace("{pwned}", str(pwned)))
    first = new.split("\n")[0].split(":")[0]
    expect(t.problems(), "yaml.tag", rel, line=line_of(text, first + ": !"))
    assert not pwned.exists()


def billion_laughs() -> str:
    lines = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for k in range(1, 10):
        lines.append(f"lol{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("rel", [TERRITORY, ACTORS])
def test_yaml_alias_bomb_is_refused(t: Folder, rel: str) -> None:
    t.append(rel, billion_laughs())
    found = [p for p in t.problems() if p.file == rel]
    assert [p.code for p in found] in (["yaml.aliases"], ["yaml.expanded"]), listing(found)


def test_yaml_too_many_aliases(t: Folder) -> None:
    limit = ReadLimits().max_yaml_aliases
    text = t.append(TERRITORY, "x: &x 1\nys: [" + ", ".join(["*x"] * (limit + 1)) + "]\n")
    p = expect(t.problems(), "yaml.aliases", TERRITORY, only=True, line=line_of(text, "ys:"))
    assert p.params["limit"] == limit


@pytest.mark.parametrize("depth", [ReadLimits().max_yaml_depth + 10, 5000])
def test_yaml_nesting_too_deep(t: Folder, depth: int) -> None:
    text = t.append(CHANNELS, "deep: " + "[" * depth + "]" * depth + "\n")
    expect(t.problems(), "yaml.depth", CHANNELS, line=line_of(text, "deep:"))


@pytest.mark.parametrize("rel", [TERRITORY, CHANNELS])
def test_yaml_file_over_size_limit(t: Folder, rel: str) -> None:
    t.append(rel, "# " + "padding " * 200 + "\n")
    size = (t.path / rel).stat().st_size
    others = [TERRITORY, CHANNELS, ACTORS]
    limit = max((t.path / r).stat().st_size for r in others if r != rel) + 1
    assert size > limit
    p = expect(t.problems(ReadLimits(max_yaml_bytes=limit)), "file.too_large", rel,
               says=["max_yaml_bytes", str(limit)])
    assert p.params["size"] == size


# ----------------------------------------------------------------------------- JSON, GeoJSON


@pytest.mark.parametrize(("old", "new"), [
    ('"kind": "transformer"', '"kind" "transformer"'),
    ('"id": "T1"', "'id': 'T1'"),
    ('"kind": "transformer"}', '"kind": "transformer",}'),
], ids=["missing-colon", "single-quotes", "trailing-comma"])
def test_json_syntax_error_names_its_line(t: Folder, old: str, new: str) -> None:
    text = collection(power_features()).replace(old, new)
    t.write(POWER, text)
    expect(t.problems(), "json.syntax", POWER, line=line_of(text, new))


def test_json_nan_literal_is_a_syntax_error(t: Folder) -> None:
    text = collection(power_features()).replace("[1.01, 49.31]}", "[NaN, 49.31]}")
    t.write(POWER, text)
    expect(t.problems(), "json.syntax", POWER, line=line_of(text, "NaN"))


def test_json_nesting_too_deep(t: Folder) -> None:
    text = collection([zone(deep="DEEP")]).replace('"DEEP"', "[" * 2000 + "]" * 2000)
    t.write(ZONES, text)
    expect(t.problems(), "json.depth", ZONES, only=True, line=line_of(text, "[[[["))


@pytest.mark.parametrize("content", [
    json.dumps(zone()),
    "[]",
    '{"type": "FeatureCollection"}',
    '{"type": "FeatureCollection", "features": {}}',
    '"zones"',
], ids=["feature", "list", "no-features", "features-not-a-list", "string"])
def test_geojson_not_a_feature_collection(t: Folder, content: str) -> None:
    t.write(ZONES, content + "\n")
    expect(t.problems(), "geojson.collection", ZONES, only=True)


@pytest.mark.parametrize("bad", [
    point(1.0, 49.3),
    "oops",
    {"type": "Feature", "properties": [1, 2], "geometry": None},
], ids=["geometry", "string", "properties-not-a-mapping"])
def test_geojson_item_not_a_feature(t: Folder, bad: Any) -> None:
    features: list[Any] = power_features()
    features.insert(2, bad)
    t.write(POWER, collection(features))
    expect(t.problems(), "geojson.feature", POWER, only=True, feature=features.index(bad) + 1)


# ----------------------------------------------------------------------------- encodings, size


@pytest.mark.parametrize("rel", [TERRITORY, CHANNELS, ACTORS, POWER, TELECOM, LINKS, ZONES])
def test_utf8_bom_is_accepted(t: Folder, rel: str) -> None:
    t.write(rel, b"\xef\xbb\xbf" + t.read(rel).encode("utf-8"))
    territory = t.load()
    assert territory.name == "Minimal"
    assert sorted(territory.assets.ids.to_pylist()) == ["A1", "CORE", "L1", "S1", "SITE", "T1"]
    assert territory.links.shape == (1, 2)
    assert territory.zones.ids.to_pylist() == ["Z1"]
    assert [c.id for c in territory.channels] == ["mobile", "fr-alert"]
    assert [a.id for a in territory.actors] == ["COD", "MAIRIE"]
    assert territory.warnings == ()


@pytest.mark.parametrize(("rel", "old", "new"), [
    (TERRITORY, "name: Minimal", "name: Métropole"),
    (ACTORS, "name: Mairie", "name: Mairie déléguée"),
    (TELECOM, "SITE,site,", "CAFé,site,1.0,49.3,,\nSITE,site,"),
    (POWER, '"kind": "transformer"', '"kind": "transformer", "name": "Poste é"'),
], ids=["territory", "actors", "csv", "geojson"])
def test_latin1_bytes_name_file_and_line(t: Folder, rel: str, old: str, new: str) -> None:
    if rel == POWER:
        t.write(POWER, collection(power_features()))
    text = t.read(rel).replace(old, new)
    t.write(rel, text.encode("latin-1"))
    # the first undecodable byte is on the first line with a non-ASCII character
    needle = next(line for line in text.splitlines() if not line.isascii())
    expect(t.problems(), "file.encoding", rel, line=line_of(text, needle), says=["0xe9"])


@pytest.mark.parametrize("rel", [TERRITORY, ACTORS, TELECOM, POWER])
def test_utf16_is_refused_with_its_name(t: Folder, rel: str) -> None:
    t.write(rel, t.read(rel).encode("utf-16"))
    expect(t.problems(), "file.utf16", rel, says=["UTF-16"])


@pytest.mark.parametrize("rel", [EXTRA, ZONES, LINKS])
def test_data_file_over_size_limit(t: Folder, rel: str) -> None:
    limit = 2000
    if rel == EXTRA:
        rows = "".join(f"X{i},site,1.0,49.3\n" for i in range(200))
        t.add_assets(EXTRA, "id,kind,lon,lat\n" + rows)
    elif rel == ZONES:
        t.write(ZONES, collection([zone()]) + " " * limit)
    else:
        t.append(LINKS, "A1,CORE,telecom\n" * 200)
    size = (t.path / rel).stat().st_size
    assert size > limit
    assert all(p.stat().st_size <= limit for p in t.path.rglob("*.*")
               if p.is_file() and p.suffix in (".csv", ".geojson") and p != t.path / rel)
    p = expect(t.problems(ReadLimits(max_data_bytes=limit)), "file.too_large", rel, only=True,
               says=["max_data_bytes"])
    assert p.params["size"] == size
    assert p.params["limit"] == limit


# ----------------------------------------------------------------------------- files


@pytest.mark.parametrize(("key", "old", "new", "missing"), [
    ("assets", ASSET_LIST, ASSET_LIST[:-1] + ", assets/nope.csv]", "assets/nope.csv"),
    ("zones", "zones: zones.geojson", "zones: [zones.geojson, nope.geojson]", "nope.geojson"),
    ("links", "links: [links/links.csv]", "links: [links/links.csv, links/nope.csv]",
     "links/nope.csv"),
    ("channels", "channels: channels.yaml", "channels: nope.yaml", "nope.yaml"),
    ("actors", "actors: actors.yaml", "actors: nope.yaml", "nope.yaml"),
])
def test_missing_file_named_in_territory_yaml(t: Folder, key: str, old: str, new: str,
                                              missing: str) -> None:
    text = t.replace(TERRITORY, old, new)
    p = expect(t.problems(), "file.missing", TERRITORY, line=line_of(text, missing),
               field=key, says=[missing])
    assert p.params["path"] == missing


@pytest.mark.parametrize(("key", "path"), [
    ("assets", "../outside.csv"),
    ("assets", "assets/../../outside.csv"),
    ("assets", "{abs}"),
    ("channels", "../outside.yaml"),
], ids=["parent", "nested-parent", "absolute", "channels"])
def test_path_outside_folder_is_refused(t: Folder, tmp_path: Path, key: str, path: str) -> None:
    outside_csv = tmp_path / "outside.csv"
    outside_csv.write_text("id,kind,lon,lat\nOUT1,site,1.0,49.3\n", encoding="utf-8")
    (tmp_path / "outside.yaml").write_text(t.read(CHANNELS), encoding="utf-8")
    path = path.replace("{abs}", str(outside_csv))
    if key == "assets":
        text = t.replace(TERRITORY, ASSET_LIST, ASSET_LIST[:-1] + f", {path}]")
    else:
        text = t.replace(TERRITORY, "channels: channels.yaml", f"channels: {path}")
    p = expect(t.problems(), "file.outside", TERRITORY, line=line_of(text, path), field=key,
               says=[path])
    assert p.params["path"] == path


@pytest.mark.parametrize(("key", "rel"), [("assets", "assets/notes.txt"), ("zones", "zones.kml")])
def test_unsupported_file_type(t: Folder, key: str, rel: str) -> None:
    if key == "assets":
        t.add_assets(rel, "id,kind,lon,lat\nX1,site,1.0,49.3\n")
    else:
        t.replace(TERRITORY, "zones: zones.geojson", f"zones: [zones.geojson, {rel}]")
        t.write(rel, "<kml/>\n")
    suffix = "." + rel.rsplit(".", 1)[1]
    p = expect(t.problems(), "file.type", rel, only=True, says=[suffix, ".csv", ".geojson"])
    assert p.params["suffix"] == suffix


# ----------------------------------------------------------------------------- fields


@pytest.mark.parametrize(("rel", "old", "new", "name", "close", "ident"), [
    (TERRITORY, "channels: channels.yaml\n", "channels: channels.yaml\nchanels: channels.yaml\n",
     "chanels", "channels", None),
    (CHANNELS, "    latency: 1m\n", "    latency: 1m\n    latncy: 2m\n", "latncy", "latency",
     "mobile"),
    (ACTORS, "    role: mayor\n", "    role: mayor\n    reports_too: [COD]\n", "reports_too",
     "reports_to", "MAIRIE"),
    (ACTORS, "    role: mayor\n", "    role: mayor\n    zzzzz: 1\n", "zzzzz", None, "MAIRIE"),
], ids=["territory", "channels", "actors", "actors-far-from-any"])
def test_unknown_field(t: Folder, rel: str, old: str, new: str, name: str,
                       close: str | None, ident: str | None) -> None:
    text = t.replace(rel, old, new)
    p = expect(t.problems(), "field.unknown", rel, line=line_of(text, f"{name}:"), field=name,
               ident=ident, says=[f"'{name}'"])
    if close is None:
        assert "did you mean" not in p.render("en")
    else:
        assert f'did you mean "{close}"' in p.render("en")
        assert f"vouliez-vous dire « {close} »" in p.render("fr")


@pytest.mark.parametrize(("rel", "drop", "field", "ident", "anchor"), [
    (TERRITORY, "name: Minimal\n", "name", None, None),
    (CHANNELS, "    mode: point_to_point\n", "mode", "mobile", "- id: mobile"),
    (ACTORS, "    role: mayor\n", "role", "MAIRIE", "- id: MAIRIE"),
    (CHANNELS, "    name: FR-Alert\n", "name", "fr-alert", "- id: fr-alert"),
], ids=["territory-name", "channel-mode", "actor-role", "channel-name"])
def test_missing_required_field(t: Folder, rel: str, drop: str, field: str, ident: str | None,
                                anchor: str | None) -> None:
    text = t.replace(rel, drop, "")
    line = 1 if anchor is None else line_of(text, anchor)
    expect(t.problems(), "field.missing", rel, line=line, field=field, ident=ident)


@pytest.mark.parametrize(("rel", "old", "new", "field", "ident", "allowed"), [
    (CHANNELS, "mode: point_to_point", "mode: multicast", "mode", "mobile", "broadcast"),
    (ACTORS, "role: mayor", "role: wizard", "role", "MAIRIE", "prefecture"),
])
def test_value_not_among_choices(t: Folder, rel: str, old: str, new: str, field: str,
                                 ident: str, allowed: str) -> None:
    text = t.replace(rel, old, new)
    value = new.split(": ")[1]
    expect(t.problems(), "field.choice", rel, line=line_of(text, new), field=field, ident=ident,
           says=[f"'{value}'", allowed])


def test_bad_latency_is_reported_on_its_line(t: Folder) -> None:
    text = t.replace(CHANNELS, "latency: 10m", "latency: soon")
    expect(t.problems(), "field.invalid", CHANNELS, line=line_of(text, "latency: soon"),
           field="latency", ident="fr-alert")


# ----------------------------------------------------------------------------- ids


def test_duplicate_id_across_asset_files(t: Folder) -> None:
    power = t.read(POWER)
    text = t.append(TELECOM, "S1,site,1.0,49.3,,\n")
    p = expect(t.problems(), "id.duplicate", TELECOM, only=True, line=line_of(text, "S1,site"),
               field="id", ident="S1", says=["'S1'", POWER])
    assert f"feature {feature_of(power, 'S1')}" in p.render("en")


@pytest.mark.parametrize(("rel", "ident"), [(POWER, "S1"), (TELECOM, "CORE"), (ACTORS, "COD"),
                                            (CHANNELS, "mobile")])
def test_duplicate_id_within_a_file(t: Folder, rel: str, ident: str) -> None:
    if rel == POWER:
        features = power_features()
        features.append(feature({"id": ident, "kind": "transformer"}, point(1.0, 49.3)))
        t.write(POWER, collection(features))
        place: dict[str, int] = {"feature": len(features)}  # the one just appended
    elif rel == TELECOM:
        text = t.append(TELECOM, f"{ident},site,1.0,49.3,,\n")
        place = {"line": line_of(text, f"{ident},site")}
    elif rel == ACTORS:
        text = t.append(ACTORS, f"  - {{id: {ident}, name: Again, role: mayor}}\n")
        place = {"line": line_of(text, "Again")}
    else:
        text = t.append(CHANNELS, f"  - {{id: {ident}, name: Again, mode: broadcast}}\n")
        place = {"line": line_of(text, "Again")}
    expect(t.problems(), "id.duplicate", rel, field="id", ident=ident, says=[f"'{ident}'"],
           **place)


@pytest.mark.parametrize(("rel", "ident"), [
    (EXTRA, "BAD ID"),
    (EXTRA, "BAD;ID"),
    (EXTRA, "BAD|ID"),
    (EXTRA, '"BAD,ID"'),
    (POWER, "BAD@ID"),
    (ZONES, "Z 1"),
], ids=["space", "semicolon", "bar", "comma", "at-geojson", "zone-space"])
def test_invalid_id(t: Folder, rel: str, ident: str) -> None:
    if rel == EXTRA:
        text = t.add_assets(EXTRA, f"id,kind,lon,lat\n{ident},site,1.0,49.3\n")
        place = {"line": line_of(text, ident)}
        ident = ident.strip('"')
    elif rel == POWER:
        features = [*power_features(), feature({"id": ident, "kind": "site"}, point(1.0, 49.3))]
        text = t.write(POWER, collection(features))
        place = {"feature": feature_of(text, ident)}
    else:
        text = t.write(ZONES, collection([zone(id=ident)]))
        place = {"feature": feature_of(text, ident)}
    p = expect(t.problems(), "id.invalid", rel, only=True, field="id", says=[f"'{ident}'"],
               **place)
    assert p.params["id"] == ident


@pytest.mark.parametrize(("rel", "row"), [
    (EXTRA, ",site,1.0,49.3"),
    (EXTRA, "   ,site,1.0,49.3"),
    (POWER, None),
    (ZONES, None),
], ids=["csv-empty", "csv-blank", "geojson", "zone"])
def test_missing_id(t: Folder, rel: str, row: str | None) -> None:
    if rel == EXTRA:
        text = t.add_assets(EXTRA, f"id,kind,lon,lat\nX1,site,1.01,49.31\n{row}\n")
        place = {"line": line_of(text, row or "")}
    elif rel == POWER:
        features = power_features()
        features.insert(1, feature({"kind": "site"}, point(1.0, 49.3)))
        t.write(POWER, collection(features))
        place = {"feature": 2}
        assert "id" not in features[place["feature"] - 1]["properties"]
    else:
        t.write(ZONES, collection([zone(), zone(id=None)]))
        place = {"feature": 2}
    expect(t.problems(), "field.missing", rel, only=True, field="id", **place)


def test_zone_id_equal_to_asset_id(t: Folder) -> None:
    text = t.write(ZONES, collection([zone(id="SITE")]))
    expect(t.problems(), "id.duplicate", ZONES, only=True, feature=feature_of(text, "SITE"),
           field="id", ident="SITE", says=["'SITE'"])


# ----------------------------------------------------------------------------- kinds, layers


@pytest.mark.parametrize("rel", [EXTRA, POWER])
def test_unknown_kind_with_suggestion(t: Folder, rel: str) -> None:
    if rel == EXTRA:
        text = t.add_assets(EXTRA, "id,kind,lon,lat\nX1,site,1.0,49.3\nX2,antena,1.0,49.3\n")
    else:
        features = power_features()
        props_of(features, "T1")["kind"] = "transfomer"
        text = t.write(POWER, collection(features))
    needle = "X2" if rel == EXTRA else "T1"
    p = expect(t.problems(), "kind.unknown", rel, only=True, field="kind", ident=needle,
               **place_of(rel, text, needle))
    close = "antenna" if rel == EXTRA else "transformer"
    assert f'did you mean "{close}"' in p.render("en")


@pytest.mark.parametrize("rel", [EXTRA, POWER])
def test_missing_kind(t: Folder, rel: str) -> None:
    if rel == EXTRA:
        text = t.add_assets(EXTRA, "id,kind,lon,lat\nX1,,1.0,49.3\n")
    else:
        features = power_features()
        del props_of(features, "T1")["kind"]
        text = t.write(POWER, collection(features))
    needle = "X1" if rel == EXTRA else "T1"
    expect(t.problems(), "field.missing", rel, only=True, field="kind", ident=needle,
           **place_of(rel, text, needle))


@pytest.mark.parametrize("rel", [EXTRA, POWER])
def test_unknown_layer(t: Folder, rel: str) -> None:
    if rel == EXTRA:
        text = t.add_assets(EXTRA, "id,kind,layer,lon,lat\nX1,site,telecomm,1.0,49.3\n")
    else:
        features = [*power_features(),
                    feature({"id": "X1", "kind": "site", "layer": "powr"}, point(1.0, 49.3))]
        text = t.write(POWER, collection(features))
    needle = "X1"
    p = expect(t.problems(), "layer.unknown", rel, only=True, field="layer", ident=needle,
               **place_of(rel, text, needle))
    close = "telecom" if rel == EXTRA else "power"
    assert f'did you mean "{close}"' in p.render("en")


def test_unknown_layer_of_a_line_end_is_reported_once(t: Folder) -> None:
    """S1 (an end of line L1) has a mistyped layer: one message, not a second one on L1."""
    features = power_features()
    props_of(features, "S1")["layer"] = "powr"
    text = t.write(POWER, collection(features))
    expect(t.problems(), "layer.unknown", POWER, only=True, feature=feature_of(text, "S1"),
           field="layer", ident="S1")


# ----------------------------------------------------------------------------- references


@pytest.mark.parametrize(("rel", "field", "ref", "close"), [
    (TELECOM, "requires", "TT1", "T1"),
    (POWER, "requires", "S11", "S1"),
    (POWER, "connects", "T11", "T1"),
    (ZONES, "requires", "TT1", "T1"),
    (LINKS, "from", "AA1", "A1"),
    (LINKS, "to", "CORR", "CORE"),
    (ACTORS, "site", "SITEE", "SITE"),
    (CHANNELS, "requires", "COREE", "CORE"),
], ids=["csv-requires", "geojson-requires", "connects", "zone-requires", "link-from", "link-to",
        "actor-site", "channel-requires"])
def test_reference_to_missing_asset(t: Folder, rel: str, field: str, ref: str,
                                    close: str) -> None:
    if rel == TELECOM:
        text = t.replace(TELECOM, "SITE,site,1.012,49.312,T1,", f"SITE,site,1.012,49.312,T1|{ref},")
        place, ident = {"line": line_of(text, ref)}, "SITE"
    elif rel == POWER:
        features = power_features()
        if field == "requires":
            props_of(features, "T1")["requires"] = [{"any_of": ["S1"], "backup_hours": 1},
                                                    {"any_of": [ref, "S1"]}]
            ident = "T1"
        else:
            props_of(features, "L1")["connects"] = ["S1", ref]
            ident = "L1"
        text = t.write(POWER, collection(features))
        place = {"feature": feature_of(text, ident)}
    elif rel == ZONES:
        text = t.write(ZONES, collection([zone(requires=f"T1|{ref}")]))
        place, ident = {"feature": feature_of(text, "Z1")}, "Z1"
    elif rel == LINKS:
        row = f"{ref},CORE,telecom" if field == "from" else f"A1,{ref},telecom"
        text = t.append(LINKS, row + "\n")
        place, ident = {"line": line_of(text, ref)}, None
    elif rel == ACTORS:
        text = t.replace(ACTORS, "    role: mayor\n    site: SITE",
                         f"    role: mayor\n    site: {ref}")
        place, ident = {"line": line_of(text, ref)}, "MAIRIE"
    else:
        text = t.replace(CHANNELS, "requires: CORE", f"requires: {ref}")
        place, ident = {"line": line_of(text, ref)}, "mobile"
    p = expect(t.problems(), "ref.asset", rel, only=True, field=field, ident=ident,
               says=[f"'{ref}'", f'did you mean "{close}"'], **place)
    assert p.params["ref"] == ref


def test_unknown_channel_of_actor(t: Folder) -> None:
    text = t.replace(ACTORS, "channels: [mobile, fr-alert]", "channels: [mobile, fr-alrt]")
    expect(t.problems(), "ref.channel", ACTORS, only=True, line=line_of(text, "fr-alrt"),
           field="channels", ident="COD", says=["'fr-alrt'", 'did you mean "fr-alert"'])


def test_unknown_actor_in_reports_to(t: Folder) -> None:
    text = t.replace(ACTORS, "reports_to: [COD]", "reports_to: [CODD]")
    expect(t.problems(), "ref.actor", ACTORS, only=True, line=line_of(text, "CODD"),
           field="reports_to", ident="MAIRIE", says=["'CODD'", 'did you mean "COD"'])


def test_actor_reports_to_itself(t: Folder) -> None:
    text = t.replace(ACTORS, "reports_to: [COD]", "reports_to: [COD, MAIRIE]")
    expect(t.problems(), "ref.self", ACTORS, only=True, line=line_of(text, "reports_to"),
           field="reports_to", ident="MAIRIE", says=["'MAIRIE'"])


@pytest.mark.parametrize(("rel", "field"), [(TELECOM, "requires"), (POWER, "requires"),
                                            (POWER, "connects")])
def test_asset_refers_to_itself(t: Folder, rel: str, field: str) -> None:
    if rel == TELECOM:
        text = t.replace(TELECOM, "SITE,site,1.012,49.312,T1,", "SITE,site,1.012,49.312,T1;SITE,")
        ident = "SITE"
    else:
        features = power_features()
        ident = "T1" if field == "requires" else "L1"
        props_of(features, ident)[field] = "S1; T1" if field == "requires" else ["S1", "L1"]
        text = t.write(POWER, collection(features))
    expect(t.problems(), "ref.self", rel, only=True, field=field, ident=ident,
           says=[f"'{ident}'"], **place_of(rel, text, "T1;SITE" if rel == TELECOM else ident))


# ----------------------------------------------------------------------------- connects, links


@pytest.mark.parametrize(("rel", "value", "count"), [
    (POWER, ["S1"], 1),
    (POWER, ["S1", "T1", "S1"], 3),
    (POWER, "S1", 1),
    (EXTRA, "S1", 1),
    (EXTRA, "S1;T1;S1", 3),
    (EXTRA, "S1;", 1),
], ids=["geojson-one", "geojson-three", "geojson-string", "csv-one", "csv-three", "csv-blank"])
def test_connects_count(t: Folder, rel: str, value: Any, count: int) -> None:
    if rel == POWER:
        features = power_features()
        props_of(features, "L1")["connects"] = value
        text = t.write(POWER, collection(features))
        ident = "L1"
    else:
        text = t.add_assets(EXTRA, f"id,kind,connects\nL2,line,{value}\n")
        ident = "L2"
    p = expect(t.problems(), "connects.count", rel, only=True, field="connects", ident=ident,
               says=[f"got {count}"], **place_of(rel, text, ident))
    assert p.params["count"] == count


def test_connects_assets_of_another_layer(t: Folder) -> None:
    features = power_features()
    props_of(features, "L1")["connects"] = ["S1", "CORE"]
    text = t.write(POWER, collection(features))
    p = expect(t.problems(), "connects.layer", POWER, only=True,
               feature=feature_of(text, "L1"), field="connects", ident="L1",
               says=["'CORE'", "telecom", "power"])
    assert p.params["ref"] == "CORE"


def test_connects_on_an_asset_without_layer(t: Folder) -> None:
    text = t.add_assets(EXTRA, "id,kind,lon,lat,connects\nX1,site,1.0,49.3,S1;T1\n")
    expect(t.problems(), "connects.no_layer", EXTRA, only=True, line=line_of(text, "X1"),
           field="connects", ident="X1")


@pytest.mark.parametrize(("row", "field"), [
    ("A1,T1,", "to"),
    ("S1,T1,telecom", "layer"),
    ("A1,SITE,telecom", "to"),
], ids=["two-layers", "declared-other-layer", "no-layer-end"])
def test_link_joins_two_layers(t: Folder, row: str, field: str) -> None:
    text = t.append(LINKS, row + "\n")
    a, b = row.split(",")[:2]
    p = expect(t.problems(), "link.layer", LINKS, only=True, line=line_of(text, row),
               field=field, says=[f"'{a}'", f"'{b}'"])
    assert (p.params["a"], p.params["b"]) == (a, b)


# ----------------------------------------------------------------------------- requires syntax


@pytest.mark.parametrize("bad", ["T1||A1", "T1;;A1", "T1@2x", "T1@2h@3h", "@2h", "T1 A1",
                                 "T1|", "|T1"])
def test_malformed_compact_requires_in_csv(t: Folder, bad: str) -> None:
    text = t.add_assets(EXTRA, f"id,kind,lon,lat,requires\nX1,site,1.0,49.3,T1\nX2,site,1.0,49.3,"
                               f"{bad}\n")
    p = expect(t.problems(), "requires.syntax", EXTRA, only=True, line=line_of(text, "X2"),
               field="requires", ident="X2", says=[f"'{bad}'"])
    assert p.params["text"] == bad


@pytest.mark.parametrize("bad", ["T1||S1", [{"any_of": []}], [{"any_of": ["T1"], "backup": "x"}],
                                 [{"anyof": ["T1"]}], [42], {"any_of": ["T1"]}],
                         ids=["compact", "empty-any-of", "bad-backup", "unknown-key", "number",
                              "not-a-list"])
def test_malformed_requires_in_geojson(t: Folder, bad: Any) -> None:
    features = power_features()
    props_of(features, "T1")["requires"] = bad
    text = t.write(POWER, collection(features))
    expect(t.problems(), "requires.syntax", POWER, only=True, feature=feature_of(text, "T1"),
           field="requires", ident="T1")


def test_malformed_requires_in_channel(t: Folder) -> None:
    text = t.replace(CHANNELS, "requires: CORE", "requires: CORE||A1")
    expect(t.problems(), "requires.syntax", CHANNELS, line=line_of(text, "CORE||A1"),
           field="requires", ident="mobile")


# ----------------------------------------------------------------------------- geometry


@pytest.mark.parametrize(("rel", "lon", "lat", "field"), [
    (EXTRA, 200.0, 49.3, "lon"),
    (EXTRA, 1.0, -95.0, "lat"),
    (POWER, 1.0, 91.0, "geometry"),
    (ZONES, -181.0, 49.3, "geometry"),
], ids=["csv-lon", "csv-lat", "geojson-point", "geojson-polygon"])
def test_coordinates_out_of_range(t: Folder, rel: str, lon: float, lat: float,
                                  field: str) -> None:
    if rel == EXTRA:
        text = t.add_assets(EXTRA, f"id,kind,lon,lat\nX1,site,{lon},{lat}\n")
        ident = "X1"
    elif rel == POWER:
        features = power_features()
        features[0]["geometry"] = point(lon, lat)
        text = t.write(POWER, collection(features))
        ident = "S1"
    else:
        poly = {"type": "Polygon", "coordinates": [[[lon, lat], [1.0, 49.3], [1.0, 49.4],
                                                    [lon, lat]]]}
        text = t.write(ZONES, collection([zone(poly)]))
        ident = "Z1"
    expect(t.problems(), "geom.range", rel, only=True, field=field, ident=ident,
           says=[f"lon {lon:g}"], **place_of(rel, text, ident))


@pytest.mark.parametrize(("lon", "lat", "field"), [
    ("nan", "49.3", "lon"), ("1.0", "NaN", "lat"), ("inf", "49.3", "lon"),
    ("1.0", "-Infinity", "lat"), ("nan", "nan", "lon"),
])
def test_non_finite_coordinate_in_csv(t: Folder, lon: str, lat: str, field: str) -> None:
    text = t.add_assets(EXTRA, f"id,kind,lon,lat\nX1,site,1.0,49.3\nX2,site,{lon},{lat}\n")
    expect(t.problems(), "geom.nan", EXTRA, only=True, line=line_of(text, "X2"), field=field,
           ident="X2")


@pytest.mark.parametrize(("lon", "lat", "missing"), [("1.0", "", "lat"), ("", "49.3", "lon")])
def test_only_one_coordinate_given(t: Folder, lon: str, lat: str, missing: str) -> None:
    text = t.add_assets(EXTRA, f"id,kind,lon,lat\nX1,site,{lon},{lat}\n")
    expect(t.problems(), "field.missing", EXTRA, only=True, line=line_of(text, "X1"),
           field=missing, ident="X1")


@pytest.mark.parametrize("rel", [ZONES, POWER, EXTRA])
def test_empty_geometry(t: Folder, rel: str) -> None:
    if rel == ZONES:
        text = t.write(ZONES, collection([zone({"type": "Polygon", "coordinates": []})]))
        ident, field = "Z1", "geometry"
    elif rel == POWER:
        features = power_features()
        features[1]["geometry"] = {"type": "LineString", "coordinates": []}
        text = t.write(POWER, collection(features))
        ident, field = "L1", "geometry"
    else:
        text = t.add_assets(EXTRA, "id,kind,wkt\nX1,site,POINT (1 49.3)\nX2,site,POINT EMPTY\n")
        ident, field = "X2", "wkt"
    expect(t.problems(), "geom.empty", rel, only=True, field=field, ident=ident,
           **place_of(rel, text, ident))


@pytest.mark.parametrize("rel", [ZONES, EXTRA])
def test_self_intersecting_polygon(t: Folder, rel: str) -> None:
    if rel == ZONES:
        text = t.write(ZONES, collection([zone(BOW_TIE)]))
        ident, field = "Z1", "geometry"
    else:
        wkt = "POLYGON ((1 49.3, 1.02 49.32, 1.02 49.3, 1 49.32, 1 49.3))"
        text = t.add_assets(EXTRA, f'id,kind,wkt\nX1,site,"{wkt}"\n')
        ident, field = "X1", "wkt"
    p = expect(t.problems(), "geom.invalid", rel, only=True, field=field, ident=ident,
               **place_of(rel, text, ident))
    assert "Self-intersection" in str(p.params["detail"])


@pytest.mark.parametrize("rel", [ZONES, "zones.csv"])
def test_geometry_type_not_allowed(t: Folder, rel: str) -> None:
    if rel == ZONES:
        line = {"type": "LineString", "coordinates": [[1.0, 49.3], [1.01, 49.31]]}
        text = t.write(ZONES, collection([zone(line)]))
        field = "geometry"
    else:
        text = use_csv_zones(t, 'id,population,requires,wkt\n'
                                'Z1,1000,T1,"LINESTRING (1 49.3, 1.01 49.31)"\n')
        field = "wkt"
    p = expect(t.problems(), "geom.type", rel, only=True, field=field, ident="Z1",
               says=["LineString", "Polygon"], **place_of(rel, text, "Z1"))
    assert p.params["type"] == "LineString"


@pytest.mark.parametrize("rel", [ZONES, "zones.csv"])
def test_zone_without_geometry(t: Folder, rel: str) -> None:
    if rel == ZONES:
        text = t.write(ZONES, collection([zone(), zone(None, id="Z2")]))
    else:
        text = use_csv_zones(t, "id,population,requires,lon,lat\nZ1,1000,T1,1.0,49.3\n"
                                "Z2,10,T1,,\n")
    expect(t.problems(), "geom.missing", rel, only=True, ident="Z2",
           **place_of(rel, text, "Z2"))


@pytest.mark.parametrize("rel", [POWER, EXTRA])
def test_antenna_without_location(t: Folder, rel: str) -> None:
    if rel == POWER:
        features = [*power_features(), feature({"id": "A2", "kind": "antenna"}, None)]
        text = t.write(POWER, collection(features))
    else:
        text = t.add_assets(EXTRA, "id,kind,lon,lat\nX1,site,1.0,49.3\nA2,antenna,,\n")
    p = expect(t.problems(), "location.missing", rel, only=True, ident="A2",
               **place_of(rel, text, "A2"))
    assert p.field in {"geometry", "lon", "lat"}
    assert "antenna" in p.render("en")


def test_point_outside_crs_area_is_a_warning(t: Folder) -> None:
    text = t.add_assets(EXTRA, "id,kind,lon,lat\nX1,site,49.3,1.0\n")  # lat/lon swapped
    territory = t.load()
    assert "X1" in territory.assets.ids.to_pylist()
    p = expect(territory.warnings, "geom.outside_crs", EXTRA, severity="warning",
               line=line_of(text, "X1"), ident="X1", says=["lon 49.3", "lat 1"])
    assert "2154" in p.render("en") or "Lambert" in p.render("en")
    assert [w.code for w in territory.warnings] == ["geom.outside_crs"]


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(("rel", "field", "value"), [
    (ZONES, "population", -5),
    (ZONES, "vulnerable", -1),
    (EXTRA, "range_m", -100),
    (POWER, "backup_hours", -2),
    (POWER, "repair_hours", -0.5),
])
def test_negative_number(t: Folder, rel: str, field: str, value: float) -> None:
    if rel == ZONES:
        text = t.write(ZONES, collection([zone(**{field: value, "vulnerable": None}
                                               if field == "population" else {field: value})]))
        ident = "Z1"
    elif rel == EXTRA:
        text = t.add_assets(EXTRA, f"id,kind,lon,lat,{field}\nX1,antenna,1.0,49.3,{value}\n")
        ident = "X1"
    else:
        features = power_features()
        props_of(features, "T1")[field] = value
        text = t.write(POWER, collection(features))
        ident = "T1"
    p = expect(t.problems(), "field.negative", rel, only=True, field=field, ident=ident,
               says=[f"{value:g}"], **place_of(rel, text, ident))
    assert float(str(p.params["value"])) == value


@pytest.mark.parametrize(("rel", "cell"), [
    (ZONES, "abc"), (ZONES, "1,5"), ("zones.csv", "abc"), ("zones.csv", '"1,5"'),
    ("zones.csv", "1 000"), (EXTRA, "3km"),
], ids=["geojson-abc", "geojson-comma", "csv-abc", "csv-comma", "csv-space", "csv-range"])
def test_not_a_number(t: Folder, rel: str, cell: str) -> None:
    value = cell.strip('"')
    field = "range_m" if rel == EXTRA else "population"
    ident = "X1" if rel == EXTRA else "Z1"
    if rel == ZONES:
        text = t.write(ZONES, collection([zone(population=value, vulnerable=None)]))
    elif rel == EXTRA:
        text = t.add_assets(EXTRA, f"id,kind,lon,lat,range_m\nX1,antenna,1.0,49.3,{cell}\n")
    else:
        text = use_csv_zones(t, f"id,population,requires,lon,lat\nZ1,{cell},T1,1.0,49.3\n")
    expect(t.problems(), "field.number", rel, only=True, field=field, ident=ident,
           says=[f"'{value}'"], **place_of(rel, text, ident))


@pytest.mark.parametrize("rel", [ZONES, "zones.csv"])
def test_missing_population(t: Folder, rel: str) -> None:
    if rel == ZONES:
        text = t.write(ZONES, collection([zone(population=None, vulnerable=None)]))
    else:
        text = use_csv_zones(t, "id,population,requires,lon,lat\nZ1,,T1,1.0,49.3\n")
    expect(t.problems(), "field.missing", rel, only=True, field="population", ident="Z1",
           **place_of(rel, text, "Z1"))


def test_vulnerable_exceeds_population(t: Folder) -> None:
    text = t.write(ZONES, collection([zone(population=10, vulnerable=50)]))
    p = expect(t.problems(), "zone.vulnerable", ZONES, only=True,
               feature=feature_of(text, "Z1"), field="vulnerable", ident="Z1",
               says=["(50)", "(10)"])
    assert (p.params["vulnerable"], p.params["population"]) == ("50", "10")


@pytest.mark.parametrize(("rel", "value"), [(POWER, "maybe"), (POWER, 2), (EXTRA, "peut-être")])
def test_source_not_boolean(t: Folder, rel: str, value: Any) -> None:
    if rel == POWER:
        features = power_features()
        props_of(features, "S1")["source"] = value
        text = t.write(POWER, collection(features))
        ident = "S1"
    else:
        text = t.add_assets(EXTRA, f"id,kind,lon,lat,source\nX1,site,1.0,49.3,{value}\n")
        ident = "X1"
    expect(t.problems(), "field.bool", rel, only=True, field="source", ident=ident,
           says=[f"'{value}'"], **place_of(rel, text, ident))


# ----------------------------------------------------------------------------- CSV structure


@pytest.mark.parametrize(("rel", "row", "got", "width"), [
    (EXTRA, "X2,site,1.0,49.3,extra", 5, 4),
    (EXTRA, "X2,site", 2, 4),
    (LINKS, "A1,CORE,telecom,extra", 4, 3),
], ids=["too-many", "too-few", "links"])
def test_csv_row_length(t: Folder, rel: str, row: str, got: int, width: int) -> None:
    if rel == EXTRA:
        text = t.add_assets(EXTRA, f"id,kind,lon,lat\nX1,site,1.0,49.3\n{row}\nX3,site,1.0,49.3\n")
    else:
        text = t.append(LINKS, row + "\n")
    p = expect(t.problems(), "csv.row_length", rel, only=True, line=line_of(text, row),
               says=[f"{got} fields", f"has {width}"])
    assert (p.params["got"], p.params["expected"]) == (got, width)


def test_csv_duplicate_column(t: Folder) -> None:
    t.add_assets(EXTRA, "id,kind,lon,lat,kind\nX1,site,1.0,49.3,site\n")
    p = expect(t.problems(), "csv.column_duplicate", EXTRA, only=True, line=1, says=["'kind'"])
    assert p.params["column"] == "kind"


@pytest.mark.parametrize(("rel", "header", "column"), [
    (EXTRA, "name,kind,lon,lat", "id"),
    (EXTRA, "ID,kind,lon,lat", "id"),
    (LINKS, "from,too,layer", "to"),
], ids=["assets", "assets-case", "links"])
def test_csv_missing_column(t: Folder, rel: str, header: str, column: str) -> None:
    if rel == EXTRA:
        t.add_assets(EXTRA, f"{header}\nX1,site,1.0,49.3\n")
    else:
        t.write(LINKS, f"{header}\nA1,CORE,telecom\n")
    p = expect(t.problems(), "csv.column_missing", rel, only=True, line=1, says=[f"'{column}'"])
    assert p.params["column"] == column


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_csv_line_numbers_count_multiline_values_and_blank_lines(t: Folder,
                                                                 newline: str) -> None:
    rows = ["id,kind,lon,lat,note", 'X1,site,1.0,49.3,"two', 'lines"', "",
            "X2,site,1.0,49.3,ok", "X3,antena,1.0,49.3,bad kind"]
    text = t.add_assets(EXTRA, newline.join(rows) + newline)
    expect(t.problems(), "kind.unknown", EXTRA, only=True, line=line_of(text, "X3"),
           field="kind", ident="X3")


# ----------------------------------------------------------------------------- territory.yaml


@pytest.mark.parametrize(("value", "code"), [
    ("EPSG:99999999", "crs.invalid"),
    ("not a crs", "crs.invalid"),
    ("EPSG:4326", "crs.not_metric"),
    ("EPSG:4978", "crs.not_metric"),
    ("EPSG:2249", "crs.not_metric"),
])
def test_bad_metric_crs(t: Folder, value: str, code: str) -> None:
    text = t.replace(TERRITORY, "metric_crs: EPSG:2154", f"metric_crs: {value}")
    p = expect(t.problems(), code, TERRITORY, only=True, line=line_of(text, "metric_crs"),
               field="metric_crs", says=[f"'{value}'"])
    assert "EPSG:2154" in p.render("en")


@pytest.mark.parametrize("value", ["Europe/Pariss", "Mars/Olympus", "../../etc/passwd"])
def test_bad_timezone(t: Folder, value: str) -> None:
    text = t.replace(TERRITORY, "timezone: Europe/Paris", f"timezone: {value}")
    expect(t.problems(), "timezone.invalid", TERRITORY, only=True,
           line=line_of(text, "timezone"), field="timezone", says=[f"'{value}'"])


def test_kind_override_unknown_field(t: Folder) -> None:
    text = t.append(TERRITORY, "kinds:\n  antenna:\n    rang_m: 100\n")
    expect(t.problems(), "field.unknown", TERRITORY, only=True, line=line_of(text, "rang_m"),
           field="kinds.antenna.rang_m", says=["'rang_m'", 'did you mean "range_m"'])


@pytest.mark.parametrize(("field", "value", "code"), [
    ("range_m", "-5", "field.negative"),
    ("backup_hours", "-0.5", "field.negative"),
    ("range_m", "abc", "field.number"),
    ("repair_hours", ".nan", "field.negative"),
    ("source", "maybe", "field.bool"),
])
def test_kind_override_bad_value(t: Folder, field: str, value: str, code: str) -> None:
    text = t.append(TERRITORY, f"kinds:\n  antenna:\n    {field}: {value}\n")
    expect(t.problems(), code, TERRITORY, only=True, line=line_of(text, f"{field}:"),
           field=f"kinds.antenna.{field}")


def test_kind_override_layer_unknown(t: Folder) -> None:
    text = t.append(TERRITORY, "kinds:\n  antenna:\n    layer: telecomm\n")
    expect(t.problems(), "layer.unknown", TERRITORY, line=line_of(text, "layer:"),
           says=["'telecomm'"])


# ----------------------------------------------------------------------------- channels


def test_channel_coverage_kind_without_range(t: Folder) -> None:
    text = t.replace(CHANNELS, "requires: CORE\n    coverage: antenna",
                     "requires: CORE\n    coverage: site")
    p = expect(t.problems(), "channel.coverage", CHANNELS, only=True,
               line=line_of(text, "coverage: site"), field="coverage", ident="mobile",
               says=["'site'", "antenna"])
    assert p.params["kind"] == "site"


def test_channel_coverage_unknown_kind(t: Folder) -> None:
    text = t.replace(CHANNELS, "requires: CORE\n    coverage: antenna",
                     "requires: CORE\n    coverage: antena")
    p = expect(t.problems(), "channel.coverage", CHANNELS, only=True,
               line=line_of(text, "coverage: antena"), field="coverage", ident="mobile")
    assert p.params["kind"] == "antena"


def test_trigger_on_point_to_point_channel(t: Folder) -> None:
    text = t.replace(CHANNELS, "    coverage: antenna\n  - id: fr-alert",
                     "    coverage: antenna\n    triggered_by: [mayor]\n  - id: fr-alert")
    expect(t.problems(), "channel.trigger", CHANNELS, only=True,
           line=line_of(text, "triggered_by: [mayor]"), field="triggered_by", ident="mobile")


@pytest.mark.parametrize(("value", "close"), [("prefectur", "prefecture"), ("CODD", "COD")])
def test_trigger_names_unknown_actor_or_role(t: Folder, value: str, close: str) -> None:
    text = t.replace(CHANNELS, "triggered_by: [prefecture]", f"triggered_by: [mayor, {value}]")
    expect(t.problems(), "ref.actor", CHANNELS, only=True, line=line_of(text, value),
           field="triggered_by", ident="fr-alert",
           says=[f"'{value}'", f'did you mean "{close}"'])


# ----------------------------------------------------------------------------- all together


def break_everywhere(t: Folder) -> dict[tuple[str, str], dict[str, int]]:
    """One different problem in each of six files; returns (file, code) -> expected place."""
    expected: dict[tuple[str, str], dict[str, int]] = {}
    text = t.append(TELECOM, "X1,antena,1.0,49.3,,\n")
    expected[(TELECOM, "kind.unknown")] = {"line": line_of(text, "X1")}
    features = power_features()
    props_of(features, "S1")["source"] = "maybe"
    text = t.write(POWER, collection(features))
    expected[(POWER, "field.bool")] = {"feature": feature_of(text, "S1")}
    text = t.write(ZONES, collection([zone(population=-5, vulnerable=None)]))
    expected[(ZONES, "field.negative")] = {"feature": feature_of(text, "Z1")}
    text = t.replace(LINKS, "A1,CORE,telecom", "A1,CORR,telecom")
    expected[(LINKS, "ref.asset")] = {"line": line_of(text, "CORR")}
    text = t.replace(CHANNELS, "requires: CORE\n    coverage: antenna",
                     "requires: CORE\n    coverage: site")
    expected[(CHANNELS, "channel.coverage")] = {"line": line_of(text, "coverage: site")}
    text = t.replace(ACTORS, "reports_to: [COD]", "reports_to: [CODD]")
    expected[(ACTORS, "ref.actor")] = {"line": line_of(text, "CODD")}
    return expected


def test_all_problems_are_reported_at_once(t: Folder) -> None:
    expected = break_everywhere(t)
    with pytest.raises(ValidationError) as info:
        t.load()
    problems = info.value.problems
    for (file, code), place in expected.items():
        expect(problems, code, file, **place)
    assert len(errors(problems)) == len(expected), listing(problems)
    assert f"{len(expected)} problem(s)" in str(info.value)


@pytest.mark.parametrize("limits", [None, ReadLimits(max_repeats=5)], ids=["default", "five"])
def test_repeated_problem_is_counted(t: Folder, limits: ReadLimits | None) -> None:
    n = 1000
    cap = (limits or ReadLimits()).max_repeats
    rows = "".join(f"X{i},antena,1.0,49.3\n" for i in range(n))
    text = t.add_assets(EXTRA, "id,kind,lon,lat\n" + rows)
    problems = t.problems(limits)
    shown = [p for p in problems if p.code == "kind.unknown"]
    assert len(shown) == cap
    assert [p.line for p in shown] == [line_of(text, f"X{i},") for i in range(cap)]
    more = expect(problems, "more.same", EXTRA, field="kind", says=[str(n - cap)])
    assert more.params["count"] == n - cap
    assert len(problems) == cap + 1, listing(problems)


BREAKERS: dict[str, Callable[[Folder], object]] = {
    "six-files": break_everywhere,
    "yaml-syntax": lambda t: t.replace(TERRITORY, "timezone: Europe/Paris", "timezone: a: b"),
    "yaml-tag": lambda t: t.replace(ACTORS, "role: mayor", "role: !!python/object:os.system x"),
    "yaml-duplicate": lambda t: t.append(TERRITORY, "name: Again\n"),
    "yaml-depth": lambda t: t.append(ACTORS, "x: " + "[" * 100 + "]" * 100 + "\n"),
    "json-syntax": lambda t: t.write(POWER, t.read(POWER).replace('"S1",', '"S1"')),
    "json-nan": lambda t: t.write(POWER, t.read(POWER).replace("1.0, 49.3", "NaN, 49.3")),
    "latin1": lambda t: t.write(ACTORS, t.read(ACTORS).encode("latin-1")),
    "utf16": lambda t: t.write(TELECOM, t.read(TELECOM).encode("utf-16")),
    "csv-row": lambda t: t.append(TELECOM, "X1,site,1,49,,,,\n"),
    "csv-header": lambda t: t.write(LINKS, "from,from,layer\n"),
    "pydantic": lambda t: t.replace(CHANNELS, "latency: 10m", "latency: [1, 2]"),
    "pydantic-extra": lambda t: t.append(TERRITORY, "chanels: x\n"),
    "requires": lambda t: t.replace(TELECOM, "T1@2h", "T1@2h@3h"),
    "crs": lambda t: t.replace(TERRITORY, "EPSG:2154", "EPSG:99999999"),
    "missing-file": lambda t: t.replace(TERRITORY, "zones: zones.geojson", "zones: z.geojson"),
    "repeats": lambda t: t.add_assets(EXTRA, "id,kind\n" + "X,site\n" * 50),
    "geometry": lambda t: t.write(ZONES, collection([zone(BOW_TIE), zone(None, id="Z2")])),
}


@pytest.mark.parametrize("breaker", BREAKERS.values(), ids=BREAKERS.keys())
def test_every_problem_renders_in_french(t: Folder, breaker: Callable[[Folder], object]) -> None:
    breaker(t)
    problems = t.problems()
    assert problems
    for p in problems:
        en, fr = p.render("en"), p.render("fr")
        assert fr != en
        assert p.file in fr
        assert p.text("fr") != p.text("en"), fr
        if p.feature is not None and p.line is None:
            assert f"objet {p.feature}" in fr
        assert " — attendu\u00a0: " in fr and " — expected: " not in fr, fr


@pytest.mark.parametrize("breaker", BREAKERS.values(), ids=BREAKERS.keys())
def test_problems_render_without_traceback(t: Folder,
                                           breaker: Callable[[Folder], object]) -> None:
    breaker(t)
    with pytest.raises(ValidationError) as info:
        t.load()
    texts = [str(info.value)] + [p.render(lang) for p in info.value.problems
                                 for lang in ("en", "fr")]
    for text in texts:
        assert "\n" not in text, text
        for leak in ("Traceback", 'File "', "line 1, column", "Error(", "pydantic",
                     "errors.pydantic.dev", "<class", "object at 0x", "Value error,",
                     "{", "None"):
            if leak == "{" and ('{"type"' in text or "{en:" in text or "{any_of" in text):
                continue
            assert leak not in text, text


@pytest.mark.parametrize(("breaker", "code"), [
    (lambda t: t.replace(CHANNELS, "    mode: point_to_point\n", ""), "field.missing"),
    (lambda t: t.write(ZONES, collection([zone(population="abc", vulnerable=None)])),
     "field.number"),
    (lambda t: t.replace(CHANNELS, "latency: 10m", "latency: soon"), "field.invalid"),
    (lambda t: t.add_assets(EXTRA, "id,kind,lon,lat\nX1,,1.0,49.3\n"), "field.missing"),
], ids=["channel-mode", "population", "latency", "kind"])
def test_french_hint_is_in_french(t: Folder, breaker: Callable[[Folder], object],
                                  code: str) -> None:
    """What would be right is said in French too, not only the label 'attendu'."""
    breaker(t)
    p = next(p for p in t.problems() if p.code == code)
    hint_en = p.render("en").split(" — expected: ", 1)[1]
    hint_fr = p.render("fr").split(" — attendu\u00a0: ", 1)[1]
    assert hint_fr != hint_en, p.render("fr")
