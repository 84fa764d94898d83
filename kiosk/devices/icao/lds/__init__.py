"""Parsers of the ICAO 9303 logical data structure: bytes in, frozen values out, no I/O.

Every parser raises only `ParseError`.
"""
