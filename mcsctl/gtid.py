"""GTID positions (`0-3000-36,1-2-7`): how far a replica is behind the primary."""

from __future__ import annotations


def parse_gtid(text: str | None) -> dict[int, int]:
    """domain -> sequence number; unparseable parts are ignored (an empty dict means unknown)."""
    out: dict[int, int] = {}
    for part in (text or "").split(","):
        bits = part.strip().split("-")
        if len(bits) == 3 and bits[0].isdigit() and bits[2].isdigit():
            out[int(bits[0])] = max(out.get(int(bits[0]), 0), int(bits[2]))
    return out


def behind(replica: str | None, primary: str | None) -> int | None:
    """Transactions the replica lacks, summed over the primary's domains; None when either is unknown."""
    r, p = parse_gtid(replica), parse_gtid(primary)
    if not r or not p:
        return None
    return sum(max(seq - r.get(dom, 0), 0) for dom, seq in p.items())
