"""XY charts nest their breakdown above the date histogram: the top values of the whole range.

With the date histogram first, Lens computes the breakdown's top N inside
every time bucket, so a chart of "top 10 categories" shows a different ten
in each bucket, and series appear and vanish. Breakdown first, as Kibana's
own editor builds it, picks one top N for the range.
"""

from __future__ import annotations

import json

from featurewatch.demo.run import demo_spec
from featurewatch.kibana import build_ndjson


def _xy_layers():
    for line in build_ndjson(demo_spec()).splitlines():
        obj = json.loads(line)
        if obj["type"] != "lens" or obj["attributes"]["visualizationType"] != "lnsXY":
            continue
        state = obj["attributes"]["state"]
        for vis_layer in state["visualization"]["layers"]:
            layer = state["datasourceStates"]["formBased"]["layers"][vis_layer["layerId"]]
            yield obj["attributes"]["title"], vis_layer, layer


def test_breakdown_comes_before_the_date_histogram():
    split = 0
    for title, vis_layer, layer in _xy_layers():
        order = layer["columnOrder"]
        x = order.index(vis_layer["xAccessor"])
        assert layer["columns"][vis_layer["xAccessor"]]["operationType"] == "date_histogram", title
        if "splitAccessor" in vis_layer:
            split += 1
            assert order.index(vis_layer["splitAccessor"]) == 0 and x == 1, title
        else:
            assert x == 0, title
        buckets = [c for c in order if layer["columns"][c]["isBucketed"]]
        assert order[:len(buckets)] == buckets, title  # metrics after every bucket column
    assert split >= 4  # versions, findings by check, alerts by status, per-feature rates, category mix
