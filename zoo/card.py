"""Model cards: a Hub README.md for a model folder, written from what the folder records about itself.

Everything on a card comes from files the project's own code wrote: ``config.json`` (architecture),
``training.json`` (exact command, seed, steps, wall time, hardware; written by train/loop.py) and
``metrics.json`` (written by ``python -m zoo.evaluate``). Nothing is typed in by hand.
"""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import EvalResult, ModelCardData

from . import folder as model_folder
from .report import adaptation_class_table, classifier_table, generator_table, translator_table

ABOUT = {
    "basic": (
        "The baseline GAN of Goodfellow et al. (2014) with multilayer perceptrons: a generator z → `hidden` → 784 "
        "with LeakyReLU(0.2) and a tanh output, a discriminator 784 → its `hidden` → 1 with dropout 0.3 (the "
        "2014 sizes: 256, 512, 1024 and 1024, 512, 256); non-saturating generator loss.",
        "unconditional-image-generation",
    ),
    "dcgan": (
        "DCGAN (Radford et al., 2016) scaled to 28×28: fractionally-strided convolutions in the generator, strided "
        "convolutions in the discriminator, batch norm (not on G's output nor D's input), ReLU/tanh in G, "
        "LeakyReLU(0.2) in D, weights N(0, 0.02), Adam 2e-4 β1 0.5.",
        "unconditional-image-generation",
    ),
    "wgan": (
        "WGAN (Arjovsky et al., 2017): the DCGAN networks with the discriminator read as a critic (no sigmoid), "
        "critic weights clipped to [-c, c] after every update, RMSProp, n_critic critic steps per generator step "
        "(100 for the first 25 generator steps and every 500th).",
        "unconditional-image-generation",
    ),
    "otgan": (
        "OT-GAN (Salimans et al., 2018): generator with GLU activations and nearest-neighbour upsampling; critic "
        "with CReLU and an L2-normalised embedding; the loss is the mini-batch energy distance over entropic "
        "Sinkhorn distances (log domain) under the learned cosine cost, with n_gen generator steps per critic "
        "step and an exponential moving average of the generator's weights.",
        "unconditional-image-generation",
    ),
    "cyclegan": (
        "CycleGAN (Zhu et al., 2017) for unpaired MNIST ↔ USPS translation at 28×28: ResNet generators with "
        "instance norm and reflection padding, PatchGAN discriminators, least-squares adversarial loss, cycle "
        "L1 loss weighted by λ, an identity loss weighted by `lambda_identity` (the reference's 0.5·λ; 0 here, "
        "since MNIST and USPS frame their digits differently), image pools of 50, Adam 2e-4 β1 0.5 with linear "
        "decay.",
        "image-to-image",
    ),
    "classifier": (
        "A small CNN digit classifier (two double-conv blocks with batch norm, a 128-unit penultimate layer): the "
        "zoo's measuring instrument. Its penultimate features give the Fréchet distances, its predictions the "
        "Inception Score, class coverage and label preservation.",
        "image-classification",
    ),
}
LIVE = (
    "**Trained live** in the GAN Zoo app's *Train live* page and saved there by its user after {steps} steps: a "
    "short interactive run, not one of the zoo's full trainings. The command below repeats it.\n\n"
)
DATASETS = {"usps": ["flwrlabs/usps"], "mnist": ["ylecun/mnist"]}
CARD_METRICS = {
    "generator": [
        ("inception_score", "Classifier Inception Score"),
        ("frechet_distance", "Classifier Fréchet distance"),
    ],
    "translator": [
        ("label_preservation_mnist_to_usps", "Label preservation MNIST→USPS"),
        ("label_preservation_usps_to_mnist", "Label preservation USPS→MNIST"),
        ("adaptation_accuracy", "Domain adaptation accuracy (USPS test)"),
    ],
    "classifier": [("test_accuracy", "Test accuracy")],
}


def card_text(folder: str | Path, repo_id: str | None = None) -> str:
    """The card's Markdown, from the folder's config.json, training.json and metrics.json."""
    folder = Path(folder)
    name = folder.name
    config = model_folder.read_config(folder)
    training = model_folder.read_training(folder)
    evaluation = model_folder.read_metrics(folder)
    arch = config.get("arch", "")
    about, task = ABOUT.get(arch, ("", "unconditional-image-generation"))
    domain = config.get("domain", "mnist")
    datasets = DATASETS["mnist"] + (DATASETS["usps"] if arch == "cyclegan" else [])
    if arch == "classifier":
        datasets = DATASETS[domain]

    results = []
    if evaluation:
        m = evaluation["metrics"]
        measured_on = "usps" if arch == "cyclegan" or domain == "usps" else "mnist"
        for key, label in CARD_METRICS.get(m["kind"], []):
            if m.get(key) is not None:
                results.append(
                    EvalResult(
                        task_type=task,
                        dataset_type=DATASETS[measured_on][0],
                        dataset_name=measured_on.upper(),
                        dataset_split="test",
                        metric_type=key,
                        metric_name=label,
                        metric_value=round(float(m[key]), 4),
                    )
                )
    data = ModelCardData(
        library_name="gan-zoo",
        license="mit",
        datasets=datasets,
        pipeline_tag=task,
        tags=sorted({"gan-zoo", "pytorch", "pytorch_model_hub_mixin", "model_hub_mixin", arch, "mnist"} - {""}),
        model_name=name if results else None,
        eval_results=results or None,
    )

    if arch == "cyclegan" and config.get("semantic_weight"):
        names = config.get("semantic_classifier")
        names = [names] if isinstance(names, str) else list(names or [])
        judges = ", ".join(f"`{j}`" for j in names)
        who = "a frozen MNIST classifier" if len(names) < 2 else f"{len(names)} frozen MNIST classifiers, averaged"
        whose = "its" if len(names) < 2 else "their"
        boxed = " shrunk into MNIST's 20×20 box" if config.get("semantic_pseudo") == "mnist-box" else ""
        augment = ", also randomly shifted, rotated and scaled" if config.get("semantic_augment") else ""
        g_boxed = ", shrunk into MNIST's 20×20 box," if config.get("semantic_frame") == "mnist-box" else ""
        about += (
            f" Trained with CyCADA's semantic-consistency loss (Hoffman et al., 2018; weight "
            f"{config['semantic_weight']:g}): {who} ({judges}; never the evaluator's `classifier-mnist`) must "
            f"read G(x){g_boxed} as the MNIST label of x and F(y) as {whose} own reading of the USPS input "
            f"y{boxed}{augment}. "
            "Only MNIST labels are used; USPS labels never are."
        )
        if config.get("d_conditional"):
            about += (
                " Its discriminators were class-conditional (projection, Miyato & Koyama 2018): each judged a "
                f"digit against real digits of the same class, USPS digits named by {whose} reading of them."
            )
    parts = [f"---\n{data.to_yaml()}\n---\n", f"# {name}\n", about + "\n"]
    parts.append("## Configuration\n\n" + "\n".join(f"- `{k}`: {v}" for k, v in config.items()) + "\n")
    if training:
        hours = training["wall_time_s"] / 3600
        live = LIVE.format(steps=training["steps"]) if training.get("origin") == "live" else ""
        parts.append(
            "## Training\n\n"
            + live
            + f"Trained with this repository's own code:\n\n```bash\n{training['command']}\n```\n\n"
            f"- seed {training['seed']}, {training['steps']} steps, batch size {training['batch_size']}\n"
            f"- wall time {training['wall_time_s']:.0f} s ({hours:.2f} h) on {training['hardware']}, "
            f"torch {training['torch']}, finished {training['finished']}\n"
            + "".join(f"- final {k}: {v:.4g}\n" for k, v in training.get("results", {}).items())
            + _started_from(training)
        )
    if evaluation:
        m = evaluation["metrics"]
        refs = {f"*{k}*": v for k, v in evaluation.get("reference", {}).items()}
        table = {"generator": generator_table, "translator": translator_table, "classifier": classifier_table}
        parts.append(
            f"## Evaluation\n\nMeasured by `python -m zoo.evaluate {name}` (seed {evaluation['seed']}, "
            f"{evaluation['evaluated']}); reference rows are real data.\n\n"
            + table[m["kind"]]({name: m, **refs})
            + "\n"
        )
        if m["kind"] == "generator":
            parts.append(
                "Fréchet distance and Inception Score are computed with the zoo's MNIST classifier "
                "(`classifier-mnist`), not Inception-v3; compare them within this zoo only.\n"
            )
        by_class = adaptation_class_table({name: m, **refs}) if m["kind"] == "translator" else ""
        if by_class:
            parts.append(
                "Where the adaptation probe (a classifier trained on this model's translations of MNIST) goes wrong "
                "on real USPS test digits, by class:\n\n" + by_class + "\n"
            )
    notes = model_folder.read_notes(folder)
    if notes:
        parts.append(f"## What was tried\n\n{notes}\n")
    if model_folder.samples(folder):
        parts.append(f"## Samples\n\n![samples]({model_folder.SAMPLES})\n")
    usage = f'model = zoo.load("{name}")'
    hub = f'model = zoo.load("{name}", source="hub", repo_id="{repo_id or "OWNER/gan-zoo"}")'
    if arch == "cyclegan":
        call = "usps_style = model.mnist_to_usps(x)  # x: N×1×28×28 in [-1, 1]\nback = model.usps_to_mnist(usps_style)"
    elif arch == "classifier":
        call = "logits = model(x)  # x: N×1×28×28 in [-1, 1]"
    else:
        call = "images = model.sample(16, seed=0)  # 16×1×28×28 in [-1, 1]"
    parts.append(
        "## Use\n\n```python\nimport zoo\n\n"
        + usage
        + "  # from weights/ in the repository\n"
        + "# "
        + hub
        + "\n"
        + call
        + "\n```\n"
    )
    return "\n".join(parts)


def _started_from(training: dict) -> str:
    """The line a fine-tuned model (``--init-from``) adds: the run that made its starting weights, and the total."""
    init_from = (training.get("arguments") or {}).get("init_from")
    if not init_from:
        return ""
    parent = training.get("started_from") or {}
    wall = parent.get("wall_time_s")
    if not isinstance(parent.get("command"), str) or not isinstance(wall, (int, float)):
        return f"- fine-tuned from `{init_from}`, whose training this run did not record\n"
    total = wall + training["wall_time_s"]
    return (
        f"- fine-tuned from `{init_from}`, a model trained with `{parent['command']}` (seed {parent.get('seed')}, "
        f"{parent.get('steps')} steps, {wall:.0f} s on {parent.get('hardware')}); both runs together: {total:.0f} s "
        f"({total / 3600:.2f} h)\n"
    )


def write_card(folder: str | Path, repo_id: str | None = None) -> Path:
    """(Re)write the folder's README.md from what it records; the evaluator calls it after each measurement."""
    return model_folder.write_card(Path(folder), card_text(folder, repo_id))
