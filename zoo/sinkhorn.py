"""Kept importable for callers written before ``zoo.ot`` (train/otgan.py): OT-GAN's transport lives there."""

from .ot import sinkhorn_distance, sinkhorn_plan

__all__ = ["sinkhorn_distance", "sinkhorn_plan"]
