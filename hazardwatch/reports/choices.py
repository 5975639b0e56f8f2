"""Report vocabularies: categories (each with a default sector), place types and sources."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from hazardwatch.core.choices import Sector


class ReportCategory(models.TextChoices):
    ESCAPE_ROUTE = "escape_route", _("Blocked fire exit or escape route")
    FIRE_EQUIPMENT = "fire_equipment", _("Missing or broken fire equipment")
    EBIKE_CHARGING = "ebike_charging", _("E-bike parked or charged indoors")
    GAS = "gas", _("Gas leak or unsafe gas use")
    ELECTRICAL = "electrical", _("Unsafe electrical wiring")
    HAZARDOUS_CHEMICALS = "hazardous_chemicals", _("Hazardous chemicals stored or used unsafely")
    FIREWORKS = "fireworks", _("Illegal fireworks production or sale")
    CONSTRUCTION = "construction", _("Construction site danger")
    SPECIAL_EQUIPMENT = "special_equipment", _("Elevator, boiler, crane or pressure vessel")
    ROAD_TRANSPORT = "road_transport", _("Road transport danger")
    WORKPLACE = "workplace", _("Factory or workplace danger")
    MINING = "mining", _("Mine danger")
    BUILDING = "building", _("Building structure danger")
    OTHER = "other", _("Other")


CATEGORY_SECTOR = {
    ReportCategory.ESCAPE_ROUTE: Sector.FIRE,
    ReportCategory.FIRE_EQUIPMENT: Sector.FIRE,
    ReportCategory.EBIKE_CHARGING: Sector.FIRE,
    ReportCategory.GAS: Sector.GAS,
    ReportCategory.ELECTRICAL: Sector.ELECTRICAL,
    ReportCategory.HAZARDOUS_CHEMICALS: Sector.HAZARDOUS_CHEMICALS,
    ReportCategory.FIREWORKS: Sector.FIREWORKS,
    ReportCategory.CONSTRUCTION: Sector.CONSTRUCTION,
    ReportCategory.SPECIAL_EQUIPMENT: Sector.SPECIAL_EQUIPMENT,
    ReportCategory.ROAD_TRANSPORT: Sector.ROAD_TRANSPORT,
    ReportCategory.WORKPLACE: Sector.INDUSTRY_TRADE,
    ReportCategory.MINING: Sector.MINING,
    ReportCategory.BUILDING: Sector.HOUSEHOLD_COMMUNITY,
    ReportCategory.OTHER: Sector.OTHER,
}


class PlaceType(models.TextChoices):
    FACTORY = "factory", _("Factory or workshop")
    WAREHOUSE = "warehouse", _("Warehouse")
    SHOP = "shop", _("Shop or market")
    RESTAURANT = "restaurant", _("Restaurant")
    HOTEL = "hotel", _("Hotel")
    ENTERTAINMENT = "entertainment", _("Entertainment venue")
    SCHOOL = "school", _("School or kindergarten")
    HOSPITAL = "hospital", _("Hospital")
    ELDERLY_CARE = "elderly_care", _("Elderly care home")
    RESIDENTIAL = "residential", _("Residential building or community")
    CONSTRUCTION_SITE = "construction_site", _("Construction site")
    GAS_STATION = "gas_station", _("Fuel or gas station")
    CHEMICAL_PLANT = "chemical_plant", _("Chemical plant")
    MINE = "mine", _("Mine")
    ROAD = "road", _("Road or transport hub")
    PUBLIC_PLACE = "public_place", _("Other public place")
    OTHER = "other", _("Other")


class ReportSource(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    DEVICE = "device", _("Device")
    EMPLOYEE = "employee", _("Employee of the unit")
    STAFF = "staff", _("Entered by staff")


class DeviceKind(models.TextChoices):
    DRONE = "drone", _("Drone")
    CAMERA = "camera", _("AI camera")
    SENSOR = "sensor", _("Sensor")
    MODEL = "model", _("AI model")
