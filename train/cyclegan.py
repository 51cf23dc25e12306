"""Train CycleGAN (Zhu et al. 2017) for unpaired MNIST ↔ USPS translation.

As in the reference implementation (junyanz/pytorch-CycleGAN-and-pix2pix): least-squares adversarial losses
(the discriminators' loss halved), cycle-consistency L1 weighted by λ, discriminators frozen during the
generators' step, a history pool of 50 generated images per discriminator (once full, each query returns an old
image half of the time), Adam 2e-4 with β1 0.5, and a learning rate that decays linearly to zero over the
second half of training. Labels are never used.

One departure, measured: no identity loss by default (the reference weighs it 0.5·λ; ``--lambda-identity``
sets it). MNIST centres a 20×20 digit in 28×28 while USPS fills its frame, so the identity map is wrong here
and pulling G towards it, harder as λ grows, cost labels: λ = 10 kept 81.4 % / 83.1 % of labels
(MNIST→USPS / USPS→MNIST) with identity 0.5·λ at 3,000 steps, and 95.8 % / 94.8 % without it at 10,000.

``--semantic-weight W`` adds CyCADA's semantic-consistency loss (Hoffman et al. 2018): a frozen MNIST
classifier (``--semantic-classifier``, never the evaluator's) must read G(x) as the MNIST label of x and F(y)
as its own reading of the USPS input y. The cycle loss alone cannot see a permutation of digits (G maps 7→9
and F 9→7 back); this loss can. Only MNIST labels are read; USPS labels never are. ``--semantic-pseudo
mnist-box`` names each USPS digit by the judges' reading of it shrunk into MNIST's 20×20 box, read once before
training: right for 99.3 % of USPS's training digits against 98.4 % as they are, so F is taught fewer wrong digits.
``--semantic-frame mnist-box`` has the judges read G(x) so framed too: full-frame, they misread 3–4.5 % of USPS's
4s, 7s and 9s (0.2–1.5 % boxed), so reading G(x) as drawn pulls G's 4s, 7s and 9s back towards MNIST's shapes.
``--d-conditional`` makes both discriminators class-conditional (projection): G's 5s must pass for USPS 5s, not
for USPS digits in general; the classes are MNIST's labels and the judges' names for USPS digits.

    python -m train.cyclegan --out runs/cyclegan-lambda10 --lambda-cycle 10
    python -m train.cyclegan --out runs/cyclegan-semantic --semantic-weight 1
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

import zoo
from train.cli import fraction, main, nonnegative_float, nonnegative_int, positive_float, positive_int, unit_float
from train.common import decay_schedulers, mnist_train, usps_train
from train.loop import Draw, Recipe, RunError, Runtime, set_requires_grad
from zoo import folder
from zoo.catalog import READERS
from zoo.data import in_mnist_box, random_affine
from zoo.models import CycleGAN, DigitClassifier, ModelLoadError, PatchDiscriminator


class ImagePool:
    """A history of generated images: the discriminator sees older fakes too, which damps oscillation.

    Each image keeps the class it was made as (its source's label or name), which a class-conditional
    discriminator reads beside it.
    """

    def __init__(self, size: int = 50):
        self.size = size
        self.images: torch.Tensor | None = None
        self.labels: torch.Tensor | None = None
        self.count = 0

    def query(self, images: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.size == 0:
            return images, labels
        if self.images is None or self.labels is None:
            self.images = torch.empty((self.size, *images.shape[1:]), dtype=images.dtype, device=images.device)
            self.labels = torch.full((self.size,), -1, dtype=labels.dtype, device=labels.device)
        out, out_labels = [], []
        for image, label in zip(images.detach(), labels, strict=True):
            if self.count < self.size:
                self.images[self.count], self.labels[self.count] = image, label
                self.count += 1
                out.append(image)
                out_labels.append(label)
            elif torch.rand(()) < 0.5:
                idx = int(torch.randint(self.size, ()))
                out.append(self.images[idx].clone())
                out_labels.append(self.labels[idx].clone())
                self.images[idx], self.labels[idx] = image, label
            else:
                out.append(image)
                out_labels.append(label)
        return torch.stack(out), torch.stack(out_labels)

    def state_dict(self) -> dict:
        empty = torch.empty(0)
        return {
            "images": self.images if self.images is not None else empty,
            "labels": self.labels if self.labels is not None else empty,
            "count": self.count,
        }

    def load_state_dict(self, state: dict) -> None:
        self.images = state["images"] if state["images"].numel() else None
        labels = state.get("labels")  # absent in checkpoints written before the pool kept classes
        if self.images is not None and (labels is None or not labels.numel()):
            labels = torch.full((len(self.images),), -1, dtype=torch.long, device=self.images.device)
        self.labels = labels if self.images is not None else None
        self.count = state["count"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("model")
    g.add_argument(
        "--lambda-cycle", type=nonnegative_float, default=10.0, help="weight λ of the cycle-consistency loss"
    )
    g.add_argument(
        "--lambda-identity", type=nonnegative_float, default=0.0, help="identity-loss weight (the reference: 0.5·λ)"
    )
    g.add_argument(
        "--semantic-weight",
        type=nonnegative_float,
        default=0.0,
        help="CyCADA's semantic-consistency loss weight (0 = off, the plain CycleGAN); uses MNIST labels only",
    )
    g.add_argument(
        "--semantic-classifier",
        nargs="+",
        default=["classifier-mnist-semantic"],
        help="frozen MNIST classifier(s) (names or folders) the semantic loss reads with, averaged; never the "
        "evaluator's",
    )
    g.add_argument(
        "--semantic-augment",
        action="store_true",
        help="the judges read randomly rotated, scaled and shifted translations, so that G must draw the digit "
        "rather than a pattern one network happens to read",
    )
    g.add_argument(
        "--semantic-pseudo",
        choices=list(PSEUDO_LABELS),
        default="as-is",
        help="what the judges read to name the USPS digit that F(y) must keep: y as it is, or y shrunk into "
        "MNIST's 20×20 box (read right more often)",
    )
    g.add_argument(
        "--semantic-frame",
        choices=list(PSEUDO_LABELS),
        default="as-is",
        help="how the judges read G(x): as drawn (full frame, USPS's framing), or shrunk into MNIST's 20×20 box, "
        "the framing they learnt",
    )
    g.add_argument("--pool-size", type=nonnegative_int, default=50, help="generated images kept per discriminator")
    g.add_argument("--lr", type=positive_float, default=2e-4, help="Adam learning rate")
    g.add_argument(
        "--lr-decay-from",
        type=fraction,
        default=0.5,
        help="the learning rates decay linearly to 0 from this fraction of --steps on (the reference: half way)",
    )
    g.add_argument("--beta1", type=unit_float, default=0.5, help="Adam β1")
    g.add_argument(
        "--ema",
        type=unit_float,
        default=0.0,
        help="decay of an average of both generators' weights, exported instead of the trained ones (0 = off, "
        "the reference); the average only watches, so training itself is unchanged",
    )
    g.add_argument("--g-width", type=positive_int, default=16, help="generator channels at 28×28")
    g.add_argument("--n-blocks", type=positive_int, default=4, help="residual blocks in the generators' trunk")
    g.add_argument("--n-down", type=int, choices=[1, 2], default=2, help="downsamplings before the trunk")
    g.add_argument("--d-width", type=positive_int, default=32, help="discriminator channels")
    g.add_argument("--d-strided", type=int, choices=[1, 2], default=2, help="1: 12×12 patches, 2: 26×26 patches")
    g.add_argument(
        "--d-conditional",
        action="store_true",
        help="class-conditional discriminators (projection): each judges a digit against real digits of its own "
        "class, named by MNIST labels and by the semantic judges' reading of USPS digits (needs --semantic-weight)",
    )


def frozen_classifier(name_or_path: str, device: torch.device) -> DigitClassifier:
    """The semantic loss's judge: an MNIST classifier that is not the evaluator's, frozen in eval mode.

    Measuring label preservation with the network the generators were optimised against would be circular,
    so the evaluator's classifier (``classifier-mnist``) is refused.
    """
    try:
        clf = zoo.load(name_or_path)
    except (ModelLoadError, FileNotFoundError) as err:
        raise RunError(f"--semantic-classifier {name_or_path}: {err}") from err
    if not isinstance(clf, DigitClassifier) or clf.domain != "mnist":
        raise RunError(f"--semantic-classifier {name_or_path} is not an MNIST classifier")
    reader = READERS["mnist"]
    evaluators = {folder.resolve(reader).resolve()} if reader in folder.list_models() else set()
    if folder.resolve(name_or_path).resolve() in evaluators:
        raise RunError(
            "--semantic-classifier must not be the evaluator's classifier-mnist (the metric would be "
            "circular); train another one: python -m train.classifier --domain mnist --width 16 --seed 1 …"
        )
    return clf.to(device).eval().requires_grad_(False)


PSEUDO_LABELS = ("as-is", "mnist-box")  # how the judges read a USPS-framed digit (--semantic-pseudo, --semantic-frame)


@torch.no_grad()
def read_all(judges: list[nn.Module], images: torch.Tensor, batch: int = 1000) -> torch.Tensor:
    """The judges' averaged reading (argmax of the mean probabilities) of every image, in batches."""
    return torch.cat(
        [sum(j(images[i : i + batch]).softmax(1) for j in judges).argmax(1) for i in range(0, len(images), batch)]
    )


def build(args: argparse.Namespace, rt: Runtime) -> Recipe:
    lambda_id = args.lambda_identity
    judges = [frozen_classifier(c, rt.device) for c in args.semantic_classifier] if args.semantic_weight > 0 else []
    if args.d_conditional and not judges:
        raise RunError(
            "--d-conditional needs names for the USPS digits, which only the semantic judges give (USPS labels "
            "are never read): add --semantic-weight 1"
        )

    def judged(images: torch.Tensor, labels: torch.Tensor, boxed: bool = False) -> torch.Tensor:
        """Mean cross-entropy of the judges' readings against ``labels`` (gradients reach the images only);
        ``boxed``: read shrunk into MNIST's 20×20 box (in float32: CPUs have no bf16 antialiased resize)."""
        if boxed:
            images = in_mnist_box(images.float())
        if args.semantic_augment:
            images = random_affine(images)
        return sum(F.cross_entropy(judge(images), labels) for judge in judges) / len(judges)

    mnist, usps = mnist_train(args), usps_train(args)
    if judges and args.semantic_pseudo == "mnist-box":  # the judges' names for the USPS digits, read once, here
        usps = (usps[0], read_all(judges, in_mnist_box(usps[0].to(rt.device))).cpu())
    else:  # USPS labels are never read: the stream carries none
        usps = (usps[0], torch.full_like(usps[1], -1))
    model = CycleGAN(
        args.g_width,
        args.n_blocks,
        args.lambda_cycle,
        args.n_down,
        lambda_identity=lambda_id,
        semantic_weight=args.semantic_weight,
        semantic_classifier=args.semantic_classifier if judges else None,
        semantic_augment=args.semantic_augment if judges else False,
        semantic_pseudo=args.semantic_pseudo if judges else "as-is",
        semantic_frame=args.semantic_frame if judges else "as-is",
        d_conditional=args.d_conditional,
    ).to(rt.device)
    classes = 10 if args.d_conditional else 0
    d_usps = PatchDiscriminator(args.d_width, args.d_strided, classes).to(rt.device)
    d_mnist = PatchDiscriminator(args.d_width, args.d_strided, classes).to(rt.device)
    g_train, f_train = rt.wrap(model.g_mnist_to_usps), rt.wrap(model.f_usps_to_mnist)
    d_usps_train, d_mnist_train = rt.wrap(d_usps), rt.wrap(d_mnist)
    opt_g = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(args.beta1, 0.999))
    opt_d = torch.optim.Adam([*d_usps.parameters(), *d_mnist.parameters()], lr=args.lr, betas=(args.beta1, 0.999))
    schedulers = decay_schedulers(args, {"generators": opt_g, "discriminators": opt_d})
    pool_usps, pool_mnist = ImagePool(args.pool_size), ImagePool(args.pool_size)
    preview_x, preview_y = mnist[0][:8].to(rt.device), usps[0][:8].to(rt.device)

    def gan_loss(scores: torch.Tensor, real: bool) -> torch.Tensor:
        return F.mse_loss(scores, torch.full_like(scores, float(real)))

    def step(i: int, draw: Draw) -> dict[str, float]:
        (x, x_labels), (y, y_named) = draw()  # x: MNIST, y: USPS with the judges' names for it (or -1), never labels
        n = min(len(x), len(y))
        x, x_labels, y, y_named = x[:n], x_labels[:n], y[:n], y_named[:n]

        # G and F: fool both discriminators (LSGAN; a class-conditional one reads each image's class: G(x) is
        # x's digit, F(y) the digit the judges name y), come back by the cycle, (optionally) keep the identity
        # of an image already in the target style, and (optionally) keep the digit as the frozen judges read it
        set_requires_grad(d_usps, False)
        set_requires_grad(d_mnist, False)
        opt_g.zero_grad(set_to_none=True)
        with rt.autocast():
            if judges and args.semantic_pseudo == "as-is":  # read here, under the step's autocast, as v1–v3 were
                y_named = read_all(judges, y)
            fake_y, fake_x = g_train(x), f_train(y)
            rec_x, rec_y = f_train(fake_y), g_train(fake_x)
            adv = gan_loss(d_usps(fake_y, x_labels), True) + gan_loss(d_mnist(fake_x, y_named), True)
            cycle = F.l1_loss(rec_x, x) + F.l1_loss(rec_y, y)
            identity = F.l1_loss(g_train(y), y) + F.l1_loss(f_train(x), x) if lambda_id > 0 else torch.zeros(())
            semantic = torch.zeros(())
            if judges:  # CyCADA: G(x) must read as x's label, F(y) as the judges' reading of y
                semantic = judged(fake_y, x_labels, boxed=args.semantic_frame == "mnist-box") + judged(fake_x, y_named)
            loss_g = adv + args.lambda_cycle * cycle + lambda_id * identity + args.semantic_weight * semantic
        loss_g.backward()
        opt_g.step()
        set_requires_grad(d_usps, True)
        set_requires_grad(d_mnist, True)

        # D_usps and D_mnist: tell real images from the pool of generated ones (LSGAN, halved); a conditional
        # one reads real USPS as the judges name it, real MNIST by its label, each pooled fake as it was made
        opt_d.zero_grad(set_to_none=True)
        old_y, old_y_class = pool_usps.query(fake_y.detach().float(), x_labels)
        old_x, old_x_class = pool_mnist.query(fake_x.detach().float(), y_named)
        with rt.autocast():
            loss_d_usps = 0.5 * (
                gan_loss(d_usps_train(y, y_named), True) + gan_loss(d_usps_train(old_y, old_y_class), False)
            )
            loss_d_mnist = 0.5 * (
                gan_loss(d_mnist_train(x, x_labels), True) + gan_loss(d_mnist_train(old_x, old_x_class), False)
            )
        (loss_d_usps + loss_d_mnist).backward()
        opt_d.step()
        return {
            "loss_g": loss_g.item(),
            "adversarial": adv.item(),
            "cycle": cycle.item(),
            "identity": identity.item(),
            "semantic": semantic.item(),
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
        ema=args.ema,
        datasets=[mnist, usps],
        preview=preview,
        preview_rows=8,
    )


# bf16 autocast: the shipped sweep and the semantic translator were trained so (1.2x the images/s of fp32 on a Zen 4
# CPU, 1.4x with --compile), and the documented commands reproduce them; "auto" takes bf16 only where the hardware has
# it (emulated bf16 is ~20x slower than fp32), fp32 elsewhere.
DEFAULTS = {"steps": 10000, "batch_size": 32, "precision": "auto"}


def cli(argv: list[str] | None = None) -> Path:
    """``python -m train.cyclegan``; returns the exported model folder."""
    return main(__doc__, add_arguments, build, argv, module=__spec__.name, **DEFAULTS)


if __name__ == "__main__":
    cli()
