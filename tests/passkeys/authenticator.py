"""A software authenticator for server-side tests: it answers the portal's WebAuthn options the way a
platform authenticator does (ES256 keys, "none" attestation, discoverable credentials), and can be told
to lie: another origin or relying party, no user verification, a counter that goes back."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    def __init__(self, *, origin: str = "http://localhost", rp_id: str = "localhost", counter: int = 0,
                 counts: bool = True):
        self.origin, self.rp_id = origin, rp_id
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter, self.counts = counter, counts
        self.user_handle: bytes | None = None

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _auth_data(self, rp_id: str, flags: int, counter: int, attested: bytes = b"") -> bytes:
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", counter) + attested

    def _client_data(self, kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def register(self, options: dict, *, origin: str | None = None, rp_id: str | None = None,
                 verified: bool = True) -> str:
        """The JSON a browser posts after navigator.credentials.create(options)."""
        self.user_handle = unb64(options["user"]["id"])
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
        flags = UP | AT | (UV if verified else 0)
        auth_data = self._auth_data(rp_id or options["rp"]["id"], flags, self.counter, attested)
        client_data = self._client_data("webauthn.create", options["challenge"], origin or self.origin)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps({
            "id": b64(self.credential_id), "rawId": b64(self.credential_id), "type": "public-key",
            "response": {"clientDataJSON": b64(client_data), "attestationObject": b64(attestation),
                         "transports": ["internal", "made-up"]},
            "clientExtensionResults": {}, "authenticatorAttachment": "platform",
        })

    def sign(self, options: dict, *, origin: str | None = None, rp_id: str | None = None, verified: bool = True,
             counter: int | None = None, user_handle: bytes | None = None) -> str:
        """The JSON a browser posts after navigator.credentials.get(options)."""
        if counter is None:
            if self.counts:
                self.counter += 1
            counter = self.counter
        flags = UP | (UV if verified else 0)
        auth_data = self._auth_data(rp_id or options.get("rpId") or self.rp_id, flags, counter)
        client_data = self._client_data("webauthn.get", options["challenge"], origin or self.origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        handle = user_handle if user_handle is not None else self.user_handle
        return json.dumps({
            "id": b64(self.credential_id), "rawId": b64(self.credential_id), "type": "public-key",
            "response": {"clientDataJSON": b64(client_data), "authenticatorData": b64(auth_data),
                         "signature": b64(signature), "userHandle": b64(handle) if handle else None},
            "clientExtensionResults": {}, "authenticatorAttachment": "platform",
        })
