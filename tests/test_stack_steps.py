"""Stack.with_tier and Stack.without_tiers: building a design up step by step.

The independent reference is the shipped stack file itself: the full HA stack
built tier by tier from the all-on-one-server stack must solve to exactly the
stack that ha_galera_drbd.yaml describes.
"""

from __future__ import annotations

from types import MappingProxyType

import pytest

import hamodel as hm

HOST = "physical_server"


def _host(*kinds):
    return [HOST, *kinds]


def _full_ha_step_by_step():
    one = hm.load_stack("single_server.yaml")
    own = (one.without_tiers("server", "disks", "raid controller", name="own hosts")
           .with_tier({"name": "load balancers", "model": "single", "unit": _host("haproxy")},
                      before="web")
           .with_tier({"name": "web", "model": "single", "unit": _host("web_server")})
           .with_tier({"name": "database", "model": "single", "unit": _host("mysql")})
           .with_tier({"name": "files", "model": "single", "unit": _host("nfs_server")},
                      before="ldap")
           .with_tier({"name": "ldap", "model": "single", "unit": _host("ldap")}))
    return (own
            .with_tier({"name": "load balancers", "model": "active_standby",
                        "unit": _host("haproxy", "keepalived"), "failover": "10s",
                        "coverage": 0.99})
            .with_tier({"name": "web", "model": "parallel", "n": 2, "unit": _host("web_server")})
            .with_tier({"name": "database", "model": "majority_cluster", "n": 3,
                        "node": _host("galera_node"), "failover": "30s"})
            .with_tier({"name": "files", "model": "two_node_cluster", "node": _host("nfs_server"),
                        "link": "heartbeat_link", "tie_breaker": "stonith",
                        "fencing": {"success": 0.99, "delay": "15s"}, "failover": "60s"})
            .with_tier({"name": "ldap", "model": "read_replicas", "primary": _host("ldap"),
                        "replica": _host("ldap"), "n": 2, "promotion": None, "use": "read"},
                       name="built"))


def test_full_ha_built_step_by_step_equals_the_shipped_file():
    built = _full_ha_step_by_step()
    shipped = hm.load_stack("ha_galera_drbd.yaml")
    assert list(built.tiers) == list(shipped.tiers)
    assert built.name == "built"
    a, b = built.measures(), shipped.measures()
    for field in ("availability", "outages_per_year", "mean_down_time", "incidents_per_year",
                  "degraded_fraction"):
        assert getattr(a, field) == pytest.approx(getattr(b, field), rel=1e-12), field


def test_replacing_a_tier_keeps_its_place_and_leaves_the_original_alone():
    one = hm.load_stack("single_server.yaml")
    web = {"name": "web", "model": "parallel", "n": 2, "unit": "web_server"}
    two = one.with_tier(web)
    assert list(two.tiers) == list(one.tiers)
    assert two.name == one.name
    # A pair of web processes against one: the closed form 1 - (1 - A)^2.
    a = one.tiers["web"].measures().availability
    assert two.tiers["web"].measures().availability == pytest.approx(1 - (1 - a) ** 2)
    assert isinstance(one.tiers["web"], hm.Component)  # the first stack is unchanged
    assert one.document["tiers"][1]["model"] == "single"


def test_new_tier_goes_last_or_before_the_tier_named():
    one = hm.load_stack("single_server.yaml")
    last = one.with_tier({"name": "cache", "model": "single", "unit": "web_server"})
    assert list(last.tiers)[-1] == "cache"
    first = one.with_tier({"name": "cache", "model": "single", "unit": "web_server"},
                          before="server")
    assert next(iter(first.tiers)) == "cache"
    # A tier in series: the stack's unavailability grows by about the tier's own.
    extra = first.tiers["cache"].measures().unavailability
    grown = first.measures().unavailability - one.measures().unavailability
    assert grown == pytest.approx(extra, rel=1e-2)


def test_without_tiers_is_the_series_of_the_rest():
    one = hm.load_stack("single_server.yaml")
    fewer = one.without_tiers("disks", "raid controller")
    assert list(fewer.tiers) == ["server", "web", "database", "ldap", "operator error"]
    parts = [*one.shared, *(one.tiers[t] for t in fewer.tiers)]
    assert fewer.measures().availability == pytest.approx(
        hm.series(*parts).measures().availability, rel=1e-12)


def test_values_and_case_survive_a_new_tier():
    slow = hm.load_stack("single_server.yaml", values={"web_server": {"mttr": "4h"}},
                         case="high")
    two = slow.with_tier({"name": "database", "model": "single", "unit": "mysql"})
    assert two.tiers["web"].mttr == 4.0
    assert two.tiers["database"].mtbf == slow.tiers["database"].mtbf
    assert two.case == "high"


def test_bad_requests_name_the_value():
    one = hm.load_stack("single_server.yaml")
    with pytest.raises(ValueError, match="before = 'nowhere'"):
        one.with_tier({"name": "x", "model": "single", "unit": "ldap"}, before="nowhere")
    with pytest.raises(ValueError, match="before = 'server' is not allowed"):
        one.with_tier({"name": "web", "model": "single", "unit": "ldap"}, before="server")
    with pytest.raises(ValueError, match="expected a mapping with a 'name'"):
        one.with_tier({"model": "single", "unit": "ldap"})
    with pytest.raises(hm.StackError, match="failover"):
        one.with_tier({"name": "web", "model": "active_standby", "unit": "web_server",
                       "failover": 10})
    with pytest.raises(ValueError, match="'cache' is not a tier"):
        one.without_tiers("cache")
    with pytest.raises(ValueError, match="no tier"):
        one.without_tiers(*one.tiers)
    bare = hm.Stack(name="bare", description="", path=None,
                    tiers=MappingProxyType({"u": hm.Component("u", mtbf="1y", mttr="1h")}),
                    shared=())
    with pytest.raises(ValueError, match="put together from models"):
        bare.with_tier({"name": "v", "model": "single", "unit": "ldap"})
