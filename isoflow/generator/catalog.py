"""The world the generator draws from: countries, spending categories and the merchants in them.

Merchant names come from Faker with a seed fixed per (country, category), so every account in a country
shops from the same stable set of merchants and the set is the same on every run.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Literal

from faker import Faker

from model.countries import UTC_OFFSET_MINUTES

TransactionType = Literal["DEPOSIT", "WITHDRAWAL", "TRANSFER", "PURCHASE", "PAYMENT"]
Channel = Literal["CARD_PRESENT", "ONLINE", "ATM", "BANK_TRANSFER"]


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166 alpha-2
    locale: str  # Faker locale for names and cities

    @property
    def utc_offset_minutes(self) -> int:
        """Standard time (`model.countries`); local hours drive the daily rhythm."""
        return UTC_OFFSET_MINUTES.get(self.code, 0)


@dataclass(frozen=True)
class HomeCountry(Country):
    currency: str  # ISO 4217
    units_per_usd: float  # amounts are set in US dollars, then expressed in the local currency
    weight: float  # share of account holders living here


HOME_COUNTRIES: dict[str, HomeCountry] = {
    country.code: country
    for country in (
        HomeCountry("US", "en_US", "USD", 1.0, 0.28),
        HomeCountry("GB", "en_GB", "GBP", 0.79, 0.15),
        HomeCountry("IE", "en_IE", "EUR", 0.92, 0.04),
        HomeCountry("DE", "de_DE", "EUR", 0.92, 0.11),
        HomeCountry("FR", "fr_FR", "EUR", 0.92, 0.10),
        HomeCountry("ES", "es_ES", "EUR", 0.92, 0.07),
        HomeCountry("IT", "it_IT", "EUR", 0.92, 0.07),
        HomeCountry("NL", "nl_NL", "EUR", 0.92, 0.05),
        HomeCountry("CA", "en_CA", "CAD", 1.37, 0.07),
        HomeCountry("AU", "en_AU", "AUD", 1.52, 0.06),
    )
}

# Countries no account holder lives in: card use there is what a stolen card looks like.
FOREIGN_COUNTRIES: dict[str, Country] = {
    country.code: country
    for country in (
        Country("BR", "pt_BR"),
        Country("MX", "es_MX"),
        Country("TR", "tr_TR"),
        Country("IN", "en_IN"),
        Country("ID", "id_ID"),
        Country("PH", "en_PH"),
        Country("RO", "ro_RO"),
        Country("NG", "en_NG"),
        Country("TH", "en_TH"),
        Country("VN", "vi_VN"),
    )
}


@dataclass(frozen=True)
class Category:
    name: str
    transaction_type: TransactionType
    channels: tuple[tuple[Channel, float], ...]  # channel -> share
    median_usd: float  # the typical amount before the account's own scale
    sigma: float  # spread of log(amount)
    merchant_style: str  # how merchant names in this category look (see _merchant_name)


IN_STORE: tuple[tuple[Channel, float], ...] = (("CARD_PRESENT", 1.0),)
MOSTLY_IN_STORE: tuple[tuple[Channel, float], ...] = (("CARD_PRESENT", 0.85), ("ONLINE", 0.15))
MIXED: tuple[tuple[Channel, float], ...] = (("CARD_PRESENT", 0.5), ("ONLINE", 0.5))
ONLINE_ONLY: tuple[tuple[Channel, float], ...] = (("ONLINE", 1.0),)
BANK: tuple[tuple[Channel, float], ...] = (("BANK_TRANSFER", 1.0),)
ATM: tuple[tuple[Channel, float], ...] = (("ATM", 1.0),)

CATEGORIES: dict[str, Category] = {
    c.name: c
    for c in (
        # everyday card spending
        Category("groceries", "PURCHASE", MOSTLY_IN_STORE, 45, 0.6, "grocer"),
        Category("restaurants", "PURCHASE", (("CARD_PRESENT", 0.9), ("ONLINE", 0.1)), 32, 0.55, "restaurant"),
        Category("coffee", "PURCHASE", IN_STORE, 5.5, 0.35, "cafe"),
        Category("fuel", "PURCHASE", IN_STORE, 55, 0.35, "fuel"),
        Category("transport", "PURCHASE", (("CARD_PRESENT", 0.6), ("ONLINE", 0.4)), 12, 0.7, "transport"),
        Category("shopping", "PURCHASE", MIXED, 60, 0.8, "shop"),
        Category("entertainment", "PURCHASE", (("ONLINE", 0.6), ("CARD_PRESENT", 0.4)), 25, 0.6, "venue"),
        Category("health", "PURCHASE", IN_STORE, 30, 0.6, "pharmacy"),
        Category("travel", "PURCHASE", ONLINE_ONLY, 250, 0.7, "travel"),
        Category("cash", "WITHDRAWAL", ATM, 80, 0.5, "atm"),
        Category("transfer", "TRANSFER", BANK, 60, 0.8, "person"),
        # bills and subscriptions, paid on a monthly schedule
        Category("housing", "PAYMENT", BANK, 1000, 0.0, "landlord"),
        Category("utilities", "PAYMENT", BANK, 90, 0.15, "utility"),
        Category("telecom", "PAYMENT", BANK, 45, 0.0, "telecom"),
        Category("insurance", "PAYMENT", BANK, 60, 0.0, "insurer"),
        Category("fitness", "PAYMENT", BANK, 40, 0.0, "gym"),
        Category("subscriptions", "PURCHASE", ONLINE_ONLY, 12, 0.0, "digital"),
        # money coming in
        Category("income", "DEPOSIT", BANK, 3200, 0.0, "employer"),
        Category("savings", "DEPOSIT", BANK, 300, 0.0, "own"),
        Category("interest", "DEPOSIT", BANK, 5, 0.0, "own"),
        Category("sales", "DEPOSIT", BANK, 3500, 0.9, "company"),
        Category("repayment", "DEPOSIT", BANK, 500, 0.0, "own"),
        Category("own_transfer", "TRANSFER", BANK, 400, 0.7, "own"),
        # business spending
        Category("office", "PURCHASE", MIXED, 120, 0.7, "shop"),
        Category("software", "PURCHASE", ONLINE_ONLY, 90, 0.6, "digital"),
        Category("business_travel", "PURCHASE", ONLINE_ONLY, 400, 0.7, "travel"),
        Category("suppliers", "TRANSFER", BANK, 2500, 0.8, "company"),
        Category("payroll", "TRANSFER", BANK, 10000, 0.0, "own"),
        # never part of a normal profile: where fraud goes
        Category("electronics", "PURCHASE", ONLINE_ONLY, 700, 0.5, "shop"),
        Category("gift_cards", "PURCHASE", ONLINE_ONLY, 200, 0.4, "digital"),
        Category("jewelry", "PURCHASE", MIXED, 600, 0.5, "jeweler"),
        Category("gambling", "PURCHASE", ONLINE_ONLY, 150, 0.6, "casino"),
        Category("crypto", "PURCHASE", ONLINE_ONLY, 500, 0.6, "exchange"),
    )
}

# Categories an anomaly of kind new_merchant_unusual_category picks from: none appears in any profile.
UNUSUAL_CATEGORIES = ("electronics", "gift_cards", "jewelry", "gambling", "crypto")

# Digital services bill from where they are registered, not where the customer lives.
DIGITAL_SERVICE_COUNTRIES = ("IE", "NL", "US")


@dataclass(frozen=True)
class Merchant:
    name: str
    city: str
    country: str


_SUFFIXES: dict[str, tuple[str, ...]] = {
    "grocer": ("Market", "Grocers", "Foods", "Supermarket", "Fresh Market", "Food Hall"),
    "restaurant": ("Kitchen", "Bistro", "Grill", "Trattoria", "Diner", "Brasserie", "Noodle Bar", "Tavern"),
    "cafe": ("Coffee", "Café", "Roasters", "Espresso Bar", "Bakery"),
    "fuel": ("Fuel", "Petroleum", "Service Station", "Energy", "Gas"),
    "transport": ("Taxi", "Transit", "Rides", "Parking", "Cabs"),
    "shop": ("Store", "Outlet", "Emporium", "Goods", "Depot", "Boutique", "Supply"),
    "venue": ("Cinema", "Theatre", "Arena", "Tickets", "Bowling", "Club"),
    "pharmacy": ("Pharmacy", "Chemist", "Health", "Dental", "Clinic"),
    "travel": ("Airways", "Hotels", "Travel", "Rail", "Holidays"),
    "atm": ("Bank ATM", "Savings Bank ATM", "Credit Union ATM"),
    "landlord": ("Properties", "Lettings", "Estates", "Housing", "Home Loans"),
    "utility": ("Energy", "Power", "Water", "Gas & Electric"),
    "telecom": ("Mobile", "Telecom", "Broadband", "Fibre"),
    "insurer": ("Insurance", "Assurance", "Mutual"),
    "gym": ("Fitness", "Gym", "Yoga", "Athletic Club"),
    "digital": ("Stream", "Music", "Cloud", "Play", "Apps", "Games", "Software"),
    "jeweler": ("Jewellers", "Gold", "Diamonds", "Watches"),
    "casino": ("Casino", "Bet", "Poker", "Slots"),
    "exchange": ("Crypto", "Coin Exchange", "Bitcoin", "Digital Assets"),
}
_DIGITAL_WORDS = ("Nova", "Pixel", "Orbit", "Lumen", "Echo", "Vertex", "Quanta", "Zephyr", "Halo", "Nimbus")

MERCHANTS_PER_CATEGORY = 30


# Money moving between the holder's own accounts or from the bank itself has a fixed counterparty.
_OWN_COUNTERPARTIES = {
    "savings": "Standing order",
    "own_transfer": "Current account",
    "interest": "Interest",
    "repayment": "Card repayment",
    "payroll": "Payroll",
}


def _merchant_name(fake: Faker, rng: random.Random, category: Category) -> str:
    style = category.merchant_style
    if style == "person":
        return f"{fake.first_name()} {fake.last_name()}"
    if style in ("employer", "company"):
        return str(fake.company())
    if style == "digital":
        return f"{rng.choice(_DIGITAL_WORDS)}{rng.choice(_DIGITAL_WORDS).lower()} {rng.choice(_SUFFIXES[style])}"
    if style == "own":
        return _OWN_COUNTERPARTIES[category.name]
    return f"{fake.last_name()} {rng.choice(_SUFFIXES[style])}"


@cache
def _faker_for(locale: str) -> Faker:
    return Faker(locale)


_faker_lock = threading.Lock()


@contextmanager
def seeded_faker(locale: str, seed: int) -> Iterator[Faker]:
    """A Faker for `locale` seeded with `seed`; one user at a time, since seeding is per instance and a
    concurrent user would change what the other draws."""
    with _faker_lock:
        fake = _faker_for(locale)
        fake.seed_instance(seed)
        yield fake


# Accounts created through the API may hold other currencies: their amounts are scaled to match.
UNITS_PER_USD = {
    "JPY": 150.0, "CHF": 0.88, "SEK": 10.5, "NOK": 10.7, "DKK": 6.9, "PLN": 4.0, "CZK": 23.0, "HUF": 360.0,
    "NZD": 1.65, "SGD": 1.35, "HKD": 7.8, "CNY": 7.2, "INR": 83.0, "BRL": 5.0, "MXN": 17.0, "ZAR": 18.5,
    **{home.currency: home.units_per_usd for home in HOME_COUNTRIES.values()},
}  # fmt: skip


def home_country(code: str, currency: str) -> HomeCountry:
    """The home country of an account; one the catalog does not know gets neutral defaults."""
    known = HOME_COUNTRIES.get(code)
    if known and known.currency == currency:
        return known
    locale = known.locale if known else "en_US"
    return HomeCountry(code, locale, currency, UNITS_PER_USD.get(currency, 1.0), 0.0)


@cache
def merchants(where: Country, category_name: str) -> tuple[Merchant, ...]:
    """The merchants of one category in one country, the same on every call and every run.

    Digital services are global: every country sees the same ones, registered in a few countries.
    """
    category = CATEGORIES[category_name]
    digital = category.merchant_style == "digital"
    seat = "global" if digital else where.code
    rng = random.Random(f"merchants:{seat}:{category_name}")
    count = 1 if category.merchant_style == "own" else MERCHANTS_PER_CATEGORY
    found: dict[str, Merchant] = {}
    with seeded_faker(HOME_COUNTRIES["US"].locale if digital else where.locale, rng.getrandbits(64)) as fake:
        # Some locales know few names: stop after enough attempts rather than insist on a full set.
        for _ in range(count * 10):
            if len(found) == count:
                break
            name = _merchant_name(fake, rng, category)
            registered = rng.choice(DIGITAL_SERVICE_COUNTRIES) if digital else where.code
            found.setdefault(name, Merchant(name=name, city=str(fake.city()), country=registered))
    return tuple(found.values())
