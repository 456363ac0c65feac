"""Where a country's day falls: the UTC offset of its standard time, so that an hour can be read as a customer's
local hour. A country that spans zones gets the zone most of its people live in; summer time is left out (an
hour either way does not move the night)."""

from __future__ import annotations

UTC_OFFSET_MINUTES: dict[str, int] = {
    # the Americas
    "US": -300, "CA": -300, "MX": -360, "GT": -360, "CR": -360, "PA": -300, "CO": -300, "PE": -300,
    "EC": -300, "JM": -300, "DO": -240, "PR": -240, "VE": -240, "BO": -240, "CL": -240, "PY": -180,
    "BR": -180, "AR": -180, "UY": -180,
    # Europe
    "GB": 0, "IE": 0, "PT": 0, "IS": 0, "ES": 60, "FR": 60, "DE": 60, "IT": 60, "NL": 60, "BE": 60,
    "LU": 60, "CH": 60, "AT": 60, "DK": 60, "SE": 60, "NO": 60, "PL": 60, "CZ": 60, "SK": 60, "HU": 60,
    "SI": 60, "HR": 60, "RS": 60, "BA": 60, "ME": 60, "MK": 60, "AL": 60, "MT": 60, "FI": 120, "EE": 120,
    "LV": 120, "LT": 120, "RO": 120, "BG": 120, "GR": 120, "CY": 120, "UA": 120, "MD": 120, "BY": 180,
    "RU": 180, "TR": 180,
    # Africa
    "MA": 60, "DZ": 60, "TN": 60, "NG": 60, "CM": 60, "AO": 60, "GH": 0, "SN": 0, "CI": 0, "EG": 120,
    "ZA": 120, "KE": 180, "ET": 180, "TZ": 180, "UG": 180,
    # Asia and the Pacific
    "IL": 120, "LB": 120, "JO": 180, "SA": 180, "QA": 180, "KW": 180, "BH": 180, "IQ": 180, "IR": 210,
    "AE": 240, "OM": 240, "GE": 240, "AM": 240, "AZ": 240, "PK": 300, "UZ": 300, "KZ": 300, "IN": 330,
    "LK": 330, "NP": 345, "BD": 360, "MM": 390, "TH": 420, "VN": 420, "KH": 420, "LA": 420, "ID": 420,
    "CN": 480, "HK": 480, "MO": 480, "TW": 480, "SG": 480, "MY": 480, "PH": 480, "JP": 540, "KR": 540,
    "AU": 600, "NZ": 720,
}  # fmt: skip


def local_hour(utc_hour: int, country: str) -> int | None:
    """The hour of day in `country` at `utc_hour` UTC (rounded to the hour), or None for a country not listed."""
    offset = UTC_OFFSET_MINUTES.get(country)
    return None if offset is None else (utc_hour + round(offset / 60)) % 24
