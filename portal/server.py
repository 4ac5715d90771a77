"""The portal as a server that is warm before it says it is healthy:
``streamlit run portal/server.py`` (what ``make portal`` runs).

``streamlit run portal/app.py`` works too, but loads the models only when the first visitor
arrives, so the first answer after a start took 2-3 s. Here Streamlit's ASGI app (``st.App``)
starts the warm-up (models, index, one question per language: ``resources.warm_up``) when the
server starts, and ``/_stcore/health`` answers 503 until it is done: a load balancer sends no
customer to a cold process, and the first answer after the health check is as fast as any other.
"""
from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.responses import PlainTextResponse

# `portal` imports as the installed project (pip install -e ., done by make setup), though
# `streamlit run` starts the script in portal/.

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
HEALTH = "/_stcore/health"
_warm = None  # the warm-up's event, once the server has started it


class ColdHealth:
    """ASGI middleware: the health check says "warming up" (503) until the warm-up is done."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].endswith(HEALTH) and not (_warm and _warm.is_set()):
            await PlainTextResponse("warming up", status_code=503)(scope, receive, send)
            return
        await self.app(scope, receive, send)


@asynccontextmanager
async def lifespan(app):
    global _warm
    from portal import resources
    resources.quiet_libraries()
    _warm = await asyncio.to_thread(resources.warm_up)
    yield


def _middleware():
    from starlette.middleware import Middleware
    return [Middleware(ColdHealth)]


app = st.App(str(Path(__file__).resolve().parent / "app.py"), lifespan=lifespan, middleware=_middleware())
