from django.conf import settings


def service(request):
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "service_feedback_email": settings.SERVICE_FEEDBACK_EMAIL,
    }
