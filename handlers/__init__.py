"""Telegram handlers, one module per concern; `register` wires them all into an Application."""

from __future__ import annotations

from telegram.ext import Application

from handlers import help, invites, language, members, onboarding, rota, shifts, system


def register(application: Application) -> None:  # type: ignore[type-arg]
    for module in (system, onboarding, help, language, invites, members, rota, shifts):
        module.register(application)
    system.register_fallbacks(application)
