"""Template hashes: `pod-template-hash`, `controller-revision-hash` and revision names.

Upstream (`controller.ComputeHash`, k/k pkg/controller/controller_utils.go) writes the pod
template into an FNV-32a hasher with `hashutil.DeepHashObject` (a spew dump of the Go
struct), appends the collision count as 8 little-endian bytes when it is set, and encodes
the decimal digits of the 32-bit sum with `rand.SafeEncodeString`. podtui hashes the
template's canonical JSON instead of a Go dump, so the digits differ from a real cluster's
for the same template, but the shape (up to 10 characters from the vowel-free alphabet),
the stability and the collision-count rule are upstream's.
"""

from __future__ import annotations

import json

# utilrand's alphabet (k8s.io/apimachinery/pkg/util/rand/rand.go): no vowels, no 0/1/3.
ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"

FNV32_OFFSET = 0x811C9DC5
FNV32_PRIME = 0x01000193


def fnv32a(data: bytes, seed: int = FNV32_OFFSET) -> int:
    """hash/fnv New32a: xor each byte in, then multiply by the prime (mod 2^32)."""
    value = seed
    for byte in data:
        value ^= byte
        value = (value * FNV32_PRIME) & 0xFFFFFFFF
    return value


def safe_encode_string(text: str) -> str:
    """rand.SafeEncodeString: each character mapped to ALPHANUMS[ord(c) % 27]."""
    return "".join(ALPHANUMS[ord(char) % len(ALPHANUMS)] for char in text)


def canonical(obj: object) -> bytes:
    """The bytes a template hashes as: compact JSON with sorted keys."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(template: object, collision_count: int | None = None) -> str:
    """ComputeHash(template, collisionCount)."""
    value = fnv32a(canonical(template))
    if collision_count is not None:
        value = fnv32a((collision_count & 0xFFFFFFFF).to_bytes(8, "little"), value)
    return safe_encode_string(str(value))


def fnv32(data: bytes, seed: int = FNV32_OFFSET) -> int:
    """hash/fnv New32 (FNV-1): multiply by the prime, then xor each byte in."""
    value = seed
    for byte in data:
        value = (value * FNV32_PRIME) & 0xFFFFFFFF
        value ^= byte
    return value


def hash_controller_revision(data: object, probe: int | None = None) -> str:
    """history.HashControllerRevision: FNV-32 of the revision's raw data, then the collision
    count's decimal digits when set."""
    value = fnv32(canonical(data))
    if probe is not None:
        value = fnv32(str(probe).encode(), value)
    return safe_encode_string(str(value))
