"""API of the matching app.

Peers (``peers_api.py``): ``GET /organisations/{id}/peers`` and ``/matching/challenge``.
Match requests and invitations (``requests_api.py``): ``/match-requests``, ``/match-invitations``.
"""

from ninja import Router

router = Router(tags=["matching"])

# Suggestions of peers for an organisation or a stated challenge: peers_api.py.
from .peers_api import router as peers_router  # noqa: E402

router.add_router("", peers_router)

# Match requests and invitations (/match-requests, /match-invitations): requests_api.py.
from .requests_api import router as requests_router  # noqa: E402

router.add_router("", requests_router)
