"""Static reference data for the virtual brokers: instruments, funds, other assets, people.

Names are kept within the contract's recommended lengths (fundName/assetName 15, productName 40),
so a clean broker draws no SHOULD warning; ISINs carry a valid check digit so they look real.
"""

from __future__ import annotations

from dataclasses import dataclass


def isin(prefix: str, body: str) -> str:
    """ISIN = prefix + body + Luhn check digit over the letters-as-numbers expansion."""
    stem = prefix + body
    digits = "".join(str(int(ch, 36)) for ch in stem)
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n // 10 + n % 10
    return stem + str((10 - total % 10) % 10)


def krx_isin(short_code: str) -> str:
    """KRX common share: KR7 + 6-digit short code + 00 + check digit."""
    return isin("KR7", short_code + "00")


@dataclass(frozen=True)
class Instrument:
    kind: str  # equityList assetType: KSP KDQ ETF FUT OPT ELW
    short_code: str
    name: str
    isin: str
    price: float  # reference price for valuations


_KSP = """005930 삼성전자 71000
000660 SK하이닉스 132000
051910 LG화학 452000
035420 NAVER 201000
005380 현대차 187000
035720 카카오 48500
068270 셀트리온 171000
000270 기아 81000
005490 POSCO홀딩스 389000
006400 삼성SDI 402000
207940 삼성바이오로직스 781000
012330 현대모비스 223000
028260 삼성물산 112000
105560 KB금융 54200
055550 신한지주 39850
017670 SK텔레콤 51300
030200 KT 34500
033780 KT&G 88900
015760 한국전력 19200
034730 SK 158000
003550 LG 82400
066570 LG전자 97600
096770 SK이노베이션 131000
010950 S-Oil 75800
009150 삼성전기 146000
032830 삼성생명 73600
000810 삼성화재 253000
086790 하나금융지주 43100
316140 우리금융지주 13450
011200 HMM 17800
010130 고려아연 476000
097950 CJ제일제당 301000
000020 동화약품 9870
000100 유한양행 61800
128940 한미약품 318000
004020 현대제철 34950
011170 롯데케미칼 139000
036570 엔씨소프트 221000
251270 넷마블 53400"""

_KDQ = """247540 에코프로비엠 241000
086520 에코프로 588000
293490 카카오게임즈 23850
263750 펄어비스 41200
035900 JYP Ent. 76500
041510 에스엠 86200
122870 와이지엔터테인먼트 47100
028300 HLB 62900
196170 알테오젠 188000
145020 휴젤 163000
058470 리노공업 167000
039030 이오테크닉스 151000
240810 원익IPS 33100
357780 솔브레인 256000"""

_ETF = """069500 KODEX 200 35420
102110 TIGER 200 35480
114800 KODEX 인버스 4285
122630 KODEX 레버리지 18330
229200 KODEX 코스닥150 12640
133690 TIGER 미국나스닥100 98450
360750 TIGER 미국S&P500 15720
148070 KOSEF 국고채10년 111250"""


def _parse(kind: str, table: str) -> list[Instrument]:
    rows = []
    for line in table.splitlines():
        code, rest = line.split(" ", 1)
        name, price = rest.rsplit(" ", 1)
        rows.append(Instrument(kind, code, name, krx_isin(code), float(price)))
    return rows


EQUITIES: list[Instrument] = _parse("KSP", _KSP) + _parse("KDQ", _KDQ) + _parse("ETF", _ETF)

# Listed derivatives: product kinds of the EQTY group (C10), held only by brokers that keep them in
# the comprehensive account.
DERIVATIVES: list[Instrument] = [
    Instrument("FUT", "101V3000", "코스피200 F 202412", isin("KR4", "101V3000"), 352.15),
    Instrument("FUT", "106V3000", "코스닥150 F 202412", isin("KR4", "106V3000"), 1312.4),
    Instrument("OPT", "201V1357", "코스피200 C 202411 357.5", isin("KR4", "201V1357"), 3.25),
    Instrument("OPT", "301V1340", "코스피200 P 202411 340.0", isin("KR4", "301V1340"), 2.05),
    Instrument("ELW", "58J123", "미래J123삼성전자콜", isin("KRA", "58J12300"), 115.0),
    Instrument("ELW", "57K456", "한국K456SK하이닉스풋", isin("KRA", "57K45600"), 95.0),
]

# Funds: (fund standard code body, name <= 15 characters)
FUNDS: list[tuple[str, str]] = [
    ("50039513", "삼성중소형FOCUS증권자1호"),
    ("50113056", "미래에셋고배당포커스증권"),
    ("50183118", "메리츠코리아증권투자신탁1"),
    ("50201744", "KB스타코리아인덱스증권"),
    ("50210835", "신한BNPP좋은아침희망"),
    ("50224419", "한국투자네비게이터증권1"),
    ("50235560", "키움쿼터백글로벌EMP"),
    ("50247701", "NH-Amundi100년투자"),
    ("50252238", "교보악사파워인덱스1"),
    ("50268812", "하나UBS인Best연금증권"),
    ("50279935", "IBK중소형주코리아증권"),
    ("50281106", "AB글로벌고수익채권재간접"),
    ("50296627", "트러스톤장기성장증권"),
    ("50301158", "VIP한국형가치투자증권"),
]


def fund_code(body: str) -> str:
    return isin("KR5", body)


# Other assets (ETC group): (etcList assetType, name <= 15 characters, face value per unit)
OTHER_ASSETS: list[tuple[str, str]] = [
    ("BOND", "국민주택1종11-07"),
    ("BOND", "국고03000-2409"),
    ("BOND", "광주지방채11"),
    ("BOND", "한국지역난방공사13-1"),
    ("BOND", "강원도개발공사121"),
    ("STB", "현대캐피탈1924-2"),
    ("CD", "국민은행CD2024-118"),
    ("CP", "루카스 20131227-89"),
    ("DLS", "우리투자증권(DLS)1120"),
    ("ELS", "NH투자증권(ELB)759"),
    ("RP", "RP(미구분)일반"),
    ("CRP", "약정식RP 91일"),
    ("RRP", "수시RP 개인"),
    ("WRT", "셀트리온 14WR"),
]

# People: test users of CONTRACT 4.2 (CIs as published), plus b2b account holders.
USERS: dict[str, tuple[str, str]] = {  # id -> (Korean name, CI)
    "ingyu": ("박인규",
             "KGZDUgKx9ASZuzWb+dA0gFSPfaqASmw4Tc3XyMUJP049hK/HWD5M7joB83GAd/osmPyCyZrQ/36K2awX8lgVjg=="),
    "jeonga": ("황정아",
              "9RHwWPCNGF43uv4F6tT0yXoMvA9Y5ZKtHXVA0k+oYcvBkxNs72x+zn4lvuyoBcnDcWYP/q1yLod9+P7TGPL1dA=="),
    "taeseog": ("우태석",
               "iAoOt+AnxabRSA3TLYPUPCnblwGJFYkAWZyGUqhjwLAiuiQKvaMj7soUJjRcd3gqBbF8evNZZPEc6kAiCltl+A=="),
    "hwanny": ("박환덕",
              "QciuDFKLcwalCKtWALuNWic9eGm7WNdauW+A+n+mpfhif24c3msHdzVjoZK0ntkXZ1+nA6LX47nyKmIq1JoHhg=="),
    "jeeae": ("이지애",
             "Q9z5ccmjYNrhPVXrdfgfgfFdfgFGHdfg3fGFGgghDFFGghghgSSSfgfgcvbdfgert45rgfgdfgfhpf5vmzjaA=="),
    "mhcha": ("차명호",
              "2k4w1HX8oe0GfhgGGFHdtreetFDDFGFDG/p+whMWpgFBF+TGn1wSDjolTXHMJA3HVgGtRLZ9ACHovhl+w=="),
    "pannpann": ("김민우",
                "ch5dHDVn8Dc/neQgn3YUWdfgfdgFYFDGDFdfgdfgSFsdfsdgghgfhDFGHDFsddfsdffgdfghdfgRSAf6p8avyg=="),
    "jaerang": ("조재량",
               "DzOXodHZMasjoVddfgdfgdfg9dfgdfg7sdfsdg7fdgDFGDSFSHGGHG8dfgfDGDFG2E2yNO7iY+UV0lyz7+y24Q=="),
    # not in CONTRACT 4.2: the reference's own member whose consent for the fintech service expired (C26)
    "yuna": ("김유나",
             "a29zY29tLWNvbmZvcm1hbmNlIHJlZmVyZW5jZSB0ZXN0IHVzZXIgeXVuYSwgY29uc2VudCBleHBpcmVkIDIwMg=="),
}

B2B_HOLDERS: list[str] = ["홍길동", "이지선", "김철수", "박영희", "최민준", "정서연", "강도윤"]

WATCH_GROUP_NAMES: list[str] = [
    "관심종목00", "ETF", "반도체", "2차전지", "바이오", "금융주", "배당주", "엔터",
    "자동차", "플랫폼", "관심종목10", "관심종목11",
]
