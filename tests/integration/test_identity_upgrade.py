"""A kiosk database from before dossiers had an identity of their own, brought up to date: its dossiers get the
identity the hub's upgrade computes for them, and the statuses it already pulled name their record."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import text
from station_kiosk import OFFICER

from kiosk.db.engine import open_database
from kiosk.db.migrate import alembic_config, current_revisions, upgrade
from kiosk.services.accounts import AccountService
from kiosk.services.catalog import load_catalog
from kiosk.wire import protocol
from tests.dossier_samples import person, sample_dossier, snapshot


def test_dossiers_taken_before_the_upgrade_get_the_identity_both_sides_compute(data_dir, tmp_path, operator):
    from kiosk.services.accounts import AccountRequestInput
    from kiosk.services.calendar import CalendarService
    from kiosk.services.dossiers import DossierService

    db = open_database(data_dir, use_keyring=False)
    catalog = load_catalog()
    dossiers = DossierService(db, catalog, CalendarService(imported_path=tmp_path / "cal.json"), "000.00.24.H57")
    sample = sample_dossier(catalog.get(3), seed=2)
    code = dossiers.submit(OFFICER, 3, sample["citizen"], sample["persons"], sample["form"],
                           sample["attachments"]).tracking_code
    account = AccountService(db, "000.00.24.H57").submit(operator, AccountRequestInput(
        citizen=snapshot(person(3, age=30)), level=1, phone="0912000003", consent_by=("holder",),
        consent_version="2026.1"))
    kiosk_id = db.meta("kiosk_id")

    command.downgrade(alembic_config(db), "0005")  # as the database was before this version
    assert "0010" not in current_revisions(db)
    with db.engine.begin() as conn:
        for change_id, target in ((1, code), (2, account.tracking_code)):
            payload = json.dumps({"tracking_code": target, "status": "processing"})
            conn.execute(text("INSERT INTO sync_remote_change VALUES (:i, :u, 'dossier.status', :t, :p, 'x', 'x', "
                              "'stored')"), {"i": change_id, "u": f"u{change_id}", "t": target, "p": payload})
    upgrade(db)
    with db.engine.connect() as conn:
        uid = conn.execute(text("SELECT uid FROM dossier WHERE tracking_code = :c"), {"c": code}).scalar()
        targets = dict(conn.execute(text("SELECT change_id, target FROM sync_remote_change")).all())
    assert uid == protocol.legacy_dossier_uid(kiosk_id, code)  # what the hub's upgrade gives the same dossier
    assert targets == {1: uid, 2: account.request_id}
    db.dispose()
