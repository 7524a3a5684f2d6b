"""Every problem message, by code, in English; translations live in the gettext catalog.

Each entry is ``code: (message, expected)``: two English ``str.format`` templates over the
problem's parameters, each wrapped in ``N_()`` so that Babel extracts it as a message id of the
package's one domain, ``tousrisques``. Their French is in
``src/tousrisques/locale/fr/LC_MESSAGES/tousrisques.po`` (a text of this table is never
written in French here).

How to add a message:

1. add ``"area.what": (N_("what is wrong, with {param}"), N_("what would be right")),`` to
   ``MESSAGES`` below (reuse a parameter name of the same kind: ``path``, ``value``,
   ``allowed``, ``suggest``…; ``suggest`` becomes "did you mean …?" on its own);
2. raise or record it with its code and parameters: ``problems.error("area.what", file,
   line=..., param=...)``, or ``raise InputError("area.what", param=...)`` for an error that
   stops a command;
3. extract and update the catalog with ``make i18n`` (pybabel extract, then update), then
   translate the new entries in the ``.po`` (French typography: a no-break space before
   « : », a narrow one before « ; », « ? », « ! » and inside « guillemets »; a test checks it).

   ``tests/test_i18n_catalog.py`` fails while a message has no French, a fuzzy one, or other
   placeholders than its English.

A parameter may be a :class:`Text` (both languages, e.g. a name from a user's file): the
message takes the side of its own language; or a :class:`Msg` (our own words: a message id
and its parameters, e.g. what a field expects), rendered in the message's language.
"""

from __future__ import annotations

from collections.abc import Mapping

from tousrisques._i18n import N_, Msg, Text, gettext, in_lang

__all__ = ["ERRORS", "MESSAGES", "SPLIT_HINT", "Lang", "Msg", "Text", "error_text", "message",
           "word"]

Lang = str

_T = tuple[str, str]

SPLIT_HINT = N_("split the file, or raise the limit `{setting}`")

MESSAGES: dict[str, _T] = {
    # files and encodings
    "file.missing": (N_("file '{path}' not found"),
                     N_("a path relative to the folder of the file that names it")),
    "file.outside": (N_("path '{path}' leaves its folder"),
                     N_("a relative path inside the folder, without '..'")),
    "file.too_large": (N_("file is {size} bytes, more than the limit of {limit}"), SPLIT_HINT),
    "file.encoding": (N_("not UTF-8: byte {byte} cannot be decoded"),
                      N_("the file saved as UTF-8 (with or without BOM)")),
    "file.utf16": (N_("file is encoded as {encoding}"),
                   N_("the file saved as UTF-8 (with or without BOM)")),
    "file.unreadable": (N_("cannot read the file: {detail}"), N_("a readable file")),
    "file.type": (N_("unsupported file type '{suffix}'"), N_("{allowed}")),
    "file.empty": (N_("the file is empty"), N_("{expected}")),
    "file.special": (N_("'{path}' is {kind}, not a regular file"),
                     N_("the path of a regular file (not a pipe, a device or a folder)")),
    "file.memory": (N_("file is {size} bytes, more than this machine can read into memory "
                       "({free} bytes free)"),
                    N_("a smaller file, or a machine with more memory")),
    # YAML and JSON syntax and limits
    "yaml.syntax": (N_("YAML syntax error: {detail}"),
                    N_("valid YAML: check indentation, colons and quotes near this line")),
    "yaml.aliases": (N_("more than {limit} YAML aliases"),
                     N_("values written out; aliases are limited to protect against alias bombs")),
    "yaml.depth": (N_("nesting deeper than {limit} levels"), N_("a flatter structure")),
    "yaml.expanded": (N_("more than {limit} values once aliases are expanded"),
                      N_("fewer aliases of large blocks")),
    "yaml.duplicate_key": (N_("key '{key}' appears twice"), N_("each key once per block")),
    "yaml.tag": (N_("YAML tag not allowed: {detail}"),
                 N_("plain values (text, numbers, lists, mappings)")),
    "yaml.key": (N_("a key must be text, got {detail}"), N_("a plain text key")),
    "json.syntax": (N_("JSON syntax error: {detail}"),
                    N_("valid JSON: double quotes, no trailing comma, no NaN")),
    "json.depth": (N_("nesting deeper than the JSON reader allows"), N_("a flatter structure")),
    # GeoJSON and geometry
    "geojson.collection": (N_("not a GeoJSON FeatureCollection"),
                           N_('{"type": "FeatureCollection", "features": [...]}')),
    "geojson.feature": (N_("not a GeoJSON Feature"),
                        N_('{"type": "Feature", "geometry": ..., "properties": {...}}')),
    "geom.missing": (N_("no geometry"), N_("{expected}")),
    "geom.invalid": (N_("invalid geometry: {detail}"),
                     N_("a valid geometry (QGIS: Vector > Geometry Tools > Fix Geometries)")),
    "geom.empty": (N_("empty geometry"), N_("a geometry with coordinates")),
    "geom.type": (N_("geometry type {type} is not allowed here"), N_("{allowed}")),
    "geom.nan": (N_("a coordinate is not a finite number"),
                 N_("finite WGS84 longitude and latitude")),
    "geom.range": (N_("coordinates out of range: lon {lon}, lat {lat}"),
                   N_("WGS84 longitude in [-180, 180] and latitude in [-90, 90], longitude first")),
    "geom.outside_crs": (N_("lies outside the area of use of {crs}: lon {lon}, lat {lat}"),
                         N_("check the lon/lat order, or choose a metric_crs that covers the territory")),
    # CSV
    "csv.column_missing": (N_("column '{column}' is missing"),
                           N_("a header line with at least: {required}")),
    "csv.column_duplicate": (N_("column '{column}' appears twice"), N_("each column name once")),
    "csv.column_empty": (N_("column {position} has no name"), N_("a name for every column")),
    "csv.row_length": (N_("row has {got} fields, the header has {expected}"),
                       N_("one value per column; quote values that contain commas")),
    "csv.syntax": (N_("CSV syntax error: {detail}"),
                   N_("comma-separated values with a header line")),
    # fields
    "field.missing": (N_("required field is missing"), N_("{expected}")),
    "field.invalid": (N_("invalid value: {detail}"), N_("{expected}")),
    "field.unknown": (N_("unknown field '{name}'"), N_("one of: {allowed}{suggest}")),
    "field.number": (N_("'{value}' is not a number"), N_("{expected}")),
    "field.negative": (N_("{value} is negative"), N_("a number greater than or equal to 0")),
    "field.not_finite": (N_("{value} is not a finite number"), N_("{expected}")),
    "field.too_large": (N_("{value} is more than the largest value allowed here, {limit}"),
                        N_("a number from 0 to {limit}")),
    "field.bool": (N_("'{value}' is not true or false"),
                   N_("true or false (also yes/no, oui/non, 1/0)")),
    "field.type": (N_("expected {expected_type}, got {got}"), N_("{expected}")),
    "field.choice": (N_("'{value}' is not allowed"), N_("one of: {allowed}{suggest}")),
    # ids and references
    "id.duplicate": (N_("id '{id}' is already used ({other})"),
                     N_("ids unique across the whole territory")),
    "id.invalid": (N_("id '{id}' contains a space or one of ; | @ ,"),
                   N_("an id without white space and without ; | @ ,")),
    "ref.asset": (N_("unknown asset '{ref}'"),
                  N_("the id of an asset declared in the territory's asset files{suggest}")),
    "ref.channel": (N_("unknown channel '{ref}'"),
                    N_("the id of a channel in channels.yaml{suggest}")),
    "ref.actor": (N_("unknown actor or role '{ref}'"),
                  N_("the id of an actor in actors.yaml, or a role{suggest}")),
    "ref.self": (N_("'{ref}' refers to itself"), N_("another id")),
    "kind.unknown": (N_("unknown kind '{kind}'"),
                     N_("a kind of the catalogue ({allowed}){suggest}, or one declared under `kinds:` in territory.yaml")),
    "kind.unused": (N_("kind '{kind}' is not in the catalogue and no asset has it: it changes "
                       "nothing"),
                    N_("the name of a catalogue kind to override it{suggest}, or assets of "
                       "this kind")),
    "layer.unknown": (N_("unknown layer '{layer}'"),
                      N_("one of: {allowed}{suggest}, or a layer declared under `layers:` in territory.yaml")),
    "requires.syntax": (N_("malformed requirement '{text}': {detail}"),
                        N_("groups separated by ';', alternatives by '|', an optional backup after '@', e.g. T12@2h; B3|B4")),
    "connects.count": (N_("connects must name exactly two assets, got {count}"),
                       N_('two asset ids, e.g. \'S1;T4\' in CSV or ["S1", "T4"] in GeoJSON')),
    "connects.missing": (N_("a {kind} without connects joins nothing"),
                         N_("the two asset ids it joins, e.g. 'S1;T4' in CSV")),
    "connects.layer": (N_("connects '{ref}' of layer {other}, but this asset is in layer {layer}"),
                       N_("two assets of the same layer as the line")),
    "connects.no_layer": (N_("an asset with connects must belong to a layer"),
                          N_("a layer, e.g. power or telecom")),
    "link.layer": (N_("link joins '{a}' (layer {la}) and '{b}' (layer {lb})"),
                   N_("both ends in the same layer (and the link's layer column, if any, equal to it)")),
    "zone.vulnerable": (N_("vulnerable ({vulnerable}) exceeds population ({population})"),
                        N_("a number of vulnerable people at most the population")),
    "zone.supply_layer": (N_("supply '{ref}' is not a power asset (layer: {layer})"),
                          N_("the power-layer assets (MV/LV transformers) the zone's homes "
                             "hang on")),
    "zone.supply_type": (N_("supply must list asset ids, got {got}"),
                         N_('asset ids separated by \'|\', e.g. \'T1|T2\', or ["T1", "T2"] '
                            'in GeoJSON')),
    # citizen relays (territory/_relays.py)
    "relay.no_volunteers": (N_("a citizen-relay field without volunteers"),
                            N_("volunteers: the number of people (e.g. volunteers: 30), or "
                               "remove the field")),
    "relay.no_site": (N_("volunteers without a site to muster at"),
                      N_("site: the asset where the volunteers gather (e.g. the town hall)")),
    "relay.day": (N_("{shifts} shifts of {shift} make more than 24 hours a day"),
                  N_("fewer shifts a day, or shorter shifts")),
    "relay.no_channel": (N_("volunteers but no door-to-door channel: they reach nobody"),
                         N_("a broadcast channel carried by people in its channels: {channels}")),
    "relay.instant": (N_("door-to-door channel that no actor with volunteers holds: it reaches "
                         "everyone it covers at once"),
                      N_("volunteers: N on the citizen-relay actors that hold it, so that "
                         "its reach grows at the pace of the volunteers")),
    "crs.invalid": (N_("'{value}' is not a CRS pyproj knows: {detail}"),
                    N_("a projected CRS in metres, e.g. EPSG:2154 (Lambert-93) for mainland France")),
    "crs.not_metric": (N_("'{value}' is not a projected CRS in metres"),
                       N_("a projected CRS in metres, e.g. EPSG:2154 (Lambert-93) for mainland France")),
    "crs.distorted": (N_("'{value}' (Web Mercator) stretches distances: about 1.5 times at 49° N"),
                      N_("a conformal CRS of the region, e.g. EPSG:2154 (Lambert-93) for mainland France")),
    "timezone.invalid": (N_("'{value}' is not an IANA time zone"),
                         N_("a time zone such as Europe/Paris or America/Cayenne")),
    "location.missing": (N_("{what} has no location"), N_("a Point geometry or lon/lat columns")),
    "channel.reserved": (N_("channel id '{id}' is a word of the indicators' names "
                            "(population_reached:{id})"),
                         N_("another id than any and network")),
    "channel.coverage": (N_("coverage kind '{kind}' has no range"),
                         N_("a kind with range_m > 0: {allowed}")),
    "channel.trigger": (N_("only broadcast channels have triggered_by"),
                        N_("mode: broadcast, or no triggered_by")),
    # mobile operators (territory/_operators.py)
    "channel.by_operator_mode": (N_("a broadcast is not by_operator: it goes out over every "
                                    "operator's working cells"),
                                 N_("mode: point_to_point, or no by_operator")),
    "channel.by_operator_coverage": (N_("by_operator needs a coverage kind"),
                                     N_("coverage: the kind of the operators' cells, e.g. "
                                        "antenna, or no by_operator")),
    "asset.operator": (N_("operator must name operators, got {value}"),
                       N_("a name, or names separated by '|' for a shared site, e.g. "
                          "'orange|sfr' (a list in GeoJSON)")),
    "asset.operator_separator": (N_("operator '{value}' looks like several operators"),
                                 N_("names separated by '|', e.g. '{better}'")),
    "ref.operator": (N_("no asset belongs to operator '{ref}'"),
                     N_("an operator named by the assets' `operator`: {allowed}{suggest}")),
    "actor.operator_any": (N_("no operator: channel '{channel}' reaches it through every "
                              "operator's coverage"),
                           N_("operator: the operator of its phones, one of {allowed}")),
    "actor.operator_no_coverage": (N_("operator '{ref}' has no {kind} for channel "
                                      "'{channel}': the actor has it only where a {kind} of "
                                      "no operator covers it"),
                                   N_("the operator of its phones among those of the "
                                      "{kind} assets: {allowed}")),
    "ref.actor_id": (N_("unknown actor '{ref}'"),
                     N_("the id of an actor in actors.yaml{suggest}")),
    "feed.no_group": (N_("'{beside}' is in none of the requirement groups of '{asset}'"),
                      N_("beside: an asset that '{asset}' already requires (the feed the new "
                         "one doubles)")),
    "terminal.broadcast": (N_("'{channel}' is a broadcast channel: a terminal takes a "
                              "point-to-point one"),
                           N_("a point-to-point channel: {allowed}")),
    "terminal.no_site": (N_("actor '{ref}' has no site where the terminal of '{channel}' "
                            "would be"),
                         N_("site: the asset where the actor sits, in actors.yaml")),
    "restoration.no_crews": (N_("restoration without crews or mobile generators: it changes "
                                "nothing"),
                             N_("crews: or generators: in the scenario, or no restoration")),
    "actor.fallback_delay": (N_("fallback_delay without fallback_site"),
                             N_("fallback_site: the asset it moves to, or no fallback_delay")),
    "actors.no_crisis_cell": (N_("no actor is a crisis cell"),
                              N_("at least one actor with crisis_cell: true, or no actor can be connected")),
    "refs.unchecked": (N_("{count} reference(s) to assets not checked: {files} could not be read"),
                       N_("the file mended first; the references are checked again then")),
    "scenario.after_end": (N_("'{at}' comes after the end of the scenario"),
                           N_("a time within the scenario's duration, or a longer duration")),
    "start.gap": (N_("{value} does not exist in {timezone} (the clocks go forward): read as "
                     "{read}"),
                  N_("a local time that exists, or one with its offset")),
    "start.fold": (N_("{value} happens twice in {timezone} (the clocks go back): read as the "
                      "first, {read}"),
                   N_("the offset written, e.g. {other} for the second one")),
    "start.offset": (N_("the offset of {value} is not that of {timezone} on that day: read as "
                        "{read}"),
                     N_("the local time without offset, or the offset of the day")),
    # assets that can never work, and a file's coordinate reference system
    "health.requirement": (N_("never works: requirement group {group} ({alternatives}) is never met, even with nothing damaged"),
                           N_("an alternative that can work: {alternatives} linked to a source of their layer, or another alternative")),
    "health.no_source": (N_("never works: no path to a source of layer {layer}, even with nothing damaged"),
                         N_("a link (links file) or a line (connects) that joins it to the rest of layer {layer}; a layer without sources counts its largest connected part as its source")),
    "crs.unreadable": (N_("the file's crs member '{value}' cannot be read: {detail}"),
                       N_('a CRS pyproj knows, e.g. {{"type": "name", "properties": {{"name": "urn:ogc:def:crs:EPSG::2154"}}}}, or no crs member for WGS84 lon/lat')),
    "footprint.outside": (N_("the footprint lies entirely outside the territory: footprint lon {lon}, lat {lat}; territory lon {territory_lon}, lat {territory_lat}"),
                          N_("a footprint over the territory: check the file's crs member, its coordinates and the lon/lat order")),
    "more.same": (N_("... and {count} more of the same problem in this file"),
                  N_("the same correction")),
}

#: Errors that stop a command (``InputError(code, **params)``): one English template each, a
#: message id of the catalog like the problems' (see the top of this module).
ERRORS: dict[str, str] = {
    "output.not_folder": N_("{path} is a file, not a folder: give the path of a folder to "
                            "write (a file is never replaced by a folder)"),
    "output.is_folder": N_("{path} is a folder: give the path of a file to write"),
    "fragility.number": N_("{what} must be a number"),
    "fragility.positive": N_("{what} must be more than 0"),
    "fragility.not_negative": N_("{what} must be 0 or more"),
    "fragility.forms": N_("one of {{step: {{threshold}}}}, {{lognormal: {{median, beta}}}}, "
                          "{{table: [[intensity, probability], ...]}}"),
    "fragility.step": N_("step takes {{threshold: number}}"),
    "fragility.lognormal": N_("lognormal takes {{median: number, beta: number}}"),
    "fragility.table": N_("table takes at least two [intensity, probability] pairs"),
    "fragility.increase": N_("table intensities must increase"),
    "fragility.probability": N_("table probabilities must lie between 0 and 1"),
    "fragility.form": N_("unknown fragility form '{form}': step, lognormal or table"),
    "output.exists": N_("{path} already exists: it is replaced only when asked (--force on "
                        "the command line, replace=True in Python); or choose another place"),
    "output.not_ours": N_("{path} is not empty and not one of ours (it has no {marker}): it "
                          "is never replaced; choose another place"),
    "output.symlink": N_("{path} is a symbolic link: an output is never written through a "
                         "link; give the path of the file or folder itself"),
    "territory.none": N_("{path}: no territory here (expected a folder with {file}, or the "
                         "path of that file)"),
    "territory.empty": N_("{path}: empty"),
    "scenario.none": N_("{path}: no scenario file here"),
    "scenario.empty": N_("{path}: empty or not a mapping"),
    "scenario.no_territory": N_("{path}: no territory named"),
    "event.time": N_("event '{event}': its time is not a finite number"),
    "compiled.unreadable": N_("{path}: not a compiled territory ({detail})"),
    "compiled.version": N_("{path}: compiled with format {version}, this version reads "
                           "{expected}; compile the territory again"),
    "compiled.missing": N_("{path}: missing array {name}; compile again"),
    "dask.unreachable": N_("--dask {address}: no Dask scheduler answers there ({detail}); "
                           "start one (`dask scheduler`, then `dask worker ADDRESS` on each "
                           "machine) or use --workers N on this machine"),
    "budget.size": N_("{option} {value}: not a size; give bytes, or a number and a unit, "
                      "e.g. 16G, 512M, 2GiB"),
    "budget.runs": N_("{runs} runs: at most {limit} runs in one Monte Carlo (these would take "
                      "{work} asset-steps and about {memory} of memory); split the study into "
                      "several with different seeds"),
    "budget.workers": N_("{workers} workers: from 1 to {limit} local processes on this "
                         "machine (4 per core, {cpus} cores)"),
    "budget.events": N_("the scenario makes {events} timed events in each run, more than the "
                        "limit of {limit} (about {minutes} minutes of work per run on one "
                        "core); shed fewer feeders or over fewer days, or split the scenario"),
    "budget.memory": N_("this run would take {work} asset-steps ({runs} runs × {assets} "
                        "assets × {steps} output times), {events} timed events and about "
                        "{memory} of memory ({parts}), more than the limit of {limit}; raise "
                        "the limit with --max-memory {suggest} (or the environment variable "
                        "TOUSRISQUES_MAX_MEMORY, or max_memory= in Python), or ask for fewer "
                        "runs, fewer events, a longer step or a shorter duration"),
    "budget.memory_stages": N_("the scenario's footprints would take about {memory} of "
                               "memory ({parts}) over {assets} assets, more than the limit of "
                               "{limit}; raise the limit with --max-memory {suggest} (or the "
                               "environment variable TOUSRISQUES_MAX_MEMORY), or give the "
                               "footprints fewer time windows"),
    "budget.memory_synthetic": N_("a synthetic territory of {assets} assets would take about "
                                  "{memory} of memory while it is made, more than the limit "
                                  "of {limit}; raise the limit with --max-memory {suggest} (or "
                                  "the environment variable TOUSRISQUES_MAX_MEMORY), or ask "
                                  "for fewer assets"),
    "communes.not_collection": N_("boundaries: expected a GeoJSON FeatureCollection"),
    "communes.no_boundary": N_("no boundary for code(s) {codes} (the join is on the INSEE "
                               "code)"),
    "communes.no_population": N_("no population for code(s) {codes} (the join is on the "
                                 "INSEE code)"),
    "communes.unmatched": N_("no boundary for code(s) {codes}; no population for code(s) "
                             "{other} (the join is on the INSEE code)"),
    # a run folder read back (tousrisques.results)
    "run.none": N_("{path}: not a run folder (no summary.json); make one with `tousrisques "
                   "run SCENARIO -o {path}`"),
    "run.json": N_("{path}: not JSON ({detail}); run the scenario again with `tousrisques run`"),
    "run.format": N_("{path}: a run folder of format {got}, this version reads format "
                     "{expected}; run the scenario again with `tousrisques run`"),
    "run.file_missing": N_("{path}: missing; this run folder is not whole — run the scenario "
                           "again with `tousrisques run`"),
    "run.file_link": N_("{path}: cannot be read as a file of the run folder ({detail}); a run "
                        "folder holds plain files, not links"),
    "run.file_special": N_("{path}: not a plain file (a device, a pipe or a folder); a run "
                           "folder holds plain files"),
    "run.file_too_large": N_("{path}: {size} bytes, more than the limit of {limit} for a file "
                             "of a run folder (raise it with TOUSRISQUES_MAX_RUN_FILE)"),
    "run.file_grew": N_("{path}: more than {limit} bytes (the file grew while it was read)"),
    "run.rows": N_("{path}: {rows} rows where this run has {expected}; the file does not "
                   "belong to this run folder — run the scenario again with `tousrisques run`"),
    "run.bomb": N_("{path}: its data would take {size} bytes once decoded, far more than "
                   "{rows} rows need — run the scenario again with `tousrisques run`"),
    "run.columns": N_("{path}: columns {columns} missing — run the scenario again with "
                      "`tousrisques run`"),
    "run.parquet": N_("{path}: not a Parquet file of a run folder ({detail}) — run the "
                      "scenario again with `tousrisques run`"),
    "run.not_numbers": N_("{path}: column {column} holds {type}, not numbers — run the "
                          "scenario again with `tousrisques run`"),
    "run.not_text": N_("{path}: column {column} holds {type}, not text — run the scenario "
                       "again with `tousrisques run`"),
    "run.empty_cells": N_("{path}: column {column} has empty cells — run the scenario again "
                          "with `tousrisques run`"),
    "run.share": N_("{path}: column {column} holds {value}, not a share between 0 and 1 — the "
                    "file was changed since the run; run the scenario again with `tousrisques "
                    "run`"),
    "run.metadata": N_("{path}: its metadata is not what `tousrisques run` writes — run the "
                       "scenario again with `tousrisques run`"),
    "run.order": N_("{path}: rows not in the order `tousrisques run` writes them — run the "
                    "scenario again with `tousrisques run`"),
    "run.zones": N_("{path}: not the zones and channels of this run — run the scenario again "
                    "with `tousrisques run`"),
    "run.actors": N_("{path}: not the actors and channels of this run — run the scenario "
                     "again with `tousrisques run`"),
    "run.changed": N_("{path}: {files} changed since the run (its hash is not the one "
                      "summary.json recorded) — run the scenario again with `tousrisques run`"),
    "run.inputs_missing": N_("{path}: inputs missing — run the scenario again with "
                             "`tousrisques run`"),
    "run.inputs_outside": N_("{path}: inputs outside the run folder — run the scenario again "
                             "with `tousrisques run`"),
    "run.inputs_invalid": N_("{path}: the copies of the inputs kept in the folder no longer "
                             "load ({count} problem(s)) — run the scenario again with "
                             "`tousrisques run`"),
    "run.inputs_other": N_("{path}: the copies of the inputs are not those of the run — run "
                           "the scenario again with `tousrisques run`"),
    "run.replay": N_("{path}: the representative run does not replay the same; the results "
                     "were made by another version — run the scenario again with "
                     "`tousrisques run`"),
    "run.apart": N_("{path}: {wrong} — the files of this folder do not belong together; run "
                    "the scenario again with `tousrisques run`"),
    "run.size": N_("{path}: {files} changed since the run (its size is not the one "
                    "summary.json recorded) — run the scenario again with `tousrisques run`"),
    "run.reach": N_("zones.parquet does not add up to the population reached in runs.parquet "
                    "({channel}: {zones} people by the zones, {runs} by the runs)"),
    "run.criticality_order": N_("{path}: not ranked by the cost of each loss (row {row}) — "
                                "run the scenario again with `tousrisques run`"),
    "run.seed": N_("runs.parquet was made with seed {got}, summary.json says {expected}"),
    "run.zones_other": N_("zones.parquet is not about the zones of the territory"),
    "run.actors_other": N_("actor_channels.parquet is not about the actors of the territory"),
    "run.times": N_("runs.parquet has {got} times, the scenario {expected}"),
    "run.criticality_rows": N_("{path}: {rows} rows, more than the {assets} assets of the "
                               "territory — run the scenario again with `tousrisques run`"),
    "run.ranks": N_("{path}: ranks not 1, 2, 3… in order — run the scenario again with "
                    "`tousrisques run`"),
    "run.criticality_unknown": N_("{path}: assets or kinds not in the territory ({assets}) — "
                                  "run the scenario again with `tousrisques run`"),
    "ensemble.runs": N_("monte_carlo.runs must be at least 1, got {runs}"),
    "advice.unreadable": N_("{path}: not an advice written by `tousrisques advise` "
                            "({detail})"),
    "advice.objective": N_("unknown objective '{objective}': expected one of {allowed}"),
    "advice.channel": N_("unknown channel '{channel}': expected one of {allowed}"),
    "advice.no_channel": N_("the territory has no broadcast channel that needs a network: "
                            "give the objective vulnerable or actors"),
    "advice.weights": N_("--weights takes three numbers >= 0, not all zero (alert, "
                         "vulnerable, actors), e.g. 1,1,1; got '{weights}'"),
    "advice.other_scenario": N_("{path}: this advice was made for the scenario “{advice}”, "
                                "the run folder is of “{run}” — give the advice of the run's "
                                "scenario (`tousrisques advise` on it)"),
    # the fault of a value, the detail of a problem (raised as InvalidValueError in a validator)
    "value.unit": N_("write a unit: {examples}"),
    "value.duration_max": N_("at most {days} days (ten years)"),
    "value.positive_duration": N_("must be longer than zero, e.g. 1h"),
    "value.stages": N_("more than {limit} stages: use a longer step"),
    "value.point": N_("a point is [longitude, latitude]"),
    "value.lonlat": N_("longitude in [-180, 180] and latitude in [-90, 90]"),
    "value.band": N_("a band is [distance in metres, depth in metres, time]"),
    "value.band_distance": N_("the distance must be a finite number"),
    "value.band_depth": N_("the depth must be a finite number"),
    "value.band_sign": N_("the distance must be > 0 and the depth >= 0"),
    "value.band_max": N_("the distance must be at most {distance} m and the depth at most "
                         "{depth} m"),
    "value.end_before_start": N_("end comes before start"),
    "value.crews_empty": N_("say which assets the crews repair: kinds, assets or both"),
    "value.backups_empty": N_("say which assets get the backup: kinds, assets or both"),
    "value.one_footprint": N_("give exactly one of footprint, plume, flood, storm (got "
                              "{given})"),
    "value.no_footprint": N_("give one of footprint, plume, flood, storm"),
    "value.duration": N_("'{value}' is not a duration; expected a duration such as 30s, 15m, "
                         "2h, 1h30m, 1d or ISO 8601 PT15M"),
    "value.no_geometry": N_("no geometry"),
    "value.not_area": N_("a {type} is not an area"),
    "value.intensity": N_("intensity is not a number"),
    "value.intensity_range": N_("intensity must be a finite number >= 0"),
    "value.whole_range": N_("'{value}' is not a whole number from {low} to {high}"),
    "value.pace": N_("'{value}' is not a number above 0 and at most {high}"),
    "value.duration_range": N_("'{value}' is not a duration from {low} to {high}"),
    "value.start": N_("'{value}' is not a date and time"),
    "value.start_no_time": N_("'{value}' is a date without an hour"),
    # the fault of a requirement (territory/_requires.py), the detail of requires.syntax
    "requires.at_twice": N_("'@' appears twice in '{part}'"),
    "requires.backup_duration": N_("backup '{backup}' is not a duration (write 2h, 90m, 1d)"),
    "requires.no_asset": N_("group '{part}' names no asset before '@'"),
    "requires.empty_alternative": N_("empty alternative in '{part}'"),
    "requires.not_id_compact": N_("'{id}' is not an id (missing ';' or '|'?)"),
    "requires.empty_group": N_("empty group between two ';'"),
    "requires.type": N_("expected a list of groups or a compact string, got {got}"),
    "requires.one_group": N_("item {item} '{text}' must be one group"),
    "requires.unknown_keys": N_("item {item} has unknown key(s) {keys}; use any_of and "
                                "backup_hours (or backup){suggest}"),
    "requires.any_of": N_("item {item}: any_of must be a non-empty list of ids"),
    "requires.not_id": N_("'{id}' is not an id"),
    "requires.item_type": N_("item {item} must be a string or {{any_of: [...], "
                             "backup_hours: ...}}"),
    "requires.backup_hours": N_("item {item}: backup_hours must be a number >= 0"),
    "requires.backup": N_("item {item}: backup is not a duration"),
    "requires.backup_max": N_("a backup of {hours} h is more than the largest allowed, "
                              "{most} h ({years} years)"),
}

#: "; did you mean …?" after a list of choices (the ``suggest`` of a problem or an error)
DID_YOU_MEAN = N_('; did you mean "{close}"?')


def error_text(code: str, params: Mapping[str, object], lang: Lang = "en") -> str:
    """The text of the error ``code`` in ``lang``; a parameter that is itself an error or a
    :class:`Text` is given in the same language.

    >>> print(error_text("scenario.none", {"path": "x.yaml"}, "fr"))
    x.yaml : aucun fichier de scénario ici
    """
    return _format(gettext(ERRORS[code], lang), {k: _side(v, lang) for k, v in params.items()})


def _side(v: object, lang: Lang) -> object:
    """A parameter as ``lang`` reads it: the side of a :class:`Text`, a :class:`Msg` or an
    error rendered in ``lang``, a list or tuple of those joined with "; "."""
    if isinstance(v, Text | Msg):
        return in_lang(v, lang)
    render = getattr(v, "render", None)
    if isinstance(v, Exception) and callable(render):
        return render(lang)
    if isinstance(v, list | tuple):
        return "; ".join(str(_side(x, lang)) for x in v)
    return v


#: the small words that locate a problem, by key
_WHERE = {"line": N_("line"), "feature": N_("feature"), "row": N_("row"), "field": N_("field"),
          "expected": N_("expected")}


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
    """Return ``(message, expected)`` for ``code`` in ``lang`` (``"en"`` or ``"fr"``).

    >>> print(message("file.missing", {"path": "a.csv"}, "fr")[0])
    fichier « a.csv » introuvable
    """
    msg, hint = MESSAGES[code]
    params = {k: _side(v, lang) for k, v in params.items()}
    close = params.get("suggest")
    if close:
        framed = _format(gettext(DID_YOU_MEAN, lang), {"close": close})
        params = {**params, "suggest": framed}
    return _format(gettext(msg, lang), params), _format(gettext(hint, lang), params)


def word(key: str, lang: Lang = "en") -> str:
    """A small word used to locate problems (``line``/``ligne``)."""
    return gettext(_WHERE[key], lang)
