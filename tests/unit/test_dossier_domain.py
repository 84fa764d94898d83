"""The dossier's rules without I/O: tracking codes, the status machine, masking, search expressions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.dossier import (
    NOTE_REQUIRED,
    TRANSITIONS,
    ChipSnapshot,
    HistoryEntry,
    SnapshotError,
    Status,
    TransitionError,
    check_transition,
    fts_match,
    index_text,
    local_received_at,
    mask_id,
    next_statuses,
    replay,
    search_tokens,
)
from kiosk.domain.roles import ROLE_PERMISSIONS, Permission, Role
from kiosk.domain.tracking import TrackingCode, TrackingCodeError, day_counter_name, sequence_for

UNIT = "000.00.24.H57"


def test_tracking_code_has_the_one_stop_form() -> None:
    code = TrackingCode.make(UNIT, date(2025, 1, 1), 0, 1)
    assert str(code) == "000.00.24.H57-250101-0001"
    assert TrackingCode.parse(str(code)) == code
    assert str(TrackingCode.make(UNIT, date(2026, 11, 25), 3, 42)) == "000.00.24.H57-261125-3042"


def test_each_slot_owns_its_own_block_of_the_day() -> None:
    blocks = {slot: {sequence_for(slot, n) for n in range(1, 1000)} for slot in range(10)}
    for a in range(10):
        assert min(blocks[a]) == a * 1000 + 1 and max(blocks[a]) == a * 1000 + 999
        for b in range(a + 1, 10):
            assert not blocks[a] & blocks[b]


@pytest.mark.parametrize(("slot", "nth", "reason"), [(0, 1000, "block_exhausted"), (0, 0, "block_exhausted"),
                                                     (10, 1, "bad_slot"), (-1, 1, "bad_slot")])
def test_out_of_block_numbers_are_refused(slot: int, nth: int, reason: str) -> None:
    with pytest.raises(TrackingCodeError) as err:
        sequence_for(slot, nth)
    assert err.value.reason == reason


@pytest.mark.parametrize("text", ["000.00.24.H57-250101", "000.00.24.H57-251301-0001", "000.00.24.H57-250101-0000",
                                  "H57-250101-0001", "000.00.24.H57-250101-00012", "000 00 24 H57-250101-0001"])
def test_malformed_codes_are_refused(text: str) -> None:
    with pytest.raises(TrackingCodeError):
        TrackingCode.parse(text)


def test_unit_id_must_follow_qcvn_102() -> None:
    with pytest.raises(TrackingCodeError):
        TrackingCode.make("Công an phường", date(2026, 1, 5), 0, 1)


def test_counter_is_per_day() -> None:
    assert day_counter_name(date(2026, 2, 13)) != day_counter_name(date(2026, 2, 14))


def test_receipt_time_is_station_time() -> None:
    utc = datetime(2026, 11, 25, 17, 30)  # 00:30 on the 26th in Hà Nội
    assert local_received_at(None, utc).date() == date(2026, 11, 26)
    assert local_received_at(datetime(2026, 11, 25, 9, 0), utc).hour == 9
    aware = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    assert local_received_at(aware, utc).hour == 9


statuses = st.sampled_from(list(Status))
roles = st.sampled_from([Role.OFFICER, Role.SUPERVISOR, Role.OPERATOR, Role.ADMIN, Role.SELFSERVICE])


@given(src=statuses, dst=statuses, role=roles, note=st.sampled_from(["", "  ", "Thiếu giấy chứng sinh"]))
def test_only_listed_moves_by_allowed_roles_pass(src: Status, dst: Status, role: Role, note: str) -> None:
    perms = ROLE_PERMISSIONS[role]
    needed = TRANSITIONS.get((src, dst))
    ok = needed is not None and needed in perms and (dst not in NOTE_REQUIRED or note.strip() != "")
    if ok:
        check_transition(src, dst, perms, note)
    else:
        with pytest.raises(TransitionError):
            check_transition(src, dst, perms, note)


def test_roles_of_the_machine() -> None:
    officer, supervisor = ROLE_PERMISSIONS[Role.OFFICER], ROLE_PERMISSIONS[Role.SUPERVISOR]
    check_transition(Status.RECEIVED, Status.PROCESSING, officer)
    check_transition(Status.RESULT_READY, Status.RETURNED, officer)
    with pytest.raises(TransitionError) as err:
        check_transition(Status.PROCESSING, Status.RESULT_READY, officer)
    assert err.value.reason == "permission" and "lãnh đạo" in err.value.message_vi
    check_transition(Status.PROCESSING, Status.RESULT_READY, supervisor)
    with pytest.raises(TransitionError):
        check_transition(Status.RECEIVED, Status.PROCESSING, ROLE_PERMISSIONS[Role.SELFSERVICE])
    assert Permission.DOSSIER_DECIDE not in ROLE_PERMISSIONS[Role.ADMIN]


def test_final_statuses_lead_nowhere() -> None:
    assert {s for s in Status if s.final} == {Status.RETURNED, Status.REJECTED, Status.WITHDRAWN}
    for s in Status:
        assert bool(next_statuses(s)) == (not s.final)


@given(st.lists(statuses, max_size=12))
def test_replay_accepts_exactly_the_walks_of_the_machine(path: list[Status]) -> None:
    history = [HistoryEntry(1, "t", "a", None, Status.RECEIVED)]
    status = Status.RECEIVED
    legal = True
    for i, dst in enumerate(path, start=2):
        history.append(HistoryEntry(i, "t", "a", status, dst))
        legal = legal and (status, dst) in TRANSITIONS
        status = dst
    if legal:
        assert replay(history) is status
    else:
        with pytest.raises(ValueError):
            replay(history)


def test_masking_keeps_only_the_ends() -> None:
    assert mask_id("001203012345") == "001******345"
    assert mask_id(None) is None
    assert mask_id("12345") == "*****"


def test_folding_meets_accents_and_d() -> None:
    assert search_tokens("Đỗ Thị Hà") == search_tokens("do thi ha") == ["do", "thi", "ha"]
    assert index_text(["Đặng Văn Đức", {"detail": "Số 5 Đường Láng", "province": "Hà Nội"}]) == \
        "dang van duc so 5 duong lang ha noi"


def test_fts_expression_wraps_the_column_filter_around_the_whole_group() -> None:
    expr = fts_match("Nguyễn Văn", columns=("names",))
    assert expr == '{names}: ("nguyen" AND "van"*)'
    # Operators typed by a user are quoted words, not FTS5 syntax.
    assert fts_match("a OR b NEAR c", columns=("names",)) == '{names}: ("a" AND "or" AND "b" AND "near" AND "c"*)'
    assert fts_match("  ,;  ") is None


def test_snapshot_must_be_a_chip_read() -> None:
    with pytest.raises(SnapshotError):
        ChipSnapshot.parse({"full_name": "Nguyễn Văn A"})
    with pytest.raises(SnapshotError):
        ChipSnapshot.parse({"mrz": {}, "personal": {"full_name": "A"}, "verification": {}})
    snap = ChipSnapshot.parse({
        "mrz": {"id_number": "001090012345", "birth_date": "1990-01-02", "document_number": "090012345"},
        "personal": {"full_name": "Lê Thị Hoa", "sex": "Nữ"},
        "verification": {"passive": "signature_valid_untrusted", "active": "verified", "chip": "not_supported"},
    })
    assert snap.id_number == "001090012345"
    assert snap.chip_fields()["birth_date"] == "1990-01-02"
    assert snap.verdict == "signature_valid_untrusted"
    failed = ChipSnapshot.parse({**snap.data, "verification": {"passive": "failed"}})
    assert failed.verdict == "failed"
