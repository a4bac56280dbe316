"""Controlled vocabularies of the design note, spelled exactly as the note lists them.

They are `str, Enum` so that a value is both a plain string in JSON and a member
that code can compare against without retyping the spelling.
"""
from __future__ import annotations

from enum import Enum


class RoleSeniority(str, Enum):
    INTERNSHIP = "Internship"
    JUNIOR = "Junior"
    MID_LEVEL = "Mid-Level"
    SENIOR = "Senior"
    LEAD = "Lead"
    STAFF = "Staff"
    PRINCIPAL = "Principal"
    MANAGER = "Manager"
    DIRECTOR = "Director"
    EXECUTIVE = "Executive"
    NOT_SPECIFIED = "Not Specified"


class CompanyType(str, Enum):
    SOFTWARE_PRODUCT_SAAS = "Software Product / SaaS"
    ECOMMERCE_MARKETPLACE = "E-commerce / Marketplace Platform"
    FINTECH = "Fintech"
    GAMING = "Gaming Company / GameTech"
    IT_CONSULTING = "IT Consulting / System Integration"
    IT_OUTSOURCING = "IT Outsourcing / Nearshore / Dev Shop"
    MSP = "Managed Service Provider (MSP)"
    AI_DATA_SCIENCE = "AI / Data Science Focused"
    OPEN_SOURCE = "Open Source Software Company"
    LOW_CODE = "Low-Code / No-Code Platform"
    CLOUD_INFRASTRUCTURE = "Cloud / IT Infrastructure Services"
    DIGITAL_AGENCY = "Digital Services / Agency"
    TECH_HUB_RECRUITMENT = "Tech Hub / Academy / Recruitment"
    TESTING_CERTIFICATION = "Testing / Inspection / Certification"
    BANKING_FINANCIAL = "Banking / Financial Institution"
    HEALTHCARE_PHARMA = "Healthcare / Pharma / Biotech"
    AUTOMOTIVE_MOBILITY = "Automotive / Mobility Provider"
    MANUFACTURING = "Manufacturing / Industrial"
    LOGISTICS = "Logistics / Transportation"
    ENERGY = "Energy"
    TELECOMMUNICATIONS = "Telecommunications"
    ENGINEERING_SERVICES = "Engineering Services (Non-IT specific)"
    INTERNAL_IT = "Internal IT / Shared Services"
    GENERIC_TECH = "Unspecified / Generic Tech"
    NOT_SPECIFIED = "Not Specified / Other"


class RemoteStatus(str, Enum):
    FULLY_REMOTE = "Fully Remote"
    REMOTE_REGION = "Remote (Region Specific)"
    HYBRID = "Hybrid"
    OFFICE = "Office-based"
    NOT_SPECIFIED = "Not Specified"


class SpecificationLevel(str, Enum):
    IDENTIFIED = "Specific Location / Remote Status Identified"
    NOT_SPECIFIED = "Not Specified"


class Methodology(str, Enum):
    AGILE = "Agile Principles"
    SCRUM = "Scrum"
    KANBAN = "Kanban"
    XP = "Extreme Programming (XP)"
    LEAN = "Lean Principles"
    SAFE = "SAFe"
    LESS = "LeSS"
    WATERFALL = "Waterfall"
    DEVOPS = "DevOps Culture/Practices"
    TDD = "Test-Driven Development (TDD)"
    BDD = "Behavior-Driven Development (BDD)"
    CI_CD = "CI/CD Practices"
    AB_TESTING = "A/B Testing"


def allowed(enum: type[Enum]) -> list[str]:
    """The vocabulary's values in the note's order, for messages and schemas."""
    return [m.value for m in enum]
