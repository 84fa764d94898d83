"""Checking an identity-account request: the chips, the guardian, phone and e-mail, consent and the portrait.

Every refusal is an `Issue` naming the field. Nothing here writes to the database.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db.models import KioskMeta
from kiosk.db.models_account import AccountRequestRow
from kiosk.domain import account as acc
from kiosk.domain import text
from kiosk.domain.account import Issue, Status
from kiosk.domain.dossier import ChipSnapshot, SnapshotError
from kiosk.services.errors import InvalidInput
from kiosk.services.face import FaceMatch, FaceMatcher, PortraitError, encode_jpeg, load_image
from kiosk.support.resources import resource_path

Known = Callable[[], list[dict[str, Any]]]
"""The requests other kiosks of the station took, as the hub announced them, with their latest status."""
NOT_A_STILL = "This is not a usable still image."


class Refused(InvalidInput):
    """Input the law or the kiosk's checks do not allow; `issues` holds each refusal in both languages."""


@dataclass(frozen=True)
class AccountRequestInput:
    """Everything the page or the CLI collected; chips are `kiosk card read --json` objects."""

    citizen: Any
    level: int
    phone: str | None
    email: str | None = None
    integrations: Sequence[str] = ()
    guardian: Any = None
    relationship: str | None = None
    portrait: bytes | None = None
    chip_photo: bytes | None = None
    fingerprint_checked: bool = False
    consent_by: Sequence[str] = ()
    consent_version: str | None = None


@dataclass(frozen=True)
class PersonCheck:
    """The chip's person as the page shows it after the card is read."""

    id_number: str
    full_name: str
    birth_date: str | None
    age: int | None
    levels: tuple[int, ...]
    needs_guardian: bool
    consent_from: tuple[str, ...]
    chip_verdict: str
    issues: tuple[Issue, ...]

    def as_json(self) -> dict[str, Any]:
        return {"id_number": self.id_number, "full_name": self.full_name, "birth_date": self.birth_date,
                "age": self.age, "levels": list(self.levels), "needs_guardian": self.needs_guardian,
                "consent_from": list(self.consent_from), "chip_verdict": self.chip_verdict,
                "issues": [i.as_json() for i in self.issues]}


@dataclass(frozen=True)
class Portrait:
    """The counter portrait cropped to the face (JPEG) and the advice of the face match."""

    jpeg: bytes
    face_found: bool
    match: FaceMatch

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.jpeg).hexdigest()


@dataclass(frozen=True)
class Checked:
    """A whole request after every check: the chips, the normalised contacts, the portrait, what is wrong."""

    citizen: ChipSnapshot
    guardian: ChipSnapshot | None
    elig: acc.Eligibility | None
    phone: str | None
    email: str | None
    integrations: tuple[str, ...]
    consent_from: tuple[str, ...]
    portrait: Portrait | None
    errors: list[Issue]
    warnings: list[Issue]


def chip_snapshot(data: Any, where: str) -> tuple[ChipSnapshot | None, list[Issue]]:
    """The chip read result handed in as `where`, or None with the reason it is not one."""
    try:
        return ChipSnapshot.parse(data), []
    except SnapshotError as exc:
        return None, [Issue(where, exc.message_vi, "This is not the result of reading a chip (kiosk card read --json).")]


def clean_request(request: AccountRequestInput) -> AccountRequestInput:
    """NFC for the chips and contact details; a control or text-direction character is refused."""
    given = {"citizen": request.citizen, "guardian": request.guardian, "phone": request.phone, "email": request.email}
    bad = [path for name, value in given.items() for path in text.unsafe_paths(value, name)]
    if bad:
        raise InvalidInput([(path, f"{path} {text.MESSAGE_VI}.", f"{path} {text.MESSAGE_EN}.") for path in bad])
    return dataclasses.replace(request, **{name: text.nfc_tree(value) for name, value in given.items()})


def make_portrait(face: FaceMatcher, image: bytes, chip_photo: bytes | None) -> Portrait:
    """Crop the still to the face and compare it with the chip's DG2 photo (the score is advice); raises
    PortraitError when `image` is not a usable still."""
    cropped, found = face.crop(load_image(image))
    jpeg = encode_jpeg(cropped)
    if face.available and not found:
        return Portrait(jpeg, found, FaceMatch("no_face_portrait", engine=FaceMatcher.ENGINE))
    return Portrait(jpeg, found, face.compare(jpeg, chip_photo))


def check_request(session: Session, r: AccountRequestInput, day: date, face: FaceMatcher, consent_version: str,
                  known: Known, portrait: Portrait | None = None) -> Checked:
    """Every error and warning of a whole request on `day`; `known` gives the requests other kiosks of the
    station took, `portrait` one already taken (else it is taken from `r.portrait`)."""
    errors: list[Issue] = []
    warnings: list[Issue] = []
    snap, more = chip_snapshot(r.citizen, "citizen")
    errors += more
    g_snap = None
    if r.guardian is not None:
        g_snap, more = chip_snapshot(r.guardian, "guardian")
        errors += more
    if snap is None:
        raise Refused(errors)
    try:
        level = int(r.level)
    except (TypeError, ValueError):
        level = 0
    elig, more = acc.check_person(snap, level, day)
    errors += more
    for issue in acc.check_guardian(snap, g_snap, r.relationship, elig, day) if (
            r.guardian is None or g_snap is not None) else ():
        (warnings if issue.severity == "warning" else errors).append(issue)
    phone, more = acc.check_phone(r.phone)
    errors += more
    email, more = acc.check_email(r.email)
    errors += more
    integrations, more = acc.check_integrations(list(r.integrations))
    errors += more
    errors += duplicates(session, snap, known)
    if phone is not None:
        owner = g_snap.id_number if g_snap is not None else snap.id_number
        errors += phone_taken(session, phone, owner, snap.id_number, known)
    consent_from = acc.consent_needed_from(elig, g_snap is not None)
    errors += acc.check_consent(list(r.consent_by), consent_from, r.consent_version or "",
                                consent_version)
    if r.portrait is None:
        if level == 2:
            errors.append(Issue("portrait", "Tài khoản mức 2 cần ảnh chân dung chụp tại quầy.",
                                "A level-2 account needs a portrait taken at the counter."))
    elif portrait is None:
        try:
            portrait = make_portrait(face, r.portrait, r.chip_photo)
        except PortraitError as exc:
            errors.append(Issue("portrait", exc.message_vi, NOT_A_STILL))
    if portrait is not None and portrait.match.warning:
        warnings.append(Issue("portrait", portrait.match.message_vi, portrait.match.message_en, "warning"))
    if level == 2 and not r.fingerprint_checked:
        warnings.append(Issue("fingerprint", "Chưa xác nhận đã đối chiếu vân tay: tài khoản mức 2 chỉ được kích hoạt "
                                             "sau khi đối chiếu vân tay với Cơ sở dữ liệu quốc gia về dân cư.",
                              "Fingerprint check not confirmed: level 2 is activated only after it.", "warning"))
    return Checked(snap, g_snap, elig, phone, email, integrations, consent_from, portrait, errors, warnings)


def duplicates(session: Session, snap: ChipSnapshot, known: Known) -> list[Issue]:
    """An open request (or an account) this person already has, here or at another kiosk of the station."""
    open_states = [s.value for s in Status if s.open]
    mine = session.scalar(select(AccountRequestRow).where(AccountRequestRow.id_number == snap.id_number,
                                                          AccountRequestRow.status.in_(open_states)))
    code = mine.tracking_code if mine is not None else next(
        (k["tracking_code"] for k in known()
         if k.get("id_number") == snap.id_number and k.get("status", "submitted") in open_states), None)
    if code is None:
        return []
    return [Issue("citizen", f"Công dân này đã có đề nghị cấp tài khoản đang xử lý hoặc đã được cấp (mã {code}): "
                             "mỗi người chỉ một đề nghị.",
                  f"This person already has an open request or an account ({code}).")]


def phone_taken(session: Session, phone: str, owner: str, holder: str, known: Known) -> list[Issue]:
    """A number belongs to one person: their own request and the children in their care may share it."""
    open_states = [s.value for s in Status if s.open]
    rows = session.scalars(select(AccountRequestRow).where(AccountRequestRow.phone == phone,
                                                           AccountRequestRow.status.in_(open_states)))
    taken = next((r.tracking_code for r in rows if r.phone_owner != owner and r.id_number != holder), None)
    if taken is None:
        taken = next((k["tracking_code"] for k in known()
                      if k.get("phone") == phone and k.get("phone_owner") != owner
                      and k.get("status", "submitted") in open_states), None)
    if taken is None:
        return []
    return [Issue("phone", f"Số điện thoại này đã được dùng cho tài khoản của người khác (đề nghị {taken}): cần số "
                           "chính chủ của người đề nghị (hoặc của cha, mẹ, người giám hộ với tài khoản của trẻ).",
                  f"This number is already on another person's request or account ({taken}).")]


def known_remote(session: Session, announced_kind: str, status_kind: str) -> list[dict[str, Any]]:
    """Requests other kiosks of the station took, as the hub announced them (changes of `announced_kind`), with
    their latest status (changes of `status_kind`)."""
    from kiosk.db.models_sync import RemoteChange

    own = session.get(KioskMeta, "kiosk_id")
    own_id = own.value if own else ""
    out = []
    for row in session.scalars(select(RemoteChange).where(RemoteChange.kind == announced_kind)):
        data = json.loads(row.payload)
        if data.get("kiosk_id") == own_id:
            continue
        latest = session.scalars(
            select(RemoteChange.payload).where(RemoteChange.kind == status_kind,
                                               RemoteChange.target == str(data.get("dossier_uid", "")))
            .order_by(RemoteChange.change_id.desc()).limit(1)).first()
        if latest:
            data["status"] = json.loads(latest).get("status", data.get("status"))
        out.append(data)
    return out


CONSENT_DOCUMENT = "vneid_account"


@dataclass(frozen=True)
class ConsentText:
    document: str
    version: str
    language: str
    text: str
    purposes: tuple[str, ...]


def consent_index() -> dict[str, Any]:
    """The versions of the consent text (resources/consent) and the purposes it names."""
    return json.loads(resource_path("consent", "index.json").read_text(encoding="utf-8"))[CONSENT_DOCUMENT]


def consent_text(language: str = "vi", version: str | None = None) -> ConsentText:
    """The consent text the person reads, in `language`, of `version` (the current one when none)."""
    index = consent_index()
    version = version or index["current"]
    files = index["versions"].get(version)
    if files is None or language not in files:
        raise InvalidInput([("consent", f"Không có văn bản đồng ý phiên bản {version} ({language}).",
                             f"There is no consent text of version {version} ({language}).")])
    body = resource_path("consent", files[language]).read_text(encoding="utf-8")
    return ConsentText(CONSENT_DOCUMENT, version, language, body, tuple(index["purposes"]))
