"""Every problem message, in English and French, by code.

Each entry is ``code: ((message_en, message_fr), (expected_en, expected_fr))``; the texts are
``str.format`` templates over the problem's parameters. Keeping them in one table lets a test
check that every code speaks both languages and that no template names a missing parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

Lang = str


class Text(NamedTuple):
    """A parameter of a message given in both languages; the message picks its own."""

    en: str
    fr: str

    def __str__(self) -> str:
        return self.en
_T = tuple[tuple[str, str], tuple[str, str]]

SPLIT_HINT = ("split the file, or raise the limit `{setting}`", "découpez le fichier ou relevez la limite `{setting}`")

MESSAGES: dict[str, _T] = {
    # files and encodings
    "file.missing": (("file '{path}' not found", "fichier « {path} » introuvable"),
                     ("a path relative to the folder of the file that names it", "un chemin relatif au dossier du fichier qui le nomme")),
    "file.outside": (("path '{path}' leaves its folder", "le chemin « {path} » sort de son dossier"),
                     ("a relative path inside the folder, without '..'", "un chemin relatif dans le dossier, sans « .. »")),
    "file.too_large": (("file is {size} bytes, more than the limit of {limit}", "le fichier fait {size} octets, plus que la limite de {limit}"),
                       SPLIT_HINT),
    "file.encoding": (("not UTF-8: byte {byte} cannot be decoded", "pas en UTF-8 : l'octet {byte} ne peut pas être décodé"),
                      ("the file saved as UTF-8 (with or without BOM)", "le fichier enregistré en UTF-8 (avec ou sans BOM)")),
    "file.utf16": (("file is encoded as {encoding}", "le fichier est encodé en {encoding}"),
                   ("the file saved as UTF-8 (with or without BOM)", "le fichier enregistré en UTF-8 (avec ou sans BOM)")),
    "file.unreadable": (("cannot read the file: {detail}", "lecture impossible : {detail}"),
                        ("a readable file", "un fichier lisible")),
    "file.type": (("unsupported file type '{suffix}'", "type de fichier non pris en charge « {suffix} »"),
                  ("{allowed}", "{allowed}")),
    "file.empty": (("the file is empty", "le fichier est vide"),
                   ("{expected}", "{expected}")),
    # YAML and JSON syntax and limits
    "yaml.syntax": (("YAML syntax error: {detail}", "erreur de syntaxe YAML : {detail}"),
                    ("valid YAML: check indentation, colons and quotes near this line",
                     "du YAML valide : vérifiez l'indentation, les deux-points et les guillemets vers cette ligne")),
    "yaml.aliases": (("more than {limit} YAML aliases", "plus de {limit} alias YAML"),
                     ("values written out; aliases are limited to protect against alias bombs",
                      "des valeurs écrites en entier ; les alias sont limités contre les bombes d'alias")),
    "yaml.depth": (("nesting deeper than {limit} levels", "imbrication de plus de {limit} niveaux"),
                   ("a flatter structure", "une structure moins profonde")),
    "yaml.expanded": (("more than {limit} values once aliases are expanded", "plus de {limit} valeurs une fois les alias développés"),
                      ("fewer aliases of large blocks", "moins d'alias vers de gros blocs")),
    "yaml.duplicate_key": (("key '{key}' appears twice", "la clé « {key} » apparaît deux fois"),
                           ("each key once per block", "chaque clé une seule fois par bloc")),
    "yaml.tag": (("YAML tag not allowed: {detail}", "étiquette YAML interdite : {detail}"),
                 ("plain values (text, numbers, lists, mappings)", "des valeurs simples (texte, nombres, listes, dictionnaires)")),
    "yaml.key": (("a key must be text, got {detail}", "une clé doit être du texte, reçu {detail}"),
                 ("a plain text key", "une clé textuelle")),
    "json.syntax": (("JSON syntax error: {detail}", "erreur de syntaxe JSON : {detail}"),
                    ("valid JSON: double quotes, no trailing comma, no NaN",
                     "du JSON valide : guillemets doubles, pas de virgule finale, pas de NaN")),
    "json.depth": (("nesting deeper than the JSON reader allows", "imbrication plus profonde que ne l'accepte le lecteur JSON"),
                   ("a flatter structure", "une structure moins profonde")),
    # GeoJSON and geometry
    "geojson.collection": (("not a GeoJSON FeatureCollection", "pas une FeatureCollection GeoJSON"),
                           ('{"type": "FeatureCollection", "features": [...]}', '{"type": "FeatureCollection", "features": [...]}')),
    "geojson.feature": (("not a GeoJSON Feature", "pas une Feature GeoJSON"),
                        ('{"type": "Feature", "geometry": ..., "properties": {...}}',
                         '{"type": "Feature", "geometry": ..., "properties": {...}}')),
    "geom.missing": (("no geometry", "pas de géométrie"),
                     ("{expected}", "{expected}")),
    "geom.invalid": (("invalid geometry: {detail}", "géométrie invalide : {detail}"),
                     ("a valid geometry (QGIS: Vector > Geometry Tools > Fix Geometries)",
                      "une géométrie valide (QGIS : Vecteur > Outils de géométrie > Réparer les géométries)")),
    "geom.empty": (("empty geometry", "géométrie vide"),
                   ("a geometry with coordinates", "une géométrie avec des coordonnées")),
    "geom.type": (("geometry type {type} is not allowed here", "le type de géométrie {type} n'est pas accepté ici"),
                  ("{allowed}", "{allowed}")),
    "geom.nan": (("a coordinate is not a finite number", "une coordonnée n'est pas un nombre fini"),
                 ("finite WGS84 longitude and latitude", "une longitude et une latitude WGS84 finies")),
    "geom.range": (("coordinates out of range: lon {lon}, lat {lat}", "coordonnées hors limites : lon {lon}, lat {lat}"),
                   ("WGS84 longitude in [-180, 180] and latitude in [-90, 90], longitude first",
                    "longitude WGS84 dans [-180, 180] et latitude dans [-90, 90], longitude d'abord")),
    "geom.outside_crs": (("lies outside the area of use of {crs}: lon {lon}, lat {lat}",
                          "hors de la zone d'usage de {crs} : lon {lon}, lat {lat}"),
                         ("check the lon/lat order, or choose a metric_crs that covers the territory",
                          "vérifiez l'ordre lon/lat, ou choisissez un metric_crs qui couvre le territoire")),
    # CSV
    "csv.column_missing": (("column '{column}' is missing", "la colonne « {column} » manque"),
                           ("a header line with at least: {required}", "une ligne d'en-tête avec au moins : {required}")),
    "csv.column_duplicate": (("column '{column}' appears twice", "la colonne « {column} » apparaît deux fois"),
                             ("each column name once", "chaque nom de colonne une seule fois")),
    "csv.column_empty": (("column {position} has no name", "la colonne {position} n'a pas de nom"),
                         ("a name for every column", "un nom pour chaque colonne")),
    "csv.row_length": (("row has {got} fields, the header has {expected}", "la ligne a {got} champs, l'en-tête en a {expected}"),
                       ("one value per column; quote values that contain commas",
                        "une valeur par colonne ; mettez entre guillemets les valeurs qui contiennent des virgules")),
    "csv.syntax": (("CSV syntax error: {detail}", "erreur de syntaxe CSV : {detail}"),
                   ("comma-separated values with a header line", "des valeurs séparées par des virgules avec une ligne d'en-tête")),
    # fields
    "field.missing": (("required field is missing", "champ obligatoire manquant"),
                      ("{expected}", "{expected}")),
    "field.invalid": (("invalid value: {detail}", "valeur invalide : {detail}"),
                      ("{expected}", "{expected}")),
    "field.unknown": (("unknown field '{name}'", "champ inconnu « {name} »"),
                      ("one of: {allowed}{suggest}", "l'un de : {allowed}{suggest}")),
    "field.number": (("'{value}' is not a number", "« {value} » n'est pas un nombre"),
                     ("{expected}", "{expected}")),
    "field.negative": (("{value} is negative", "{value} est négatif"),
                       ("a number greater than or equal to 0", "un nombre supérieur ou égal à 0")),
    "field.not_finite": (("{value} is not a finite number", "{value} n'est pas un nombre fini"),
                         ("{expected}", "{expected}")),
    "field.bool": (("'{value}' is not true or false", "« {value} » n'est ni vrai ni faux"),
                   ("true or false (also yes/no, oui/non, 1/0)", "true ou false (ou yes/no, oui/non, 1/0)")),
    "field.type": (("expected {expected_type}, got {got}", "attendu {expected_type}, reçu {got}"),
                   ("{expected}", "{expected}")),
    "field.choice": (("'{value}' is not allowed", "« {value} » n'est pas accepté"),
                     ("one of: {allowed}{suggest}", "l'un de : {allowed}{suggest}")),
    # ids and references
    "id.duplicate": (("id '{id}' is already used ({other})", "l'identifiant « {id} » est déjà utilisé ({other})"),
                     ("ids unique across the whole territory", "des identifiants uniques dans tout le territoire")),
    "id.invalid": (("id '{id}' contains a space or one of ; | @ ,", "l'identifiant « {id} » contient une espace ou l'un de ; | @ ,"),
                   ("an id without white space and without ; | @ ,", "un identifiant sans espace et sans ; | @ ,")),
    "ref.asset": (("unknown asset '{ref}'", "actif inconnu « {ref} »"),
                  ("the id of an asset declared in the territory's asset files{suggest}",
                   "l'identifiant d'un actif déclaré dans les fichiers d'actifs du territoire{suggest}")),
    "ref.channel": (("unknown channel '{ref}'", "canal inconnu « {ref} »"),
                    ("the id of a channel in channels.yaml{suggest}", "l'identifiant d'un canal de channels.yaml{suggest}")),
    "ref.actor": (("unknown actor or role '{ref}'", "acteur ou rôle inconnu « {ref} »"),
                  ("the id of an actor in actors.yaml, or a role{suggest}",
                   "l'identifiant d'un acteur de actors.yaml, ou un rôle{suggest}")),
    "ref.self": (("'{ref}' refers to itself", "« {ref} » se désigne lui-même"),
                 ("another id", "un autre identifiant")),
    "kind.unknown": (("unknown kind '{kind}'", "type inconnu « {kind} »"),
                     ("a kind of the catalogue ({allowed}){suggest}, or one declared under `kinds:` in territory.yaml",
                      "un type du catalogue ({allowed}){suggest}, ou déclaré sous `kinds:` dans territory.yaml")),
    "layer.unknown": (("unknown layer '{layer}'", "couche inconnue « {layer} »"),
                      ("one of: {allowed}{suggest}, or a layer declared under `layers:` in territory.yaml",
                       "l'une de : {allowed}{suggest}, ou une couche déclarée sous `layers:` dans territory.yaml")),
    "requires.syntax": (("malformed requirement '{text}': {detail}", "exigence mal formée « {text} » : {detail}"),
                        ("groups separated by ';', alternatives by '|', an optional backup after '@', e.g. T12@2h; B3|B4",
                         "des groupes séparés par « ; », des alternatives par « | », une autonomie facultative après « @ », ex. T12@2h; B3|B4")),
    "connects.count": (("connects must name exactly two assets, got {count}", "connects doit nommer exactement deux actifs, reçu {count}"),
                       ("two asset ids, e.g. 'S1;T4' in CSV or [\"S1\", \"T4\"] in GeoJSON",
                        "deux identifiants, ex. « S1;T4 » en CSV ou [\"S1\", \"T4\"] en GeoJSON")),
    "connects.missing": (("a {kind} without connects joins nothing", "un actif {kind} sans connects ne relie rien"),
                         ("the two asset ids it joins, e.g. 'S1;T4' in CSV", "les deux actifs qu'il relie, ex. « S1;T4 » en CSV")),
    "connects.layer": (("connects '{ref}' of layer {other}, but this asset is in layer {layer}",
                        "connects « {ref} » est de la couche {other}, mais cet actif est de la couche {layer}"),
                       ("two assets of the same layer as the line", "deux actifs de la même couche que la ligne")),
    "connects.no_layer": (("an asset with connects must belong to a layer", "un actif avec connects doit appartenir à une couche"),
                          ("a layer, e.g. power or telecom", "une couche, ex. power ou telecom")),
    "link.layer": (("link joins '{a}' (layer {la}) and '{b}' (layer {lb})", "le lien joint « {a} » (couche {la}) et « {b} » (couche {lb})"),
                   ("both ends in the same layer (and the link's layer column, if any, equal to it)",
                    "les deux extrémités dans la même couche (et la colonne layer du lien, s'il y en a une, égale à celle-ci)")),
    "zone.vulnerable": (("vulnerable ({vulnerable}) exceeds population ({population})",
                         "vulnerable ({vulnerable}) dépasse population ({population})"),
                        ("a number of vulnerable people at most the population", "un nombre de personnes vulnérables au plus égal à la population")),
    "crs.invalid": (("'{value}' is not a CRS pyproj knows: {detail}", "« {value} » n'est pas un SCR connu de pyproj : {detail}"),
                    ("a projected CRS in metres, e.g. EPSG:2154 (Lambert-93) for mainland France",
                     "un SCR projeté en mètres, ex. EPSG:2154 (Lambert-93) pour la France métropolitaine")),
    "crs.not_metric": (("'{value}' is not a projected CRS in metres", "« {value} » n'est pas un SCR projeté en mètres"),
                       ("a projected CRS in metres, e.g. EPSG:2154 (Lambert-93) for mainland France",
                        "un SCR projeté en mètres, ex. EPSG:2154 (Lambert-93) pour la France métropolitaine")),
    "crs.distorted": (("'{value}' (Web Mercator) stretches distances: about 1.5 times at 49° N", "« {value} » (Web Mercator) étire les distances : environ 1,5 fois à 49° N"),
                      ("a conformal CRS of the region, e.g. EPSG:2154 (Lambert-93) for mainland France", "un SCR conforme de la région, ex. EPSG:2154 (Lambert-93) pour la France métropolitaine")),
    "timezone.invalid": (("'{value}' is not an IANA time zone", "« {value} » n'est pas un fuseau horaire IANA"),
                         ("a time zone such as Europe/Paris or America/Cayenne", "un fuseau comme Europe/Paris ou America/Cayenne")),
    "location.missing": (("{what} has no location", "{what} n'a pas de localisation"),
                         ("a Point geometry or lon/lat columns", "une géométrie Point ou des colonnes lon/lat")),
    "channel.coverage": (("coverage kind '{kind}' has no range", "le type de couverture « {kind} » n'a pas de portée"),
                         ("a kind with range_m > 0: {allowed}", "un type avec range_m > 0 : {allowed}")),
    "channel.trigger": (("only broadcast channels have triggered_by", "seuls les canaux de diffusion ont triggered_by"),
                        ("mode: broadcast, or no triggered_by", "mode: broadcast, ou pas de triggered_by")),
    "actors.no_crisis_cell": (("no actor is a crisis cell", "aucun acteur n'est une cellule de crise"),
                              ("at least one actor with crisis_cell: true, or no actor can be connected", "au moins un acteur avec crisis_cell: true, sans quoi aucun acteur n'est relié")),
    "refs.unchecked": (("{count} reference(s) to assets not checked: {files} could not be read", "{count} référence(s) à des actifs non vérifiée(s) : {files} n'a pas pu être lu"),
                       ("the file mended first; the references are checked again then", "d'abord réparer le fichier ; les références seront alors vérifiées")),
    "scenario.after_end": (("'{at}' comes after the end of the scenario", "« {at} » tombe après la fin du scénario"),
                           ("a time within the scenario's duration, or a longer duration", "un moment dans la durée du scénario, ou une durée plus longue")),
    "more.same": (("... and {count} more of the same problem in this file", "... et {count} autres problèmes identiques dans ce fichier"),
                  ("the same correction", "la même correction")),
}

_WHERE = {
    "en": {"line": "line", "feature": "feature", "row": "row", "field": "field", "expected": "expected"},
    "fr": {"line": "ligne", "feature": "objet", "row": "rangée", "field": "champ", "expected": "attendu"},
}


def _format(template: str, params: Mapping[str, object]) -> str:
    try:
        return template.format_map(_Defaults(params))
    except (IndexError, ValueError):
        return template


class _Defaults(dict[str, object]):
    def __init__(self, params: Mapping[str, object]) -> None:
        super().__init__(params)

    def __missing__(self, key: str) -> str:
        return ""


def message(code: str, params: Mapping[str, object], lang: Lang = "en") -> tuple[str, str]:
    """Return ``(message, expected)`` for ``code`` in ``lang`` (``"en"`` or ``"fr"``)."""
    i = 1 if lang == "fr" else 0
    (msgs, hints) = MESSAGES[code]
    params = {k: (v.fr if i else v.en) if isinstance(v, Text) else v
              for k, v in params.items()}
    close = params.get("suggest")
    if close:
        framed = f" ; vouliez-vous dire « {close} » ?" if i else f'; did you mean "{close}"?'
        params = {**params, "suggest": framed}
    return _format(msgs[i], params), _format(hints[i], params)


def word(key: str, lang: Lang = "en") -> str:
    """A small word used to locate problems (``line``/``ligne``)."""
    return _WHERE["fr" if lang == "fr" else "en"][key]
