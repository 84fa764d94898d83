"""The contract between kiosk and hub, owned by neither: both import it, it imports neither.

`protocol`: signed requests and answers, canonical JSON, op hashes, the audit chain's links, record
identities. `ops`: the kinds of ops and changes, and their payloads. `queue`: the hall's queue and
ratings endpoints and the station key's hand-over. Nothing here imports another kiosk package.
"""
