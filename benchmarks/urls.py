"""The portal's URLs plus two minimal views, the web case's limits: a plain answer, and a POST storing one row."""

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from feedback.models import KioskVote


@csrf_exempt
def minimal(request):
    """The least a Django view can do: what the server, the middleware and Django cost on their own."""
    return HttpResponse("ok")


@csrf_exempt
def minimal_insert(request):
    """A POST that stores one row (a kiosk vote): the floor for any form that saves what a citizen sent."""
    KioskVote.objects.create(unit_id=int(request.POST.get("unit", 0)), score=5)
    return HttpResponse("ok", status=201)


urlpatterns = [
    path("bench/minimal/", minimal),
    path("bench/minimal-insert/", minimal_insert),
    path("", include("conduct_portal.urls")),
]
