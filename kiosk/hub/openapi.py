"""The hub's published API (OpenAPI 3.1), written by hand and served at /openapi.json."""

from __future__ import annotations

from typing import Any

_SIGNED = [
    {"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
    for h in ("X-Kiosk-Id", "X-Kiosk-Instance", "X-Kiosk-Epoch", "X-Kiosk-Timestamp", "X-Kiosk-Nonce",
              "X-Kiosk-Signature")
]
_ERROR = {"description": "Refused", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "kiosk-hub",
        "version": "1",
        "description": (
            "Central sync hub of the ward-police kiosks. Kiosk requests are signed with the kiosk's Ed25519 key "
            "over 'kiosk-sync-v1\\nMETHOD\\nPATH?QUERY\\nsha256(body)\\nkiosk id\\ninstance uuid\\nepoch\\n"
            "timestamp\\nnonce' (base64url signature in X-Kiosk-Signature)."
        ),
    },
    "paths": {
        "/health": {"get": {"summary": "Liveness and database check", "responses": {"200": {"description": "OK"}}}},
        "/v1/enrol": {
            "post": {
                "summary": "Enrol a kiosk with a one-time code (signed with the key being enrolled)",
                "parameters": _SIGNED,
                "requestBody": {"required": True, **_json("Enrolment")},
                "responses": {"200": {"description": "Enrolled", **_json("Enrolled")}, "401": _ERROR, "403": _ERROR,
                              "409": _ERROR},
            }
        },
        "/v1/push": {
            "post": {
                "summary": "Push a contiguous batch of outbox ops; applied in one transaction",
                "parameters": _SIGNED,
                "requestBody": {"required": True, **_json("Push")},
                "responses": {
                    "200": {"description": "Acknowledged up to high_water_mark", **_json("PushResult")},
                    "401": _ERROR, "403": _ERROR,
                    "409": {"description": "Different content under an acknowledged sequence number: the kiosk stops",
                            **_json("Error")},
                },
            }
        },
        "/v1/pull": {
            "get": {
                "summary": "Changes for the kiosk's station after a cursor",
                "parameters": [
                    *_SIGNED,
                    {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                    {"name": "after_uid", "in": "query", "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 1000}},
                ],
                "responses": {"200": {"description": "Changes", **_json("PullResult")}, "401": _ERROR, "403": _ERROR},
            }
        },
        "/v1/keys": {
            "get": {
                "summary": "Public keys of enrolled kiosks (offline verification of receipt QR codes)",
                "parameters": [{"name": "station", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "Keys", **_json("Keys")}},
            }
        },
        "/v1/status/{tracking_code}": {
            "get": {
                "summary": "Status of a dossier or account request of the kiosk's station (the citizen's status check)",
                "parameters": [*_SIGNED,
                               {"name": "tracking_code", "in": "path", "required": True, "schema": {"type": "string"}},
                               {"name": "issuer", "in": "query", "schema": {"type": "string"},
                                "description": "the kiosk that signed the receipt's QR code: picks the dossier when "
                                               "two answer to one code (one re-coded by the hub)"}],
                "responses": {"200": {"description": "Found or not", **_json("Lookup")}, "401": _ERROR, "403": _ERROR},
            }
        },
        "/v1/backoffice/dossiers/{tracking_code}/status": {
            "post": {
                "summary": "Back-office status decision on a dossier (Bearer token); moves follow the status machine",
                "parameters": [{"name": "tracking_code", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"required": True, **_json("StatusChange")},
                "responses": {"200": {"description": "Changed"}, "400": _ERROR, "401": _ERROR, "404": _ERROR,
                              "409": _ERROR},
            }
        },
    },
    "components": {
        "schemas": {
            "Error": {"type": "object", "required": ["error", "message_vi", "message_en"], "properties": {
                "error": {"type": "string"}, "message_vi": {"type": "string"}, "message_en": {"type": "string"}}},
            "Enrolment": {"type": "object", "required": ["code", "kiosk_id", "public_key", "instance_uuid", "epoch"],
                          "properties": {"code": {"type": "string"}, "kiosk_id": {"type": "string"},
                                         "public_key": {"type": "string", "description": "raw Ed25519, base64url"},
                                         "instance_uuid": {"type": "string"}, "epoch": {"type": "integer"},
                                         "unit_id": {"type": "string"},
                                         "numbering": {"$ref": "#/components/schemas/Numbering"},
                                         "after": {"type": "integer", "minimum": 0,
                                                   "description": "rejoin: the kiosk's acknowledged position"}}},
            "Numbering": {"type": "object", "description": "the block of the daily sequence of dossier codes: sent "
                          "by the kiosk (what it numbers in now), answered by the hub (its block in the station; null "
                          "with error station_full when none is left)", "properties": {
                "block": {"type": ["integer", "null"]}, "first": {"type": "string"}, "last": {"type": "string"},
                "error": {"type": "string"}}},
            "Enrolled": {"type": "object", "properties": {
                "kiosk_id": {"type": "string"}, "station": {"type": "string"},
                "high_water_mark": {"type": "integer"}, "hub_time": {"type": "integer"},
                "keys_version": {"type": "integer"}, "numbering": {"$ref": "#/components/schemas/Numbering"},
                "rejoined": {"type": "boolean"},
                "issued_codes": {"type": "array", "items": {"type": "string"},
                                 "description": "rejoin: tracking codes the hub holds from this kiosk"},
                "statuses": {"type": "object", "additionalProperties": {"type": "string"},
                             "description": "rejoin: the status the hub holds for each of those dossiers, by uid"},
                "held": {"type": "array", "items": {"type": "array"},
                         "description": "rejoin with 'after': [seq, op hash] of each op held beyond it"}}},
            "Op": {"type": "object", "required": ["seq", "op_id", "kind", "payload", "schema_version", "created_at"],
                   "properties": {"seq": {"type": "integer"}, "op_id": {"type": "string"}, "kind": {"type": "string"},
                                  "payload": {"type": "string", "description": "canonical JSON, hashed as sent"},
                                  "schema_version": {"type": "integer"}, "created_at": {"type": "string"}}},
            "Push": {"type": "object", "properties": {
                "ops": {"type": "array", "items": {"$ref": "#/components/schemas/Op"}},
                "audit_head": {"type": "object", "properties": {
                    "seq": {"type": "integer"}, "hash": {"type": "string"}, "signature": {"type": "string"}}},
                "numbering": {"$ref": "#/components/schemas/Numbering"}}},
            "PushResult": {"type": "object", "properties": {
                "high_water_mark": {"type": "integer"}, "accepted": {"type": "integer"},
                "duplicates": {"type": "integer"}, "gap": {"type": "boolean"},
                "rejected": {"type": "array", "items": {"type": "integer"}}, "keys_version": {"type": "integer"},
                "hub_time": {"type": "integer"}, "audit": {"type": "object"},
                "numbering": {"$ref": "#/components/schemas/Numbering"}}},
            "PullResult": {"type": "object", "properties": {
                "reset": {"type": "boolean"}, "next_cursor": {"type": "integer"}, "next_uid": {"type": "string"},
                "last_change_id": {"type": "integer"}, "more": {"type": "boolean"},
                "changes": {"type": "array", "items": {"type": "object", "properties": {
                    "change_id": {"type": "integer"}, "uid": {"type": "string"},
                    "kind": {"type": "string", "description": "dossier.status, dossier.recoded, account.known, "
                             "op.rejected; a dossier's changes name it by dossier_uid and kiosk_id"},
                    "payload": {"type": "object"}, "created_at": {"type": "string"}}}}}},
            "Keys": {"type": "object", "properties": {"version": {"type": "integer"}, "keys": {"type": "array"}}},
            "Lookup": {"type": "object", "required": ["found", "tracking_code"], "properties": {
                "found": {"type": "boolean"}, "tracking_code": {"type": "string"},
                "kind": {"type": "string", "enum": ["dossier", "account"]}, "service_code": {"type": "string"},
                "service_no": {"type": ["integer", "null"]}, "status": {"type": "string"},
                "updated_at": {"type": "string"}, "appointment_date": {"type": ["string", "null"]},
                "level": {"type": ["integer", "null"]},
                "previous_code": {"type": ["string", "null"], "description": "the code first printed, when the hub "
                                  "gave this dossier a new one"},
                "other_codes": {"type": "array", "items": {"type": "string"}}}},
            "StatusChange": {"type": "object", "required": ["status"], "properties": {
                "status": {"type": "string"}, "note": {"type": "string"}}},
        }
    },
}
