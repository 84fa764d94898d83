"""Signature algorithms of active authentication as the standards write them, typed from their text
(never taken from the reader's or the virtual chip's tables): the expected values of the AA tests."""

# BSI TR-03111 v2.10 §5.2.1, "ECDSA plain signature format":
#   id-ecc OBJECT IDENTIFIER ::= { itu-t(0) identified-organization(4) etsi(0) reserved(127)
#       etsi-identified-organization(0) bsi-de(7) algorithms(1) 1 }
#   ecdsa-plain-signatures OBJECT IDENTIFIER ::= { id-ecc signatures(4) 1 }
#   ecdsa-plain-SHA1 { ecdsa-plain-signatures 1 }, -SHA224 { … 2 }, -SHA256 { … 3 },
#   -SHA384 { … 4 }, -SHA512 { … 5 }, -RIPEMD160 { … 6 }
ECDSA_PLAIN_OIDS = {
    "sha1": "0.4.0.127.0.7.1.1.4.1.1",
    "sha224": "0.4.0.127.0.7.1.1.4.1.2",
    "sha256": "0.4.0.127.0.7.1.1.4.1.3",
    "sha384": "0.4.0.127.0.7.1.1.4.1.4",
    "sha512": "0.4.0.127.0.7.1.1.4.1.5",
    "ripemd160": "0.4.0.127.0.7.1.1.4.1.6",
}
# ANSI X9.62 as RFC 3279 §2.2.3 and RFC 5758 §3.2 give it:
#   ecdsa-with-SHA1 ::= { iso(1) member-body(2) us(840) ansi-X9-62(10045) signatures(4) 1 }
#   ecdsa-with-SHA224 ::= { iso(1) member-body(2) us(840) ansi-X9-62(10045) signatures(4)
#       ecdsa-with-SHA2(3) 1 }, -SHA256 { … 2 }, -SHA384 { … 3 }, -SHA512 { … 4 }
X962_OIDS = {
    "sha1": "1.2.840.10045.4.1",
    "sha224": "1.2.840.10045.4.3.1",
    "sha256": "1.2.840.10045.4.3.2",
    "sha384": "1.2.840.10045.4.3.3",
    "sha512": "1.2.840.10045.4.3.4",
}
FAMILIES = {"ecdsa-plain": ECDSA_PLAIN_OIDS, "x962": X962_OIDS}
# The curves of SEC 2 §2.4–2.6 and RFC 5639 §3.4, 3.6, 3.7, with the hash whose output matches the
# order's size (the pairing of NIST SP 800-57 Part 1 Table 3): the hash the curve implies.
CURVE_HASHES = {"p256": "sha256", "brainpoolP256r1": "sha256", "p384": "sha384", "brainpoolP384r1": "sha384",
                "brainpoolP512r1": "sha512", "p521": "sha512"}
# ISO/IEC 9796-2 §8.1.2 trailers: 'BC' when the hash is implicit (SHA-1 in ICAO 9303-11 §6.1.2),
# else the hash-function identifier of ISO/IEC 10118-3 followed by 'CC': RIPEMD-160 31,
# SHA-1 33, SHA-256 34, SHA-512 35, SHA-384 36, SHA-224 38.
RSA_TRAILERS = {"sha1": "bc", "ripemd160": "31cc", "sha256": "34cc", "sha512": "35cc", "sha384": "36cc",
                "sha224": "38cc"}


#: Every ECDSA case the tests run: each curve the chip offers under each way DG14 can name the
#: algorithm (with the curve's hash), then every other hash of both OID families on P-256.
ECDSA_CASES = [
    *[(curve, family, None) for curve in CURVE_HASHES for family in ("ecdsa-plain", "x962", "none")],
    *[("p256", family, h) for family, oids in FAMILIES.items() for h in oids if h != "sha256"],
]
