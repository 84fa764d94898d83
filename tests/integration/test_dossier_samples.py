"""The sample factory gives chip snapshots of the exact `kiosk card read --json` shape."""

from dossier_samples import person, snapshot


def test_snapshot_has_the_shape_of_a_chip_read() -> None:
    c = person(7)
    snap = snapshot(c)
    assert set(snap) == {"mrz", "personal", "verification", "key", "apdu_count", "seconds"}
    assert snap["personal"]["id_number"] == c.id_number
    assert snap["personal"]["full_name"] == c.full_name
    assert snap["personal"]["birth_date"] == c.birth_date.isoformat()
    assert snap["mrz"]["document_number"] == c.id_number[-9:]
    assert snap["verification"]["passive"] == "chain_verified"
