from django.conf import settings

import tinhso


def platform(request):
    return {
        "tinhso_version": tinhso.__version__,
        "tinhso_province_code": settings.TINHSO_PROVINCE_CODE,
    }
