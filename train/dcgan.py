"""Train DCGAN (Radford et al. 2016) on MNIST.

The baseline GAN's game (train/basic.py) with the paper's convolutional networks and settings: Adam lr 2e-4,
β1 0.5, weights N(0, 0.02), batch 128. D maximises log D(x) + log(1 − D(G(z))); G maximises log D(G(z)).

    python -m train.dcgan --out runs/dcgan
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
import torch.nn.functional as F

from train.cli import add_gan_arguments, add_top_k_arguments, main, positive_int
from train.common import decay_schedulers, fixed_latents, mnist_train, most_real, top_k_schedule
from train.loop import Draw, Recipe, Runtime, discriminator_lr, set_requires_grad
from zoo.models import DCGANDiscriminator, DCGANGenerator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = add_gan_arguments(parser, lr=2e-4, ema=0.999)
    g.add_argument("--g-width", type=positive_int, default=32, help="generator channels (×8, ×4, ×2)")
    g.add_argument("--g-layers", type=int, choices=[3, 4], default=4, help="generator up-convolutions")
    g.add_argument("--d-width", type=positive_int, default=64, help="discriminator channels (×1, ×2)")
    g.add_argument(
        "--d-layers",
        type=int,
        choices=[2, 3],
        default=2,
        help="discriminator stride-2 convolutions (3 adds one of 4·width channels)",
    )
    add_top_k_arguments(g)


def build(args: argparse.Namespace, rt: Runtime) -> Recipe:
    images, labels = mnist_train(args)
    gen = DCGANGenerator(args.latent_dim, args.g_width, args.g_layers).to(rt.device)
    disc = DCGANDiscriminator(args.d_width, layers=args.d_layers).to(rt.device)
    gen_train, disc_train = rt.wrap(gen), rt.wrap(disc)
    opt_g = torch.optim.Adam(gen.parameters(), lr=args.lr, betas=(args.beta1, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=discriminator_lr(args), betas=(args.beta1, 0.999))
    preview_z = fixed_latents(64, gen.latent_dim, rt.device)
    top_k = top_k_schedule(args, len(images))

    def step(i: int, draw: Draw) -> dict[str, float]:
        ((real, _),) = draw()
        z = torch.randn(len(real), gen.latent_dim, device=rt.device)

        # D: maximise log D(x) + log(1 − D(G(z)))
        opt_d.zero_grad(set_to_none=True)
        with rt.autocast():
            fake = gen_train(z)
            d_real, d_fake = disc_train(real), disc_train(fake.detach())
            loss_d = F.binary_cross_entropy_with_logits(
                d_real, torch.ones_like(d_real)
            ) + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
        loss_d.backward()
        opt_d.step()

        # G: maximise log D(G(z)) (the non-saturating loss) over the samples D rates most real (all of them
        # unless --top-k-decay), D frozen
        set_requires_grad(disc, False)
        opt_g.zero_grad(set_to_none=True)
        with rt.autocast():
            d_gen = most_real(disc(fake), top_k(i))
            loss_g = F.binary_cross_entropy_with_logits(d_gen, torch.ones_like(d_gen))
        loss_g.backward()
        opt_g.step()
        set_requires_grad(disc, True)
        return {
            "loss_d": loss_d.item(),
            "loss_g": loss_g.item(),
            "d_real": torch.sigmoid(d_real.float()).mean().item(),
            "d_fake": torch.sigmoid(d_fake.float()).mean().item(),
        }

    optimizers = {"generator": opt_g, "discriminator": opt_d}
    return Recipe(
        nets={"generator": gen, "discriminator": disc},
        optimizers=optimizers,
        schedulers=decay_schedulers(args, optimizers),
        step=step,
        export_net="generator",
        discriminator="discriminator",
        ema=args.ema,
        datasets=[(images, labels)],
        preview=lambda g: g(preview_z),
    )


# The shipped dcgan's recipe, so that `python -m train.dcgan --out DIR` remakes it. bf16 autocast: 1.8x the images/s of
# fp32 on a Zen 4 CPU (AVX-512 BF16) and the same quality at equal steps (IS 6.40 vs 6.36, FD 22.1 vs 22.3 at step
# 2,000; benchmarks/time_to_quality.py --every-steps 500); "auto" takes bf16 only where the hardware has it (emulated
# bf16 is ~20x slower than fp32), fp32 elsewhere. A three-layer discriminator, 15,000 steps at a constant rate, then
# 15,000 decaying to 0: IS 8.96, Fréchet 1.25 (the two-layer discriminator's 80,000 steps: 8.77 / 2.09); with D at twice
# G's rate (two time-scale, --lr-d 4e-4): 9.02 / 1.05 (D at half G's rate: 8.86 / 1.46).
DEFAULTS = {
    "steps": 30000,
    "lr_decay_from": 0.5,
    "d_layers": 3,
    "lr_d": 4e-4,
    "batch_size": 128,
    "precision": "auto",
}


def cli(argv: list[str] | None = None) -> Path:
    """``python -m train.dcgan``; returns the exported model folder."""
    return main(__doc__, add_arguments, build, argv, module=__spec__.name, **DEFAULTS)


if __name__ == "__main__":
    cli()
