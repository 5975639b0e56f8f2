from django.conf import settings


def site(request):
    return {
        "TILE_URL": settings.HAZARDWATCH_TILE_URL,
        "TILE_ATTRIBUTION": settings.HAZARDWATCH_TILE_ATTRIBUTION,
        "TILE_CRS": settings.HAZARDWATCH_TILE_CRS,
        "MAP_CENTER": settings.HAZARDWATCH_MAP_CENTER,
        "SITE_NAME": settings.HAZARDWATCH_SITE_NAME,
    }
