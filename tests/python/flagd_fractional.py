"""An independent flagd `fractional` evaluator for the http provider's parity test, written from
flagd's documented algorithm (open-feature/flagd core/pkg/evaluator/fractional.go, v0.15+):
h = murmur3_x86_32(flagKey + targetingKey, seed 0); bucket = (h * totalWeight) >> 32; the first
variant whose running weight exceeds the bucket wins. Standard library only.

usage: flagd_fractional.py FLAG_KEY ON_WEIGHT IDS_FILE [LISTED_USER ...]   (weights of 100000)
       flagd_fractional.py --vectors        (checks flagd's published vectors)
"""
import sys


def murmur3_x86_32(data: bytes, seed: int = 0) -> int:
    c1, c2, mask = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF
    h = seed
    n = len(data)
    rotl = lambda x, r: ((x << r) | (x >> (32 - r))) & mask
    for i in range(n // 4):
        k = int.from_bytes(data[4 * i:4 * i + 4], "little")
        k = rotl((k * c1) & mask, 15)
        h ^= (k * c2) & mask
        h = (rotl(h, 13) * 5 + 0xE6546B64) & mask
    tail = data[(n // 4) * 4:]
    k = 0
    for i, b in enumerate(tail):
        k ^= b << (8 * i)
    if tail:
        h ^= (rotl((k * c1) & mask, 15) * c2) & mask
    h ^= n
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & mask
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & mask
    return h ^ (h >> 16)


def fractional(key: str, variants):
    total = sum(w for _, w in variants)
    bucket = (murmur3_x86_32(key.encode()) * total) >> 32
    running = 0
    for name, weight in variants:
        running += weight
        if bucket < running:
            return name
    return variants[-1][0]


def vectors():
    colors = [("red", 25), ("blue", 25), ("green", 25), ("yellow", 25)]
    for email, want in [("rachel@faas.com", "blue"), ("monica@faas.com", "yellow"),
                        ("joey@faas.com", "red"), ("ross@faas.com", "blue")]:
        got = fractional("headerColor" + email, colors)
        assert got == want, (email, got, want)
    suits = [("clubs", 25), ("diamonds", 25), ("hearts", 25), ("spades", 25)]
    for key, want in [("jack", "hearts"), ("queen", "spades"), ("ten", "clubs"),
                      ("nine", "diamonds"), ("3", "clubs")]:
        got = fractional("fractional-flag" + key, suits)
        assert got == want, (key, got, want)
    print("ok")


def main():
    if sys.argv[1:] == ["--vectors"]:
        return vectors()
    flag, weight, ids_file, *listed = sys.argv[1:]
    weight = int(weight)
    variants = [("on", weight), ("off", 100000 - weight)]
    with open(ids_file, encoding="utf-8") as f:
        ids = [line.strip() for line in f if line.strip()]
    for user in ids:
        if user in listed or (weight > 0 and fractional(flag + user, variants) == "on"):
            print(user)


main()
