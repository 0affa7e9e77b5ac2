"""Countries, names and e-mail addresses: fake but realistic-looking identities."""

from __future__ import annotations

import numpy as np

# (ISO 3166 alpha-2, UTC offset in whole hours, share of accounts, local webmail domain or "")
COUNTRIES: tuple[tuple[str, int, float, str], ...] = (
    ("US", -5, 0.27, ""),
    ("IN", 5, 0.09, "rediffmail.com"),
    ("GB", 0, 0.06, "btinternet.com"),
    ("DE", 1, 0.06, "gmx.de"),
    ("BR", -3, 0.05, "uol.com.br"),
    ("FR", 1, 0.04, "orange.fr"),
    ("JP", 9, 0.04, "yahoo.co.jp"),
    ("CA", -5, 0.035, ""),
    ("KR", 9, 0.03, "naver.com"),
    ("AU", 10, 0.025, "bigpond.com"),
    ("ES", 1, 0.025, ""),
    ("IT", 1, 0.02, "libero.it"),
    ("NL", 1, 0.02, "ziggo.nl"),
    ("MX", -6, 0.02, ""),
    ("PL", 1, 0.02, "wp.pl"),
    ("ID", 7, 0.02, ""),
    ("TR", 3, 0.015, ""),
    ("SG", 8, 0.015, ""),
    ("SE", 1, 0.01, ""),
    ("NG", 1, 0.015, ""),
    ("ZA", 2, 0.01, ""),
    ("PH", 8, 0.015, ""),
    ("VN", 7, 0.015, ""),
    ("AR", -3, 0.01, ""),
)
COUNTRY_CODES: tuple[str, ...] = tuple(c[0] for c in COUNTRIES)
COUNTRY_OFFSETS = np.array([c[1] for c in COUNTRIES], dtype=np.int64)
COUNTRY_WEIGHTS = np.array([c[2] for c in COUNTRIES], dtype=np.float64) / sum(c[2] for c in COUNTRIES)

WEBMAIL: tuple[str, ...] = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com", "proton.me")
WEBMAIL_WEIGHTS = np.array([0.52, 0.15, 0.08, 0.1, 0.1, 0.05])

FIRST_NAMES: tuple[str, ...] = (
    "james",
    "maria",
    "wei",
    "aisha",
    "lucas",
    "sofia",
    "arjun",
    "yuki",
    "omar",
    "emma",
    "liam",
    "olivia",
    "noah",
    "mia",
    "mateo",
    "chloe",
    "hiroshi",
    "priya",
    "daniel",
    "fatima",
    "jonas",
    "lena",
    "pedro",
    "ana",
    "min",
    "jisoo",
    "david",
    "sarah",
    "ahmed",
    "elena",
    "carlos",
    "laura",
    "kofi",
    "amara",
    "ivan",
    "olga",
    "tomasz",
    "zofia",
    "raj",
    "ananya",
    "felix",
    "clara",
    "hugo",
    "ines",
    "sven",
    "freya",
    "diego",
    "valentina",
    "kenji",
    "sakura",
    "musa",
    "zainab",
    "leo",
    "nora",
    "ethan",
    "grace",
    "minh",
    "linh",
    "andre",
    "julia",
)
LAST_NAMES: tuple[str, ...] = (
    "smith",
    "garcia",
    "chen",
    "khan",
    "silva",
    "rossi",
    "patel",
    "tanaka",
    "hassan",
    "muller",
    "brown",
    "jones",
    "martin",
    "lopez",
    "kim",
    "park",
    "nguyen",
    "sato",
    "kowalski",
    "novak",
    "johansson",
    "andersen",
    "dubois",
    "moreau",
    "schmidt",
    "fischer",
    "singh",
    "sharma",
    "okafor",
    "mensah",
    "ivanov",
    "petrov",
    "santos",
    "oliveira",
    "fernandez",
    "romero",
    "wilson",
    "taylor",
    "thomas",
    "white",
    "lee",
    "walker",
    "hall",
    "young",
    "allen",
    "wright",
    "king",
    "scott",
    "green",
    "baker",
    "adams",
    "nelson",
    "hill",
    "campbell",
    "mitchell",
    "roberts",
    "carter",
    "phillips",
    "evans",
    "turner",
)
_WORD_A = (
    "north",
    "blue",
    "bright",
    "clear",
    "swift",
    "iron",
    "silver",
    "green",
    "open",
    "true",
    "red",
    "deep",
    "quantum",
    "apex",
    "nova",
    "terra",
    "lumen",
    "vector",
    "harbor",
    "summit",
    "cedar",
    "pine",
    "orbit",
    "pixel",
    "delta",
    "alpha",
    "prime",
    "urban",
    "coastal",
    "polar",
)
_WORD_B = (
    "logistics",
    "labs",
    "systems",
    "health",
    "foods",
    "motors",
    "analytics",
    "works",
    "capital",
    "media",
    "robotics",
    "energy",
    "retail",
    "software",
    "bio",
    "design",
    "legal",
    "insure",
    "travel",
    "games",
)
# Words developers name their projects with (wording.py).
PROJECT_WORDS: tuple[str, ...] = _WORD_A + _WORD_B
_CORP_TLDS = (".com", ".io", ".ai", ".co", ".net", ".de", ".co.uk", ".fr", ".com.br", ".in")
_UNI_WORDS = (
    "westfield",
    "lakeshore",
    "kingsbridge",
    "riverton",
    "eastmoor",
    "highgate",
    "stonebrook",
    "fairhaven",
    "northgate",
    "ashford",
    "millbrook",
    "oakridge",
    "redcliff",
    "greenvale",
    "southport",
    "marlow",
)
_UNI_SUFFIX = (".edu", ".edu", ".edu", ".ac.uk", ".edu.au", ".ac.jp", ".edu.in", ".uni.de")
_TLD_THROWAWAY = (".xyz", ".top", ".site", ".online", ".click", ".icu", ".buzz", ".shop")
_ALNUM = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz0123456789", dtype=np.uint8)
_ALPHA = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)


def draw_random_strings(rng: np.random.Generator, count: int, length: int, alphabet: np.ndarray) -> list[str]:
    """`count` random strings of `length` characters from `alphabet` (bytes)."""
    chars = alphabet[rng.integers(0, alphabet.size, size=(count, length))]
    return [row.tobytes().decode("ascii") for row in chars]


def make_company_domains(rng: np.random.Generator, count: int) -> list[str]:
    """Distinct corporate domains such as `bright-logistics.io`."""
    domains: list[str] = []
    seen: set[str] = set()
    while len(domains) < count:
        a, b = rng.integers(0, len(_WORD_A)), rng.integers(0, len(_WORD_B))
        sep = "-" if rng.random() < 0.5 else ""
        tld = _CORP_TLDS[int(rng.integers(0, len(_CORP_TLDS)))]
        name = f"{_WORD_A[a]}{sep}{_WORD_B[b]}{tld}"
        if name in seen:
            name = f"{_WORD_A[a]}{sep}{_WORD_B[b]}{int(rng.integers(2, 999))}{tld}"
        if name not in seen:
            seen.add(name)
            domains.append(name)
    return domains


def make_university_domains(rng: np.random.Generator, count: int) -> list[str]:
    """Distinct .edu-like university domains."""
    domains: list[str] = []
    seen: set[str] = set()
    while len(domains) < count:
        word = _UNI_WORDS[int(rng.integers(0, len(_UNI_WORDS)))]
        suffix = _UNI_SUFFIX[int(rng.integers(0, len(_UNI_SUFFIX)))]
        name = (
            f"{word}{suffix}" if word + suffix not in seen else f"{word}-{int(rng.integers(2, 99))}{suffix}"
        )
        if name not in seen:
            seen.add(name)
            domains.append(name)
    return domains


def make_throwaway_domains(rng: np.random.Generator, count: int) -> list[str]:
    """Random-looking cheap-TLD domains of the kind bulk sign-up tooling registers."""
    stems = draw_random_strings(rng, count, 7, _ALPHA)
    tlds = rng.integers(0, len(_TLD_THROWAWAY), size=count)
    return [f"{s}{_TLD_THROWAWAY[t]}" for s, t in zip(stems, tlds, strict=True)]


def draw_webmail_domains(rng: np.random.Generator, countries: np.ndarray) -> np.ndarray:
    """A webmail domain per account, sometimes the country's local provider."""
    out = np.array(WEBMAIL, dtype=object)[rng.choice(len(WEBMAIL), size=countries.size, p=WEBMAIL_WEIGHTS)]
    local = np.array([c[3] for c in COUNTRIES], dtype=object)[countries]
    use_local = (local != "") & (rng.random(countries.size) < 0.2)
    out[use_local] = local[use_local]
    return out


def draw_person_locals(
    rng: np.random.Generator, count: int, last_names: np.ndarray | None = None
) -> list[str]:
    """Local parts built from names in the usual styles (first.last, firstlast87, f.last, first_last2)."""
    first = rng.integers(0, len(FIRST_NAMES), size=count)
    last = rng.integers(0, len(LAST_NAMES), size=count) if last_names is None else last_names
    style = rng.integers(0, 5, size=count)
    number = rng.integers(1, 9999, size=count)
    out: list[str] = []
    for f, la, s, n in zip(first.tolist(), last.tolist(), style.tolist(), number.tolist(), strict=True):
        fn, ln = FIRST_NAMES[f], LAST_NAMES[la]
        if s == 0:
            out.append(f"{fn}.{ln}")
        elif s == 1:
            out.append(f"{fn}{ln}{n % 100}")
        elif s == 2:
            out.append(f"{fn[0]}{ln}")
        elif s == 3:
            out.append(f"{fn}_{ln}{n}")
        else:
            out.append(f"{fn}{n}")
    return out


def draw_random_locals(rng: np.random.Generator, count: int) -> list[str]:
    """Machine-generated local parts such as `q8zk3vhx2m`."""
    lengths = rng.integers(8, 13, size=count)
    raw = draw_random_strings(rng, count, 12, _ALNUM)
    return [r[:n] for r, n in zip(raw, lengths.tolist(), strict=True)]


def join_emails(locals_: list[str], domains: np.ndarray | list[str]) -> np.ndarray:
    """`local@domain` for each pair, as an object array."""
    return np.array([f"{a}@{d}" for a, d in zip(locals_, domains, strict=True)], dtype=object)


def make_unique_emails(rng: np.random.Generator, emails: np.ndarray) -> np.ndarray:
    """Make addresses unique (a provider has one account per address) by adding digits to repeats."""
    seen: set[str] = set()
    out = emails.copy()
    for i, email in enumerate(emails.tolist()):
        candidate = email
        while candidate in seen:
            local, domain = email.split("@", 1)
            candidate = f"{local}{int(rng.integers(10, 100_000))}@{domain}"
        seen.add(candidate)
        out[i] = candidate
    return out
