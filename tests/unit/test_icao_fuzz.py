"""Every parser meets arbitrary and mutated bytes: only ParseError may escape."""

from __future__ import annotations

import contextlib

import icao_factory as f
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.devices.icao.errors import ParseError
from kiosk.devices.icao.lds.com import parse_com
from kiosk.devices.icao.lds.dg1 import parse_dg1
from kiosk.devices.icao.lds.dg2 import parse_dg2
from kiosk.devices.icao.lds.dg13 import parse_dg13
from kiosk.devices.icao.lds.dg15 import parse_dg15
from kiosk.devices.icao.lds.security_infos import parse_card_access, parse_dg14
from kiosk.devices.icao.lds.sod import parse_sod
from kiosk.devices.icao.lds.tlv import parse_all
from kiosk.devices.vchip import lds
from kiosk.devices.vchip.citizen import generate_citizen
from kiosk.devices.vchip.issuer import TestPKI

PARSERS = [parse_com, parse_dg1, parse_dg2, parse_dg13, parse_dg14, parse_dg15, parse_card_access, parse_sod, parse_all]

_PKI = TestPKI.generate()
_CITIZEN = generate_citizen(2)
_KEY = f.spki(_PKI.ds_key.public_key())
SEEDS = [
    lds.ef_com([1, 2, 13, 14, 15]),
    lds.dg1(lds.td1_mrz(_CITIZEN)),
    lds.dg2(lds.face_record(f.jpeg(64))),
    lds.dg13(lds.dg13_fields(_CITIZEN, nesting="nested")),
    lds.dg14([lds.ca_public_key_info(_KEY), lds.ca_info("aes128"), lds.aa_info(lds.aa_signature_oid("ecdsa-plain", "sha256"))]),
    lds.dg15(_KEY),
    lds.card_access([lds.pace_info()]),
    lds.ef_sod({1: b"x"}, _PKI),
]


def _only_parse_errors(data: bytes) -> None:
    for parser in PARSERS:
        with contextlib.suppress(ParseError):
            parser(data)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes(data):
    _only_parse_errors(data)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), min_size=1, max_size=4),
    st.integers(min_value=0),
)
def test_mutated_specimens(seed, flips, cut):
    data = bytearray(seed)
    for pos, value in flips:
        data[pos % len(data)] = value
    data = bytes(data[: max(1, len(data) - cut % 8)])
    _only_parse_errors(data)
