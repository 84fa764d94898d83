"""Account requests on the real encrypted database: refusals, guardians, one transaction, portraits, face match."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from kiosk.db.models import AuditEntry, OutboxOp
from kiosk.db.models_account import AccountHistoryRow, AccountPortrait, AccountRequestRow
from kiosk.devices.vchip.citizen import generate_child_of
from kiosk.devices.vchip.portrait import draw_face, encode_portrait
from kiosk.services import face as face_module
from kiosk.services.accounts import AccountRequestInput, AccountService, Refused
from tests.dossier_samples import TODAY, person, snapshot
from tests.photos import astronaut, hopper

UNIT = "000.00.24.H57"


def jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88)
    return buf.getvalue()


@pytest.fixture
def accounts(db, clock) -> AccountService:
    return AccountService(db, UNIT, clock=clock)


def req(citizen, level=1, phone="0912345678", consent=("holder", "guardian"), **kw) -> AccountRequestInput:
    return AccountRequestInput(citizen=citizen, level=level, phone=phone, consent_by=consent,
                               consent_version="2026.1", **kw)


def counts(db) -> tuple[int, int, int, int, int]:
    with db.sessions() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) or 0
                     for m in (AccountRequestRow, AccountHistoryRow, AccountPortrait, OutboxOp, AuditEntry))


def refused(accounts, operator, request) -> dict[str, str]:
    with pytest.raises(Refused) as exc:
        accounts.submit(operator, request)
    return dict(exc.value.errors)


def test_adult_level_two_with_portrait_is_one_transaction(accounts, operator, db) -> None:
    adult = snapshot(person(1, age=35))
    before = counts(db)
    got = accounts.submit(operator, req(adult, 2, "+84 912 345 678", email="an@example.vn",
                                        integrations=["health_insurance", "driving_licence"],
                                        portrait=astronaut(), chip_photo=astronaut(), fingerprint_checked=True))
    assert got.tracking_code.startswith(f"{UNIT}-261125-") and got.status == "submitted" and got.level == 2
    assert got.face_match["outcome"] == "match"
    after = counts(db)
    # request, first history line, portrait, one outbox row, consent + request audit entries
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1, 1, 2]
    with db.sessions() as s:
        op = s.scalars(select(OutboxOp).order_by(OutboxOp.seq.desc())).first()
        assert op.kind == "account.requested" and got.tracking_code in op.payload
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.seq.desc()).limit(2)))
        assert actions == ["account.request", "account.consent"]
        audit_text = " ".join(s.scalars(select(AuditEntry.detail)))
    assert "0912345678" not in audit_text and adult["personal"]["id_number"] not in audit_text
    shown = accounts.get(operator, got.tracking_code)
    assert shown["phone"] == "091****678" and shown["legal_basis"]["basis"] == "consent"
    assert shown["consents"][0]["role"] == "holder" and shown["consents"][0]["text_version"] == "2026.1"
    assert shown["integrations"] == ["health_insurance", "driving_licence"]
    stored = accounts.portrait(operator, got.request_id)
    assert Image.open(io.BytesIO(stored)).format == "JPEG"
    assert Image.open(io.BytesIO(stored)).size[0] < 512  # cropped to the face from the 512-pixel photo
    assert db.path.read_bytes().find(stored[:64]) == -1  # the BLOB is encrypted in the file


def test_each_refusal_names_its_field_and_writes_nothing(accounts, operator, db) -> None:
    adult = snapshot(person(2, age=40))
    first = accounts.submit(operator, req(adult, 1, "0987654321"))
    before = counts(db)
    cases = [
        (req(snapshot(person(3, age=30), passive="failed"), 2, "0901111111", portrait=astronaut()), "citizen"),
        (req(adult, 1, "0987654322"), "citizen"),  # one open request per ID number
        (req(snapshot(person(4, age=30)), 1, "0987654321"), "phone"),  # another person's number
        (req(snapshot(person(5, age=30)), 1, "0212345678"), "phone"),  # a landline
        (req(snapshot(person(6, age=30)), 1, "0901234567", email="x@y"), "email"),
        (req(snapshot(person(7, age=30)), 3, "0901234568"), "level"),
        (req(snapshot(person(8, age=30)), 1, "0901234569", consent=()), "consent.holder"),
        (req(snapshot(person(9, age=30)), 1, "0901234570", integrations=["passport"]), "integrations"),
        (req(snapshot(person(10, age=30)), 2, "0901234571"), "portrait"),
        (req(snapshot(person(11, age=30)), 1, "0901234572", portrait=b"not an image"), "portrait"),
        (req({"personal": {}}, 1, "0901234573"), "citizen"),
    ]
    for request, wanted in cases:
        assert wanted in refused(accounts, operator, request), wanted
    assert counts(db) == before
    with pytest.raises(Refused):
        accounts.submit(operator, req(adult, 1, "0987654321"))
    assert accounts.get(operator, first.tracking_code)["status"] == "submitted"


def test_an_expired_card_refuses_both_levels_from_14(accounts, operator, clock) -> None:
    # Decree 69/2024/NĐ-CP Art. 7: "Công dân Việt Nam từ đủ 14 tuổi trở lên đã có thẻ Căn cước công dân/thẻ Căn
    # cước còn hiệu lực được cấp tài khoản định danh điện tử mức độ 01, mức độ 02".
    adult = snapshot(person(12, age=30))
    expiry = adult["personal"]["expiry_date"]
    clock.now = clock.now.replace(year=int(expiry[:4]) + 1)
    errors = refused(accounts, operator, req(adult, 2, "0901234574", portrait=astronaut()))
    assert "hết hạn" in errors["citizen"]
    errors = refused(accounts, operator, req(adult, 1, "0901234574"))
    assert "hết hạn" in errors["citizen"] and "mức 1" in errors["citizen"]


def test_a_child_with_the_mother_uses_her_number_for_each_child(accounts, operator) -> None:
    mother = person(20, age=38, sex="F")
    mum = snapshot(mother)
    own = accounts.submit(operator, req(mum, 1, "0933333333"))
    for seed, age in ((21, 10), (22, 4)):
        child = snapshot(generate_child_of(mother, age, seed=seed, today=TODAY))
        got = accounts.submit(operator, req(child, 1, "0933333333", guardian=mum, relationship="mother"))
        assert got.warnings == ()
        shown = accounts.get(operator, got.tracking_code, full=True)
        assert shown["guardian_id_number"] == mum["personal"]["id_number"] and shown["relationship"] == "mother"
        roles = [c["role"] for c in shown["consents"]]
        assert roles == (["holder", "guardian"] if age >= 7 else ["guardian"])
    assert accounts.get(operator, own.tracking_code)["status"] == "submitted"
    other = snapshot(person(23, age=9))
    errors = refused(accounts, operator, req(other, 1, "0933333333"))
    assert "phone" in errors and "guardian" in errors


def test_guardian_refusals_and_warnings(accounts, operator) -> None:
    child = snapshot(person(30, age=5))
    errors = refused(accounts, operator, req(child, 2, "0944444444", guardian=snapshot(person(31, age=40)),
                                             relationship="guardian", portrait=astronaut()))
    assert "level" in errors
    errors = refused(accounts, operator, req(child, 1, "0944444444", guardian=snapshot(person(32, age=16)),
                                             relationship="guardian"))
    assert "16 tuổi" in errors["guardian"]
    stranger = snapshot(person(33, age=45, sex="M"))
    got = accounts.submit(operator, req(child, 1, "0944444444", guardian=stranger, relationship="father"))
    assert [w.field for w in got.warnings] == ["relationship"] and "khác họ tên" in got.warnings[0].message_vi


def test_face_match_on_package_images(accounts, operator) -> None:
    assert face_module.installed(), ("face match not installed: pip install -e '.[face]' "
                                     "(dlib-bin, face-recognition-models); ./setup.sh test installs it")
    photo = Image.open(io.BytesIO(astronaut())).convert("RGB")
    turned = photo.rotate(12, expand=True, fillcolor=(255, 255, 255)).resize((300, 300))
    same = accounts.take_portrait(operator, jpeg(turned), chip_photo=astronaut())
    assert same.face_found and same.match.outcome == "match" and same.match.score > 0.5
    other = accounts.take_portrait(operator, hopper(), chip_photo=astronaut())
    assert other.match.outcome == "no_match" and other.match.score < 0.5
    drawn = accounts.take_portrait(operator, encode_portrait(draw_face(3)), chip_photo=astronaut())
    assert drawn.match.outcome == "no_face_portrait" and "chụp lại" in drawn.match.message_vi
    got = accounts.submit(operator, req(snapshot(person(40, age=30)), 2, "0965555555",
                                        portrait=encode_portrait(draw_face(3)), chip_photo=astronaut()))
    assert [w.field for w in got.warnings if w.field == "portrait"] == ["portrait"]


def test_without_the_extra_there_is_a_note_not_a_score(accounts, operator, monkeypatch) -> None:
    monkeypatch.setattr(face_module.FaceMatcher, "available", property(lambda self: False))
    got = accounts.take_portrait(operator, astronaut(), chip_photo=astronaut())
    assert got.match.outcome == "not_installed" and got.match.score is None
    assert "Chưa cài bộ so khớp khuôn mặt" in got.match.message_vi


def test_portrait_is_deleted_once_the_hub_acknowledges(accounts, operator, db) -> None:
    from kiosk.db.models_sync import SyncState

    got = accounts.submit(operator, req(snapshot(person(50, age=30)), 2, "0966666666", portrait=astronaut(),
                                        chip_photo=astronaut()))
    assert accounts.purge_portraits() == 0  # not acknowledged yet
    with db.transaction() as s:
        s.add(SyncState(id=1, hub_url="http://hub", station="S", hub_position=10**6, cursor=0, cursor_uid="",
                        keys_version=0, clock_offset_s=0, consecutive_failures=0, halted=False))
    assert accounts.purge_portraits() == 1
    assert accounts.get(operator, got.tracking_code)["portrait"]["purged_at"]
    from kiosk.services.errors import NotFound

    with pytest.raises(NotFound):
        accounts.portrait(operator, got.tracking_code)
    # Nor does the acknowledged outbox copy keep it (kept 14 days for a hub restore, without the picture).
    import json

    from kiosk.db.models import OutboxOp

    with db.sessions() as s:
        payloads = [json.loads(p) for p in s.scalars(select(OutboxOp.payload).where(
            OutboxOp.kind == "account.requested"))]
    sent = next(p for p in payloads if p["tracking_code"] == got.tracking_code)
    assert sent["portrait"]["deleted_on_kiosk"] is True and "data_b64" not in sent["portrait"]
    assert len(sent["portrait"]["sha256"]) == 64
    assert all(value for value in sent["citizen"].values())  # the rest of the request is untouched


def test_withdraw_writes_history_audit_and_outbox(accounts, operator, db) -> None:
    got = accounts.submit(operator, req(snapshot(person(60, age=30)), 1, "0977777777"))
    before = counts(db)
    out = accounts.withdraw(operator, got.tracking_code, "công dân đổi ý")
    assert out["status"] == "withdrawn"
    assert [a - b for a, b in zip(counts(db), before, strict=True)] == [0, 1, 0, 1, 1]
    from kiosk.services.accounts import AccountError

    with pytest.raises(AccountError):
        accounts.withdraw(operator, got.tracking_code)
    # A withdrawn request frees the person and the number for a new one.
    assert accounts.submit(operator, req(snapshot(person(60, age=30)), 1, "0977777777")).status == "submitted"
