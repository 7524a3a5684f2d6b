from tousrisques import load_territory


def test_minimal_fixture_is_valid(make_territory):
    t = load_territory(make_territory())
    assert len(t.assets) == 6
    assert t.zones.population.sum() == 1000
    assert [a.id for a in t.actors] == ["COD", "MAIRIE"]
    assert t.warnings == ()
