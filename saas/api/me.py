"""GET /api/v1/me: whose token this is and the organisations (slugs, roles) it can reach."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from saas.api.auth import api_blueprint, api_user
from saas.api.schemas import MeOut
from saas.tenants.nav import user_memberships

bp = api_blueprint(
    "api_me", __name__, tag="Me", description="The token's user and their organisations.", tenant=False
)


@bp.route("/me")
class Me(MethodView):
    @bp.response(200, MeOut)
    def get(self) -> dict[str, Any]:
        """Who the token belongs to

        The organisations listed are those the token can reach, with the user's role in each;
        use their `slug` in /api/v1/t/{slug}/...
        """
        user = api_user()
        return {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "token": g.api_token,
            "tenants": user_memberships(),  # the request's user is the token's (see auth)
        }
