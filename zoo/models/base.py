"""What every shipped model shares: a self-describing folder (config.json + model.safetensors) and strict loading.

Built on ``huggingface_hub.PyTorchModelHubMixin`` so that a model folder is also a Hub repository. Two things
differ from the mixin's defaults, on purpose: loading is strict (the mixin ignores missing or unexpected weights
by default) and reads safetensors only (no pickle fallback), and ``config.json`` records the architecture name
(``arch``) so that :func:`zoo.load` can rebuild the right class from a folder alone. Folders are untrusted
input: config.json is checked against the weights file's header before anything is allocated, and weights
holding NaN or infinity are refused.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import torch
from huggingface_hub import PyTorchModelHubMixin
from huggingface_hub.constants import SAFETENSORS_SINGLE_FILE
from torch import nn

ARCHITECTURES: dict[str, type[ZooModel]] = {}  # config.json's "arch" → class; filled as the classes are defined
KINDS = ("generator", "translator", "classifier", "discriminator")


REPO_URL = "https://github.com/gan-zoo/gan-zoo"
PAPERS = {  # an architecture family (config.json's arch up to its first "-") → the paper it implements
    "basic": "https://arxiv.org/abs/1406.2661",  # Goodfellow et al., 2014
    "dcgan": "https://arxiv.org/abs/1511.06434",  # Radford et al., 2016
    "wgan": "https://arxiv.org/abs/1701.07875",  # Arjovsky et al., 2017
    "otgan": "https://arxiv.org/abs/1803.05573",  # Salimans et al., 2018
    "cyclegan": "https://arxiv.org/abs/1703.10593",  # Zhu et al., 2017
}
# The card save_pretrained writes into a folder that has none yet (a training run's export): the Hub mixin's own
# template would say "Paper: [More Information Needed]". ``python -m zoo.evaluate`` replaces it with the full card.
PLACEHOLDER_CARD = """
---
{{ card_data }}
---

A model folder of the [GAN Zoo]({{ repo_url }}): `zoo.load("path/to/this/folder")` loads it.

- Code: {{ repo_url }}
- Paper: {{ paper_url | default("none (one of the zoo's own measuring instruments)", true) }}
- Docs: {{ docs_url }}

Measure it with `python -m zoo.evaluate` to write the full card (figures, training command, samples).
"""


class ModelLoadError(RuntimeError):
    """A model folder is missing, corrupt, or does not match its config; the message names the file."""


class ZooModel(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="gan-zoo",
    license="mit",
    tags=["gan", "mnist", "gan-zoo"],
    repo_url=REPO_URL,
    docs_url=f"{REPO_URL}#readme",
    model_card_template=PLACEHOLDER_CARD,
):
    """Base of every model that ``zoo.load`` returns. Subclasses set ``arch`` and get registered.

    ``kind`` (one of ``KINDS``) is what the apps and the evaluator do with a model; it belongs to the class, so a
    folder's kind follows from its config.json's ``arch`` alone.

    ``objective_fields`` name the config entries that record how the model was trained rather than what network
    it is (CycleGAN's loss weights): a fine-tune may change them and still load the weights.
    """

    arch: str = ""
    kind: str = ""
    objective_fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)  # the mixin gives each class its own card settings
        if cls.arch:
            ARCHITECTURES[cls.arch] = cls
            cls._hub_mixin_info.paper_url = PAPERS.get(cls.arch.split("-")[0])

    def save_pretrained(self, save_directory: str | os.PathLike, **kwargs: Any) -> None:  # type: ignore[override]
        config = dict(kwargs.pop("config", None) or self._hub_mixin_config or {})
        config["arch"] = self.arch
        super().save_pretrained(save_directory, config=config, **kwargs)

    @property
    def device(self) -> torch.device:
        """Where the weights are: inputs are moved here, so callers may pass CPU tensors."""
        return next(self.parameters()).device

    @classmethod
    def _from_pretrained(  # type: ignore[override]
        cls,
        *,
        model_id: str,
        revision: str | None,
        cache_dir: str | Path | None,
        force_download: bool,
        local_files_only: bool,
        token: str | bool | None,
        map_location: str = "cpu",
        strict: bool = True,
        **model_kwargs: Any,
    ) -> ZooModel:
        """Check config.json against the weights file's header, then build and load.

        A folder may come from anyone (a download, the Hub), so nothing is allocated before the file says the
        config is honest: the model is first built on the meta device (no memory), its tensor shapes compared
        with the safetensors header, and only then built for real, at the size the file proves.
        """
        if os.path.isdir(model_id):
            model_file = os.path.join(model_id, SAFETENSORS_SINGLE_FILE)
        else:
            from huggingface_hub import hf_hub_download

            model_file = hf_hub_download(
                repo_id=model_id,
                filename=SAFETENSORS_SINGLE_FILE,
                revision=revision,
                cache_dir=cache_dir,
                force_download=force_download,
                token=token,
                local_files_only=local_files_only,
            )
        header = header_shapes(model_file)
        skeleton = _build(cls, model_kwargs, model_id, device="meta")
        _check_shapes(_shapes(skeleton.state_dict()), header, model_file, strict)
        model = _build(cls, model_kwargs, model_id)
        load_weights(model, model_file, strict=strict)
        return model.to(map_location)


def _build(cls: type[ZooModel], kwargs: dict[str, Any], model_id: str, device: str | None = None) -> ZooModel:
    """``cls(**kwargs)``; a config the constructor rejects (wrong type, negative size…) is a ModelLoadError."""
    try:
        with torch.device(device) if device else contextlib.nullcontext():
            return cls(**kwargs)
    except (TypeError, ValueError, RuntimeError, OverflowError, ZeroDivisionError) as err:
        raise ModelLoadError(f"The config.json of {model_id} does not describe a valid {cls.__name__}: {err}") from err


def header_shapes(model_file: str | os.PathLike) -> dict[str, tuple[int, ...]]:
    """Tensor name → shape, from the safetensors header alone (no tensor data is read)."""
    from safetensors import SafetensorError, safe_open

    if not os.path.isfile(model_file):
        raise ModelLoadError(f"Weights file not found: {model_file}")
    try:
        with safe_open(str(model_file), framework="pt", device="cpu") as f:
            return {key: tuple(f.get_slice(key).get_shape()) for key in f.keys()}  # noqa: SIM118 - not a dict
    except (SafetensorError, OSError, ValueError) as err:
        raise ModelLoadError(f"Corrupt or truncated weights file {model_file}: {err}") from err


def _shapes(state: dict[str, torch.Tensor]) -> dict[str, tuple[int, ...]]:
    return {key: tuple(t.shape) for key, t in state.items()}


def _check_shapes(
    expected: dict[str, tuple[int, ...]], found: dict[str, tuple[int, ...]], model_file: str | os.PathLike, strict: bool
) -> None:
    """Raise a ModelLoadError listing missing, unexpected and mis-shaped tensors (the first few of each)."""
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    wrong_shape = [f"{k}: file {found[k]} vs model {v}" for k, v in expected.items() if k in found and found[k] != v]
    if wrong_shape or (strict and (missing or unexpected)):
        details = []
        if missing:
            details.append(f"missing {missing[:5]}{' …' if len(missing) > 5 else ''}")
        if unexpected:
            details.append(f"unexpected {unexpected[:5]}{' …' if len(unexpected) > 5 else ''}")
        if wrong_shape:
            details.append(f"shape mismatch {wrong_shape[:3]}{' …' if len(wrong_shape) > 3 else ''}")
        raise ModelLoadError(
            f"Weights in {model_file} do not match the architecture in its config.json ({'; '.join(details)})."
        )


def load_weights(model: nn.Module, model_file: str | os.PathLike, strict: bool = True) -> None:
    """Load safetensors weights into ``model``; every failure names the file and says what is wrong.

    Non-finite weights are refused: a run that diverged exports NaNs that would load silently and draw blank
    or noisy digits on every page.
    """
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    if not os.path.isfile(model_file):
        raise ModelLoadError(f"Weights file not found: {model_file}")
    try:
        state = load_file(str(model_file), device="cpu")
    except (SafetensorError, OSError, ValueError) as err:
        raise ModelLoadError(f"Corrupt or truncated weights file {model_file}: {err}") from err
    _check_shapes(_shapes(model.state_dict()), _shapes(state), model_file, strict)
    non_finite = [k for k, t in state.items() if t.is_floating_point() and not bool(torch.isfinite(t).all())]
    if non_finite:
        raise ModelLoadError(
            f"Weights in {model_file} contain NaN or infinite values ({', '.join(non_finite[:3])}"
            f"{' …' if len(non_finite) > 3 else ''}): the run that wrote them diverged."
        )
    model.load_state_dict(state, strict=strict)


class Generator(ZooModel):
    """An unconditional generator: z ~ N(0, I) of ``latent_dim`` → N×1×28×28 in [-1, 1]."""

    kind = "generator"
    latent_dim: int

    def latent(self, n: int, seed: int | None = None, truncation: float | None = None) -> torch.Tensor:
        """n latent vectors; the same seed gives the same vectors on every device.

        ``truncation`` is BigGAN's truncation trick (Brock et al. 2019): every coordinate is drawn from N(0, 1)
        restricted to [-truncation, truncation], trading variety for latents nearer the prior's centre. It is a way
        of sampling, not the model: figures measured with it are reported apart (``zoo.evaluate --truncation``).
        """
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        if truncation is None:
            return torch.randn(n, self.latent_dim, generator=gen).to(self.device)
        check_truncation(truncation)
        z = torch.empty(n, self.latent_dim)
        return nn.init.trunc_normal_(z, a=-truncation, b=truncation, generator=gen).to(self.device)

    @torch.no_grad()
    def sample(self, n: int, seed: int | None = None, truncation: float | None = None) -> torch.Tensor:
        return self.decode(self.latent(n, seed, truncation))

    @torch.no_grad()
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Images for given latents, without gradients (the UIs' entry point)."""
        return self(z.to(self.device))


def check_truncation(truncation: float) -> float:
    """A truncation threshold is a positive, finite number of standard deviations (ValueError otherwise)."""
    if isinstance(truncation, bool) or not isinstance(truncation, int | float) or not 0 < truncation < float("inf"):
        raise ValueError(f"truncation must be a positive number of standard deviations, not {truncation!r}")
    return float(truncation)


def init_weights(module: nn.Module) -> None:
    """The one initialisation of the papers' reference code, for ``model.apply(init_weights)``.

    DCGAN (Radford et al.) and CycleGAN's reference implementation both draw conv and linear weights from
    N(0, 0.02) with zero biases, and batch-norm scales from N(1, 0.02); instance norm (no affine parameters)
    is left alone. A class embedding (a linear map of one-hot classes) is drawn as a linear layer is.
    """
    if isinstance(module, nn.Conv2d | nn.ConvTranspose2d | nn.Linear | nn.Embedding):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if getattr(module, "bias", None) is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d | nn.BatchNorm1d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)
