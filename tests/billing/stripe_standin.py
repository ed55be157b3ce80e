"""A small local stand-in for the few Stripe endpoints the gateway calls.

localstripe has no Checkout or customer portal, so this is our own: a WSGI app on
127.0.0.1 and a random port, in a thread. stripe-python talks to it over real HTTP
(STRIPE_API_BASE). It keeps objects in memory, answers with Stripe-shaped JSON, records
every request (method, path, form parameters, Idempotency-Key), and replays the stored
answer of a repeated Idempotency-Key as Stripe does. `lose_next_answers(n)` makes the next
n POSTs do their work but answer 500, as when the answer is lost on the way back.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

API_KEY = "sk_test_standin"


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    idempotency_key: str | None


class StripeError(Exception):
    def __init__(self, status: int, message: str, code: str = "") -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


class StripeStandin:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.reset()

    # --- lifecycle and inspection ------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> StripeStandin:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests: list[Recorded] = []
            self.customers: dict[str, dict[str, Any]] = {}
            self.checkout_sessions: dict[str, dict[str, Any]] = {}
            self.portal_sessions: dict[str, dict[str, Any]] = {}
            self.subscriptions: dict[str, dict[str, Any]] = {}
            self._answers: dict[str, tuple[int, str]] = {}
            self._lose = 0

    def lose_next_answers(self, count: int = 1) -> None:
        self._lose = count

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]

    # --- test set-up: Stripe's side of a subscription ----------------------------------------

    def customer_put(self, customer_id: str | None = None, **fields: Any) -> dict[str, Any]:
        customer = {"id": customer_id or _new_id("cus"), "object": "customer", "metadata": {}, **fields}
        self.customers[customer["id"]] = customer
        return customer

    def subscription_put(
        self,
        *,
        customer: str,
        price: str,
        quantity: int = 1,
        status: str = "active",
        plan: str = "",
        subscription_id: str | None = None,
        period_end: int | None = None,
    ) -> dict[str, Any]:
        sub_id = subscription_id or _new_id("sub")
        subscription = {
            "id": sub_id,
            "object": "subscription",
            "customer": customer,
            "status": status,
            "cancel_at_period_end": False,
            "created": int(time.time()),
            "metadata": {"plan": plan} if plan else {},
            "items": {
                "object": "list",
                "url": f"/v1/subscription_items?subscription={sub_id}",
                "has_more": False,
                "data": [
                    {
                        "id": _new_id("si"),
                        "object": "subscription_item",
                        "price": {"id": price, "object": "price"},
                        "quantity": quantity,
                        "current_period_end": period_end or int(time.time()) + 30 * 86400,
                    }
                ],
            },
        }
        self.subscriptions[sub_id] = subscription
        return subscription

    def subscription_set(self, subscription_id: str, *, quantity: int | None = None, **fields: Any) -> None:
        subscription = self.subscriptions[subscription_id]
        subscription.update(fields)
        if quantity is not None:
            subscription["items"]["data"][0]["quantity"] = quantity

    # --- HTTP --------------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        return self._answer(request)(environ, start_response)

    def _answer(self, request: Request) -> Response:
        source = request.get_data(as_text=True) if request.method == "POST" else request.query_string.decode()
        params = dict(parse_qsl(source, keep_blank_values=True))
        key = request.headers.get("Idempotency-Key")
        with self._lock:
            self.requests.append(Recorded(request.method, request.path, params, key))
            if request.headers.get("Authorization") != f"Bearer {API_KEY}":
                status, body = 401, json.dumps(_error("Invalid API Key provided.", "authentication_error"))
            elif request.method == "POST" and key in self._answers:
                status, body = self._answers[key]
            else:
                status, answer = self._route(request.method, request.path, params)
                body = json.dumps(answer)
                if request.method == "POST" and key:
                    self._answers[key] = (status, body)
            lost = request.method == "POST" and self._lose > 0
            self._lose -= lost
        if lost:
            lost_body = json.dumps(_error("The answer was lost.", "api_error"))
            return _json(500, lost_body, {"Stripe-Should-Retry": "true"})
        return _json(status, body)

    def _route(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        routes = {
            ("POST", "v1/customers"): self._customer_create,
            ("POST", "v1/checkout/sessions"): self._checkout_create,
            ("POST", "v1/billing_portal/sessions"): self._portal_create,
        }
        try:
            if (method, path.strip("/")) in routes:
                return 200, routes[(method, path.strip("/"))](params)
            if parts[:2] == ["v1", "customers"] and len(parts) == 3 and method == "GET":
                return 200, self._get(self.customers, parts[2], "customer")
            if parts[:2] == ["v1", "subscriptions"] and len(parts) == 3:
                if method == "GET":
                    return 200, self._get(self.subscriptions, parts[2], "subscription")
                return 200, self._subscription_update(parts[2], params)
            raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")
        except StripeError as error:
            kind = "invalid_request_error"
            return error.status, _error(error.message, kind, error.code)

    def _customer_create(self, params: dict[str, str]) -> dict[str, Any]:
        return self.customer_put(
            email=params.get("email"),
            name=params.get("name"),
            metadata={k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")},
        )

    def _checkout_create(self, params: dict[str, str]) -> dict[str, Any]:
        for required in ("mode", "success_url", "cancel_url", "line_items[0][price]"):
            if not params.get(required):
                raise StripeError(400, f"Missing required param: {required}.", "parameter_missing")
        customer = params.get("customer")
        if customer and customer not in self.customers:
            raise StripeError(400, f"No such customer: '{customer}'", "resource_missing")
        session_id = _new_id("cs_test")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params["mode"],
            "customer": customer,
            "client_reference_id": params.get("client_reference_id"),
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
            "status": "open",
            "subscription": None,
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        }
        self.checkout_sessions[session_id] = session
        return session

    def _portal_create(self, params: dict[str, str]) -> dict[str, Any]:
        customer = params.get("customer", "")
        self._get(self.customers, customer, "customer")
        session_id = _new_id("bps")
        session = {
            "id": session_id,
            "object": "billing_portal.session",
            "customer": customer,
            "return_url": params.get("return_url"),
            "url": f"https://billing.stripe.com/p/session/{session_id}",
        }
        self.portal_sessions[session_id] = session
        return session

    def _subscription_update(self, subscription_id: str, params: dict[str, str]) -> dict[str, Any]:
        subscription = self._get(self.subscriptions, subscription_id, "subscription")
        item = subscription["items"]["data"][0]
        if "items[0][id]" in params and params["items[0][id]"] != item["id"]:
            raise StripeError(400, "No such subscription item.", "resource_missing")
        if "items[0][quantity]" in params:
            item["quantity"] = int(params["items[0][quantity]"])
        return subscription

    @staticmethod
    def _get(store: dict[str, dict[str, Any]], object_id: str, kind: str) -> dict[str, Any]:
        if object_id not in store:
            raise StripeError(404, f"No such {kind}: '{object_id}'", "resource_missing")
        return store[object_id]


def _error(message: str, kind: str, code: str = "") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, **({"code": code} if code else {})}}


def _json(status: int, body: str, headers: dict[str, str] | None = None) -> Response:
    headers = {"Request-Id": _new_id("req"), **(headers or {})}
    return Response(body, status, headers=headers, mimetype="application/json")
