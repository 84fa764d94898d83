"""A station's receiving units and its kiosks' blocks of the daily sequence."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.domain.tracking import KIOSK_BLOCKS, TrackingCode, TrackingCodeError, block_range, check_unit_id
from kiosk.hub.db import insert_ignore_stmt
from kiosk.hub.models import HubKiosk, StationUnit
from kiosk.hub.shared import HubError, _allocate, _audit, _iso

#: A retired kiosk's block is handed out again only after this (a day and its time-zone margins).
RELEASE_HOLD_S = 48 * 3600


def _block_hint(numbering: Any) -> int | None:
    """The block a kiosk says it numbers in (a hint: the hub keeps it when it is free)."""
    if not isinstance(numbering, dict):
        return None
    block = numbering.get("block")
    return block if isinstance(block, int) and block in KIOSK_BLOCKS else None


def _assign_block(s: Session, station: str, hint: int | None, now: float) -> int | None:
    """A block of the daily sequence no other kiosk of `station` holds (the hint when it is free), or None
    when the station holds them all. A block given back by a retired kiosk is free again only after
    RELEASE_HOLD_S, so the codes that kiosk gave out on its last day are never given out again. The
    station's counter row stays locked until commit, so two hub processes enrolling kiosks of one station
    at once choose one after the other; the unique constraint on (station, block) is the last guard."""
    _allocate(s, station, 0)
    taken = set(s.scalars(select(HubKiosk.block).where(HubKiosk.station == station, HubKiosk.block.is_not(None))))
    taken |= set(s.scalars(select(HubKiosk.retired_block).where(
        HubKiosk.station == station, HubKiosk.retired_block.is_not(None),
        HubKiosk.retired_at > _iso(now - RELEASE_HOLD_S))))
    free = [block for block in KIOSK_BLOCKS if block not in taken]
    if not free:
        return None
    return hint if hint in free else free[0]


def _station_full(station: str) -> HubError:
    return HubError(
        409, "station_full",
        f"Trạm {station} đã có đủ {len(KIOSK_BLOCKS)} kiosk, mỗi kiosk một khối số thứ tự hồ sơ trong ngày; "
        "không còn khối nào cho kiosk mới. Hãy cho thôi một kiosk không còn dùng (kiosk-hub kiosk retire) rồi "
        "đăng ký lại.",
        f"Station {station} already has {len(KIOSK_BLOCKS)} kiosks, one block of the daily sequence each; none is "
        "left. Retire a kiosk no longer in use (kiosk-hub kiosk retire) and enrol again.",
        station=station)


def _check_unit_id(unit_id: Any) -> str:
    """A receiving unit's identifier in the form of QCVN 102:2016 (the first part of a tracking code)."""
    try:
        return check_unit_id(str(unit_id))
    except (TrackingCodeError, ValueError):
        raise HubError(400, "bad_unit", "Mã đơn vị không đúng dạng (ví dụ 000.00.24.H57).",
                       "The unit id is not in the form 000.00.24.H57.") from None


def _station_units(s: Session, station: str) -> list[str]:
    return sorted(s.scalars(select(StationUnit.unit_id).where(StationUnit.station == station)))


def _bind_unit(s: Session, station: str, unit_id: str, source: str, now: float, actor: str = "hub-operator") -> None:
    """Bind `unit_id` to `station` (nothing to do when it is already); a unit another station holds is refused.
    Two hub processes binding one unit at once: the second meets the first's row and compares."""
    inserted = s.execute(insert_ignore_stmt(s, StationUnit).values(
        unit_id=unit_id, station=station, bound_at=_iso(now), source=source)).rowcount
    holder = s.scalar(select(StationUnit.station).where(StationUnit.unit_id == unit_id))
    if holder != station:
        raise HubError(409, "unit_of_another_station",
                       f"Mã đơn vị {unit_id} thuộc trạm {holder}, không phải trạm {station}: mỗi mã đơn vị chỉ của một "
                       "trạm. Kiểm tra cài đặt unit_id của kiosk.",
                       f"Unit {unit_id} belongs to station {holder}, not {station}; check the kiosk's unit_id setting.",
                       unit_id=unit_id, station=holder)
    if inserted:
            _audit(s, now, actor if source == "operator" else "hub", "station.unit_bound", station,
               {"unit_id": unit_id, "source": source})


def _check_station_unit(s: Session, station: str, unit_id: str | None, now: float) -> list[str]:
    """The units the enrolling kiosk's station numbers under. The unit the kiosk says it numbers under must be
    one of them; a station with none yet gets it (unless another station holds it)."""
    units = _station_units(s, station)
    if unit_id is None:
        if not units:
            raise HubError(409, "station_without_unit",
                           f"Trạm {station} chưa có mã đơn vị và kiosk không nêu mã đơn vị của mình: cấp mã đăng ký "
                           "kèm mã đơn vị (kiosk-hub enrol-code --station … --unit …).",
                           f"Station {station} has no unit id and the kiosk named none: issue the code with "
                           "--unit.", station=station)
        return units
    if units and unit_id not in units:
        raise HubError(409, "wrong_unit",
                       f"Kiosk đánh số hồ sơ theo mã đơn vị {unit_id}, nhưng trạm {station} dùng mã {', '.join(units)}. "
                       "Sửa cài đặt unit_id của kiosk rồi đăng ký lại.",
                       f"The kiosk numbers under unit {unit_id}, but station {station} uses {', '.join(units)}. "
                       "Fix the kiosk's unit_id setting and enrol again.", station=station, units=units)
    if not units:
        _bind_unit(s, station, unit_id, "enrolment", now)
        units = [unit_id]
    return units


def _code_refusal(code: str, units: set[str]) -> str | None:
    """Why a code cannot be a dossier of a station numbering under `units`: not the Circular's form, or
    another unit's code. None when it may."""
    try:
        parsed = TrackingCode.parse(code)
    except (TrackingCodeError, ValueError):
        return "bad_tracking_code"
    return None if parsed.unit_id in units else "foreign_unit"


def _numbering(kiosk: HubKiosk) -> dict[str, Any]:
    """The kiosk's block of the daily sequence, as the hub tells the kiosk (enrolment, rejoin, every push)."""
    if kiosk.block is None:
        return {"block": None, "error": "station_full"}
    first, last = block_range(kiosk.block)
    return {"block": kiosk.block, "first": first, "last": last}
