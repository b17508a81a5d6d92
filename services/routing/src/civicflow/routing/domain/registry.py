"""Reference data for routing: postal code → municipality key (AGS), and who is responsible for what where."""

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Municipality:
    key: str
    name: str


@dataclass(frozen=True)
class PostalIndex:
    municipalities: dict[str, tuple[Municipality, ...]]

    @classmethod
    def from_csv(cls, text: str) -> "PostalIndex":
        found: dict[str, list[Municipality]] = defaultdict(list)
        for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
            municipality = Municipality(key=row["ags"], name=row.get("ort") or "")
            if municipality not in found[row["plz"]]:
                found[row["plz"]].append(municipality)
        return cls({plz: tuple(items) for plz, items in found.items()})

    def lookup(self, postal_code: str) -> tuple[Municipality, ...]:
        return self.municipalities.get(postal_code, ())


@dataclass(frozen=True)
class Agency:
    agency_id: str
    name: str
    municipality_key: str
    services: frozenset[str]


@dataclass(frozen=True)
class AgencyRegistry:
    by_municipality_and_service: dict[tuple[str, str], Agency]

    @classmethod
    def from_json(cls, text: str) -> "AgencyRegistry":
        index: dict[tuple[str, str], Agency] = {}
        for item in json.loads(text)["agencies"]:
            agency = Agency(item["agency_id"], item["name"], item["municipality_key"], frozenset(item["services"]))
            for service_id in agency.services:
                key = (agency.municipality_key, service_id)
                if key in index:
                    raise ValueError(f"two agencies responsible for service {service_id} in {agency.municipality_key}")
                index[key] = agency
        return cls(index)

    def responsible(self, municipality_key: str, service_id: str) -> Agency | None:
        return self.by_municipality_and_service.get((municipality_key, service_id))

    def agencies(self) -> list[Agency]:
        return sorted(set(self.by_municipality_and_service.values()), key=lambda agency: agency.agency_id)
