"""A compiled territory as the flat arrays of its ``.npz`` file, and back
(:meth:`CompiledTerritory.save` and :meth:`CompiledTerritory.load`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import scipy.sparse as sp

from tousrisques.territory._compiled import FORMAT_VERSION, CompiledTerritory, LayerGraph
from tousrisques.territory._model import Requirements


def _put_req(out: dict[str, Any], prefix: str, r: Requirements) -> None:
    out[f"{prefix}.owner_ptr"] = r.owner_ptr
    out[f"{prefix}.alt_ptr"] = r.alt_ptr
    out[f"{prefix}.alt"] = r.alt
    out[f"{prefix}.backup_s"] = r.backup_s


def _get_req(z: dict[str, Any], prefix: str) -> Requirements:
    return Requirements(z[f"{prefix}.owner_ptr"], z[f"{prefix}.alt_ptr"], z[f"{prefix}.alt"],
                        z[f"{prefix}.backup_s"])


def _put_csr(out: dict[str, Any], prefix: str, m: sp.csr_matrix) -> None:
    m = sp.csr_matrix(m)
    out[f"{prefix}.data"] = m.data
    out[f"{prefix}.indices"] = m.indices
    out[f"{prefix}.indptr"] = m.indptr
    out[f"{prefix}.shape"] = np.array(m.shape, np.int64)


def _get_csr(z: dict[str, Any], prefix: str) -> sp.csr_matrix:
    return sp.csr_matrix((z[f"{prefix}.data"], z[f"{prefix}.indices"], z[f"{prefix}.indptr"]),
                         shape=tuple(int(s) for s in z[f"{prefix}.shape"]))


_PLAIN = ("kind", "layer", "source", "repair_s", "population",
          "vulnerable", "actor_ids", "actor_role", "actor_site", "crisis_cell", "reports_to",
          "channel_ids", "channel_broadcast", "channel_latency_s", "channel_coverage",
          "channel_needs_site", "channel_trigger_declared", "kind_sensitive",
          "kind_carried_by_people", "coordinates_with", "actor_relay",
          "relay_assets", "actor_operator",
          "channel_by_operator", "actor_fallback", "actor_fallback_delay_s")


def _strings(values: tuple[str, ...]) -> npt.NDArray[np.str_]:
    return np.array(values, dtype=str) if values else np.zeros(0, dtype="<U1")


def flatten(c: CompiledTerritory) -> dict[str, Any]:
    out: dict[str, Any] = {"format_version": np.array(FORMAT_VERSION),
                           "name": np.array(c.name),
                           "source_hash": np.array(c.source_hash),
                           "kind_names": _strings(c.kind_names),
                           "layer_names": _strings(c.layer_names),
                           "coverage_kinds": _strings(c.coverage_kinds),
                           "operator_names": _strings(c.operator_names),
                           "operator_kinds": _strings(tuple(c.operator_coverage)),
                           "fallback_kinds": _strings(tuple(c.fallback_coverage)),
                           "fallback_operator_kinds":
                               _strings(tuple(c.fallback_operator_coverage))}
    for k in _PLAIN:
        out[k] = getattr(c, k)
    _put_strings(out, "asset_ids", c.asset_ids)
    _put_strings(out, "zone_ids", c.zone_ids)
    _put_req(out, "requires", c.requires)
    _put_req(out, "zone_requires", c.zone_requires)
    _put_req(out, "channel_requires", c.channel_requires)
    for g in c.layers:
        out[f"layer.{g.name}.members"] = g.members
        out[f"layer.{g.name}.sources"] = g.sources
        _put_csr(out, f"layer.{g.name}.adjacency", g.adjacency)
    for k in c.coverage_kinds:
        _put_csr(out, f"zone_coverage.{k}", c.zone_coverage[k])
        _put_csr(out, f"actor_coverage.{k}", c.actor_coverage[k])
    _put_csr(out, "actor_channels", c.actor_channels)
    _put_csr(out, "channel_triggers", c.channel_triggers)
    _put_csr(out, "asset_operators", c.asset_operators if c.asset_operators is not None
             else sp.csr_matrix((len(c.asset_ids), 0), dtype=bool))
    for k in c.operator_coverage:
        _put_csr(out, f"operator_coverage.{k}", c.operator_coverage[k])
    for k in c.fallback_coverage:
        _put_csr(out, f"fallback_coverage.{k}", c.fallback_coverage[k])
    for k in c.fallback_operator_coverage:
        _put_csr(out, f"fallback_operator_coverage.{k}", c.fallback_operator_coverage[k])
    _put_csr(out, "zone_supply", c.zone_supply if c.zone_supply is not None
             else sp.csr_matrix((len(c.zone_ids), len(c.asset_ids))))
    return out


def unflatten(z: dict[str, Any]) -> CompiledTerritory:
    layer_names = tuple(str(s) for s in z["layer_names"])
    kinds = tuple(str(s) for s in z["coverage_kinds"])
    return CompiledTerritory(
        name=str(z["name"]),
        source_hash=str(z["source_hash"]) if "source_hash" in z else "",
        kind_names=tuple(str(s) for s in z["kind_names"]),
        layer_names=layer_names,
        coverage_kinds=kinds,
        requires=_get_req(z, "requires"),
        zone_requires=_get_req(z, "zone_requires"),
        channel_requires=_get_req(z, "channel_requires"),
        layers=tuple(LayerGraph(name, z[f"layer.{name}.members"], _get_csr(
            z, f"layer.{name}.adjacency"), z[f"layer.{name}.sources"]) for name in layer_names),
        zone_coverage={k: _get_csr(z, f"zone_coverage.{k}") for k in kinds},
        actor_coverage={k: _get_csr(z, f"actor_coverage.{k}") for k in kinds},
        actor_channels=_get_csr(z, "actor_channels"),
        channel_triggers=_get_csr(z, "channel_triggers"),
        operator_names=tuple(str(s) for s in z["operator_names"]),
        asset_operators=_get_csr(z, "asset_operators"),
        operator_coverage={str(k): _get_csr(z, f"operator_coverage.{k}")
                           for k in z["operator_kinds"]},
        fallback_coverage={str(k): _get_csr(z, f"fallback_coverage.{k}")
                           for k in z["fallback_kinds"]},
        fallback_operator_coverage={str(k): _get_csr(z, f"fallback_operator_coverage.{k}")
                                    for k in z["fallback_operator_kinds"]},
        zone_supply=_get_csr(z, "zone_supply"),
        asset_ids=_get_strings(z, "asset_ids"),
        zone_ids=_get_strings(z, "zone_ids"),
        **{k: z[k] for k in _PLAIN},
    )


def _put_strings(out: dict[str, Any], prefix: str, values: pa.Array) -> None:
    """A string array as its Arrow offsets and bytes: no per-string work either way."""
    values = pa.concat_arrays([values]) if values.offset else values
    values = values.cast(pa.large_string())
    _, offsets, data = values.buffers()
    n = len(values)
    out[f"{prefix}.offsets"] = np.frombuffer(offsets, dtype=np.int64)[:n + 1].copy()
    end = int(out[f"{prefix}.offsets"][-1]) if n else 0
    out[f"{prefix}.data"] = np.frombuffer(data, dtype=np.uint8)[:end].copy() \
        if data is not None else np.zeros(0, np.uint8)


def _get_strings(z: dict[str, Any], prefix: str) -> pa.Array:
    offsets, data = z[f"{prefix}.offsets"], z[f"{prefix}.data"]
    arr = pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets),
                                           pa.py_buffer(data))
    return arr.cast(pa.string())
