from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """The worker's proof of life, read by /healthz and /metrics."""

    name = models.CharField(max_length=64, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at.isoformat()}"
