"""Train CycleGAN (Zhu et al. 2017) for unpaired MNIST ↔ USPS translation.

As in the reference implementation (junyanz/pytorch-CycleGAN-and-pix2pix): least-squares adversarial losses
(the discriminators' loss halved), cycle-consistency L1 weighted by λ, identity L1 weighted by 0.5·λ by
default, discriminators frozen during the generators' step, a history pool of 50 generated images per
discriminator (once full, each query returns an old image half of the time), Adam 2e-4 with β1 0.5, and a
learning rate that decays linearly to zero over the second half of training. Labels are never used.

    python -m train.cyclegan --out runs/cyclegan-lambda10 --lambda-cycle 10
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
import torch.nn.functional as F

from train.common import mnist_train, usps_train
from train.loop import Draw, Recipe, Runtime, main, positive_float, positive_int, set_requires_grad
from zoo.models import CycleGAN, PatchDiscriminator


class ImagePool:
    """A history of generated images: the discriminator sees older fakes too, which damps oscillation."""

    def __init__(self, size: int = 50):
        self.size = size
        self.images: torch.Tensor | None = None
        self.count = 0

    def query(self, images: torch.Tensor) -> torch.Tensor:
        if self.size == 0:
            return images
        if self.images is None:
            self.images = torch.empty((self.size, *images.shape[1:]), dtype=images.dtype, device=images.device)
        out = []
        for image in images.detach():
            if self.count < self.size:
                self.images[self.count] = image
                self.count += 1
                out.append(image)
            elif torch.rand(()) < 0.5:
                idx = int(torch.randint(self.size, ()))
                out.append(self.images[idx].clone())
                self.images[idx] = image
            else:
                out.append(image)
        return torch.stack(out)

    def state_dict(self) -> dict:
        return {"images": self.images if self.images is not None else torch.empty(0), "count": self.count}

    def load_state_dict(self, state: dict) -> None:
        self.images = state["images"] if state["images"].numel() else None
        self.count = state["count"]


def linear_decay(total_steps: int):
    """Learning-rate factor: 1 for the first half, then linearly down to ~0 at the last step."""
    half = total_steps // 2

    def factor(step: int) -> float:
        return 1.0 - max(0, step - half) / (total_steps - half + 1)

    return factor


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("model")
    g.add_argument("--lambda-cycle", type=float, default=10.0, help="weight λ of the cycle-consistency loss")
    g.add_argument("--lambda-identity", type=float, default=None, help="identity-loss weight (default 0.5·λ)")
    g.add_argument("--pool-size", type=int, default=50, help="generated images kept per discriminator")
    g.add_argument("--lr", type=positive_float, default=2e-4, help="Adam learning rate")
    g.add_argument("--beta1", type=float, default=0.5, help="Adam β1")
    g.add_argument("--g-width", type=positive_int, default=16, help="generator channels at 28×28")
    g.add_argument("--n-blocks", type=positive_int, default=4, help="residual blocks in the generators' trunk")
    g.add_argument("--n-down", type=int, choices=[1, 2], default=2, help="downsamplings before the trunk")
    g.add_argument("--d-width", type=positive_int, default=32, help="discriminator channels")
    g.add_argument("--d-strided", type=int, choices=[1, 2], default=2, help="1: 12×12 patches, 2: 26×26 patches")


def build(args: argparse.Namespace, rt: Runtime) -> Recipe:
    if args.lambda_cycle < 0 or (args.lambda_identity is not None and args.lambda_identity < 0):
        raise SystemExit("error: --lambda-cycle and --lambda-identity must be >= 0")
    lambda_id = 0.5 * args.lambda_cycle if args.lambda_identity is None else args.lambda_identity
    mnist, usps = mnist_train(args), usps_train(args)
    model = CycleGAN(args.g_width, args.n_blocks, args.lambda_cycle, args.n_down).to(rt.device)
    d_usps = PatchDiscriminator(args.d_width, args.d_strided).to(rt.device)
    d_mnist = PatchDiscriminator(args.d_width, args.d_strided).to(rt.device)
    g_train, f_train = rt.wrap(model.g_mnist_to_usps), rt.wrap(model.f_usps_to_mnist)
    d_usps_train, d_mnist_train = rt.wrap(d_usps), rt.wrap(d_mnist)
    opt_g = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(args.beta1, 0.999))
    opt_d = torch.optim.Adam([*d_usps.parameters(), *d_mnist.parameters()], lr=args.lr, betas=(args.beta1, 0.999))
    decay = linear_decay(args.steps)
    schedulers = {
        "generators": torch.optim.lr_scheduler.LambdaLR(opt_g, decay),
        "discriminators": torch.optim.lr_scheduler.LambdaLR(opt_d, decay),
    }
    pool_usps, pool_mnist = ImagePool(args.pool_size), ImagePool(args.pool_size)
    preview_x, preview_y = mnist[0][:8].to(rt.device), usps[0][:8].to(rt.device)

    def gan_loss(scores: torch.Tensor, real: bool) -> torch.Tensor:
        return F.mse_loss(scores, torch.full_like(scores, float(real)))

    def step(i: int, draw: Draw) -> dict[str, float]:
        (x, _), (y, _) = draw()  # x: MNIST, y: USPS; labels unused (unpaired)
        n = min(len(x), len(y))
        x, y = x[:n], y[:n]

        set_requires_grad(d_usps, False)
        set_requires_grad(d_mnist, False)
        opt_g.zero_grad(set_to_none=True)
        fake_y, fake_x = g_train(x), f_train(y)
        rec_x, rec_y = f_train(fake_y), g_train(fake_x)
        adv = gan_loss(d_usps(fake_y), True) + gan_loss(d_mnist(fake_x), True)
        cycle = F.l1_loss(rec_x, x) + F.l1_loss(rec_y, y)
        identity = F.l1_loss(g_train(y), y) + F.l1_loss(f_train(x), x) if lambda_id > 0 else torch.zeros(())
        loss_g = adv + args.lambda_cycle * cycle + lambda_id * identity
        loss_g.backward()
        opt_g.step()
        set_requires_grad(d_usps, True)
        set_requires_grad(d_mnist, True)

        opt_d.zero_grad(set_to_none=True)
        old_y, old_x = pool_usps.query(fake_y.detach()), pool_mnist.query(fake_x.detach())
        loss_d_usps = 0.5 * (gan_loss(d_usps_train(y), True) + gan_loss(d_usps_train(old_y), False))
        loss_d_mnist = 0.5 * (gan_loss(d_mnist_train(x), True) + gan_loss(d_mnist_train(old_x), False))
        (loss_d_usps + loss_d_mnist).backward()
        opt_d.step()
        return {
            "loss_g": loss_g.item(),
            "adversarial": adv.item(),
            "cycle": cycle.item(),
            "identity": identity.item(),
            "loss_d_usps": loss_d_usps.item(),
            "loss_d_mnist": loss_d_mnist.item(),
        }

    def preview(m: CycleGAN) -> torch.Tensor:
        g, f = m.g_mnist_to_usps, m.f_usps_to_mnist
        return torch.cat([preview_x, g(preview_x), f(g(preview_x)), preview_y, f(preview_y), g(f(preview_y))])

    return Recipe(
        nets={"cyclegan": model, "d_usps": d_usps, "d_mnist": d_mnist},
        optimizers={"generators": opt_g, "discriminators": opt_d},
        schedulers=schedulers,
        state={"pool_usps": pool_usps, "pool_mnist": pool_mnist},
        step=step,
        export_net="cyclegan",
        datasets=[mnist, usps],
        preview=preview,
        preview_rows=8,
    )


DEFAULTS = {"steps": 3000, "batch_size": 32}


def cli(argv: list[str] | None = None) -> Path:
    """``python -m train.cyclegan``; returns the exported model folder."""
    return main(__doc__, add_arguments, build, argv, module=__spec__.name, **DEFAULTS)


if __name__ == "__main__":
    cli()
