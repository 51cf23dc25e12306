"""zoo.latent: known answers for the interpolations, walks, arithmetic and presets."""

from __future__ import annotations

import math

import pytest
import torch

from zoo import latent
from zoo.models import DCGANGenerator

E1, E2 = torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0])


def test_lerp_midpoint_and_batch() -> None:
    a, b = torch.tensor([0.0, 2.0]), torch.tensor([4.0, -2.0])
    assert torch.equal(latent.lerp(a, b, 0.5), torch.tensor([2.0, 0.0]))
    path = latent.lerp(a, b, torch.tensor([0.0, 0.25, 1.0]))
    assert path.shape == (3, 2)
    assert torch.equal(path[1], torch.tensor([1.0, 1.0]))


def test_slerp_endpoints_and_orthogonal_midpoint() -> None:
    path = latent.slerp(E1, E2, torch.tensor([0.0, 0.5, 1.0]))
    torch.testing.assert_close(path[0], E1)
    torch.testing.assert_close(path[2], E2)
    torch.testing.assert_close(path[1], (E1 + E2) / math.sqrt(2))  # lerp would give (E1 + E2) / 2


def test_slerp_keeps_the_norm_of_equal_norm_vectors_where_lerp_shrinks_it() -> None:
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(100, generator=g), torch.randn(100, generator=g)
    b = b / b.norm() * a.norm()
    t = torch.linspace(0, 1, 11)
    torch.testing.assert_close(latent.slerp(a, b, t).norm(dim=1), a.norm().expand(11))
    assert latent.lerp(a, b, 0.5).norm() < 0.8 * a.norm()  # near-orthogonal in 100 dims: the chord dips inside


def test_slerp_of_parallel_vectors_falls_back_to_lerp() -> None:
    out = latent.slerp(E1, 3 * E1, torch.tensor([0.5]))
    torch.testing.assert_close(out[0], 2 * E1)
    assert torch.isfinite(out).all()


def test_interpolate_steps_modes_and_errors() -> None:
    path = latent.interpolate(E1, E2, 5, "lerp")
    assert path.shape == (5, 3)
    torch.testing.assert_close(path[2], torch.tensor([0.5, 0.5, 0.0]))
    assert not torch.allclose(latent.interpolate(E1, E2, 5, "slerp")[2], path[2])
    with pytest.raises(ValueError, match="steps"):
        latent.interpolate(E1, E2, 1)
    with pytest.raises(ValueError, match="mode"):
        latent.interpolate(E1, E2, 4, "cubic")


def test_walk_through_three_latents_keeps_shared_endpoints_once() -> None:
    zs = torch.stack([E1, E2, -E1])
    path = latent.walk(zs, steps_per_segment=4, mode="lerp")
    assert path.shape == (2 * 3 + 1, 3)
    torch.testing.assert_close(path[0], E1)
    torch.testing.assert_close(path[3], E2)  # the middle latent, visited once
    torch.testing.assert_close(path[-1], -E1)
    assert torch.equal(latent.walk(zs[:2], 6), latent.interpolate(E1, E2, 6))
    with pytest.raises(ValueError, match="two latents"):
        latent.walk(zs[:1], 4)


def test_direction_walk_is_centred_and_uses_a_unit_direction() -> None:
    z = torch.tensor([1.0, 1.0, 1.0])
    path = latent.direction_walk(z, torch.tensor([0.0, 0.0, 5.0]), span=2.0, steps=5)
    torch.testing.assert_close(path[:, 2], torch.tensor([-1.0, 0.0, 1.0, 2.0, 3.0]))
    torch.testing.assert_close(path[:, :2], torch.ones(5, 2))


def test_directions() -> None:
    r = latent.random_direction(50, seed=3)
    torch.testing.assert_close(r.norm(), torch.tensor(1.0))
    assert torch.equal(r, latent.random_direction(50, seed=3))
    assert not torch.equal(r, latent.random_direction(50, seed=4))
    assert torch.equal(latent.axis_direction(4, 2), torch.tensor([0.0, 0.0, 1.0, 0.0]))
    with pytest.raises(ValueError):
        latent.axis_direction(4, 4)


def test_vector_arithmetic_averages_each_group() -> None:
    za = torch.tensor([[1.0, 0.0], [3.0, 0.0], [2.0, 3.0]])  # mean (2, 1)
    zb = torch.tensor([[0.0, 1.0], [0.0, 3.0]])  # mean (0, 2)
    zc = torch.tensor([5.0, 5.0])  # a single vector is a group of one
    assert torch.equal(latent.vector_arithmetic(za, zb, zc), torch.tensor([7.0, 4.0]))
    with pytest.raises(ValueError, match="at least one"):
        latent.vector_arithmetic(za, zb[:0], zc)


def test_seed_latents_match_the_generators_own_latents() -> None:
    g = DCGANGenerator(latent_dim=8, width=4)
    z = latent.seed_latents(g, [5, 7])
    assert torch.equal(z[0], g.latent(1, 5)[0]) and torch.equal(z[1], g.latent(1, 7)[0])


def _digits_with_ink(levels: list[float]) -> torch.Tensor:
    """Images whose ink grows with the level: the first k columns lit, k ∝ level."""
    x = -torch.ones(len(levels), 1, 28, 28)
    for i, level in enumerate(levels):
        x[i, :, :, : max(1, int(level * 28))] = 1.0
    return x


def test_thickness_preset_with_labels_picks_thick_and_thin_of_one_digit_and_thin_of_another() -> None:
    levels = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9, 0.15, 0.25, 0.35, 0.5]
    labels = [4, 4, 4, 4, 4, 4, 7, 7, 7, 1]
    groups, text = latent.thickness_preset(_digits_with_ink(levels), labels, n=3)
    assert groups == {"A": [5, 4, 3], "B": [0, 1, 2], "C": [6, 7, 8]}
    assert text == "thick 4 − thin 4 + thin 7 ≈ thick 7"


def test_thickness_preset_without_labels_uses_ink_alone() -> None:
    levels = [0.9, 0.1, 0.5, 0.2, 0.8, 0.4, 0.3, 0.7, 0.6]
    groups, _ = latent.thickness_preset(_digits_with_ink(levels), None, n=3)
    assert groups["A"] == [0, 4, 7] and groups["B"] == [1, 3, 6]
    assert set(groups["C"]).isdisjoint(groups["A"] + groups["B"])
    with pytest.raises(ValueError, match="at least 9"):
        latent.thickness_preset(_digits_with_ink(levels[:8]), None, n=3)


def test_walk_frames_pool_and_arithmetic_decode_what_the_views_show() -> None:
    torch.manual_seed(0)
    g = DCGANGenerator(latent_dim=8, width=4).eval()
    frames = latent.walk_frames(g, [0, 1, 2], 5)
    assert frames.shape == (9, 1, 28, 28)
    assert torch.equal(frames, g.decode(latent.walk(latent.seed_latents(g, [0, 1, 2]), 5, "slerp")))
    moved = latent.direction_frames(g, 3, latent.axis_direction(8, 0), 2.0, 4)
    assert moved.shape == (4, 1, 28, 28)
    pool = latent.sample_pool(g, seed=5, n=12)
    assert torch.equal(pool.z, g.latent(12, 5)) and pool.readings is None
    assert sorted(pool.preset) == ["A", "B", "C"] and pool.description.startswith("thickest")
    decoded = latent.arithmetic(g, pool.z, [pool.preset[k] for k in "ABC"])
    z = [pool.z[pool.preset[k]] for k in "ABC"]
    assert torch.equal(decoded, g.decode(latent.arithmetic_terms(*z)))


# --- bounds: what a view may ask for (issue 13) ---


def test_seeds_are_checked_to_the_generators_range() -> None:
    assert latent.check_seed(0) == 0 and latent.check_seed(latent.MAX_SEED) == 2**64 - 1
    assert latent.check_seed(3.0) == 3
    for bad in (2**64, 2**70, -1, 3.5, float("nan"), float("inf"), True, "3", None):
        with pytest.raises(latent.LatentInputError, match="whole numbers from 0 to 18,446,744,073,709,551,615"):
            latent.check_seed(bad)
    g = DCGANGenerator(latent_dim=8, width=4).eval()
    with pytest.raises(latent.LatentInputError, match=r"got 18446744073709551616"):  # was: "Overflow when unpacking"
        latent.walk_frames(g, [0, 2**64], 4)
    with pytest.raises(latent.LatentInputError):
        latent.sample_pool(g, seed=-3, n=12)
    assert torch.equal(latent.seed_latents(g, [latent.MAX_SEED]), g.latent(1, 2**64 - 1))


def test_walks_are_capped_before_anything_is_decoded(monkeypatch) -> None:
    g = DCGANGenerator(latent_dim=8, width=4).eval()
    monkeypatch.setattr(g, "decode", lambda z: pytest.fail("decoded a walk that should have been refused"))
    assert latent.walk_length(3, 32) == 63 and latent.walk_length(5, 32) == latent.MAX_FRAMES - 3
    with pytest.raises(latent.LatentInputError, match="60 seeds at 32 frames per leg make 1830 frames; the limit is"):
        latent.walk_frames(g, list(range(60)), 32)
    with pytest.raises(latent.LatentInputError, match="at least 2 seeds"):
        latent.walk_frames(g, [7], 16)
    with pytest.raises(latent.LatentInputError, match="Frames per leg"):
        latent.walk_frames(g, [0, 1], 1)
    with pytest.raises(latent.LatentInputError, match="Interpolation must be one of slerp, lerp"):
        latent.walk_frames(g, [0, 1], 4, "cubic")
    with pytest.raises(latent.LatentInputError, match="2 to 128 frames"):
        latent.direction_frames(g, 0, latent.axis_direction(8, 0), 3.0, 10_000)
    with pytest.raises(latent.LatentInputError, match="finite"):
        latent.direction_frames(g, 0, latent.axis_direction(8, 0), float("inf"), 8)
    assert issubclass(latent.LatentInputError, ValueError)  # the pages' `except ValueError` shows its message


# --- the views, rendered (issue 14) ------------------------------------------------------------------------


def _png(data: bytes):
    import io

    from PIL import Image

    return Image.open(io.BytesIO(data))


def test_walk_view_wraps_frames_into_rows_of_readable_frames_and_offers_a_large_gif() -> None:
    """3 seeds × 32 frames made one 63-frame strip of 15-pixel frames on a page; now rows of 56-pixel frames."""
    generator = DCGANGenerator(latent_dim=8, width=4).eval()
    view = latent.walk_view(generator, [0, 1, 2], 32, "slerp", gif_px=224)
    assert view.frames == 63 and view.per_row == 16
    strip = _png(view.strip)
    rows = math.ceil(63 / 16)
    assert strip.size == (2 * (16 * 30 + 2), 2 * (rows * 30 + 2))
    assert strip.size[0] / view.per_row >= 48 + 4  # a frame and its border, at least 48 pixels of digit
    assert view.caption == "63 frames through seeds [0, 1, 2] (slerp, 4 rows of 16)"
    with _png(view.gif) as gif:
        assert gif.size == (224, 224) and gif.n_frames > 63  # there and back
    assert _png(latent.walk_view(generator, [0, 1], 4, "lerp", gif_px=112).gif).size == (112, 112)
    with pytest.raises(latent.LatentInputError, match="112 or 224"):
        latent.walk_view(generator, [0, 1], 4, "lerp", gif_px=1000)


class _FixedReader(torch.nn.Module):
    """Reads every image of a batch of ``len(digits)`` as ``digits`` (one-hot logits), for known intents."""

    def __init__(self, by_batch: dict[int, list[int]]) -> None:
        super().__init__()
        self.by_batch = by_batch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.one_hot(torch.tensor(self.by_batch[len(x)]), 10).float() * 20


def test_arithmetic_view_has_four_equal_tiles_and_says_when_the_result_misses_the_intent() -> None:
    """wgan, seed 3: the preset's "thick 3" read as 9 and nothing said so."""
    generator = DCGANGenerator(latent_dim=8, width=4).eval()
    pool = [7] * latent.POOL
    pool[10] = pool[11] = 3  # group C reads 3: the result should too
    groups = [[0, 1], [2, 3], [10, 11]]
    missed = latent.arithmetic_view(generator, 0, groups, _FixedReader({64: pool, 4: [7, 7, 3, 9]}))
    assert missed.intended == 3 and "reads as 9, not the 3 that C asks for" in missed.message
    picture = _png(missed.picture)
    assert picture.size[0] == 4 * 140 + 3 * 4  # four tiles of one size (5×), whatever their captions
    kept = latent.arithmetic_view(generator, 0, groups, _FixedReader({64: pool, 4: [7, 7, 3, 3]}))
    assert kept.intended == 3 and kept.message == "" and kept.readings[3].digit == 3
    assert [row["group"] for row in kept.latents] == ["A", "A", "B", "B", "C", "C"]
    known = latent.arithmetic_view(generator, 0, groups, _FixedReader({4: [7, 7, 3, 9]}), digits=pool)
    assert known.intended == 3 and known.message  # the pool's readings given: it is not read again
    unread = latent.arithmetic_view(generator, 0, groups)
    assert unread.readings is None and unread.intended is None and unread.message == ""
    with pytest.raises(latent.LatentInputError, match="0 to 63"):
        latent.arithmetic_view(generator, 0, [[0], [64], [1]])


def test_intended_digit_needs_a_and_b_to_read_alike() -> None:
    digits = [1, 1, 1, 2, 5, 5]
    assert latent.intended_digit(digits, [[0, 1], [2], [4, 5]]) == 5
    assert latent.intended_digit(digits, [[0], [3], [4]]) is None  # A is a 1, B a 2: no digit is asked for


def test_pool_view_numbers_every_sample() -> None:
    generator = DCGANGenerator(latent_dim=8, width=4).eval()
    view = latent.pool_view(generator, 0)
    assert view.digits is None and set(view.preset) == {"A", "B", "C"}
    assert _png(view.picture).size[0] == 8 * (56 + 4) - 4  # 8 numbered tiles a row, at 2×
