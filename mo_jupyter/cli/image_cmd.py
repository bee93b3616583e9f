"""``jupyter mo image build KIND [--offline] [--tag T]`` and ``jupyter mo image list``"""

from __future__ import annotations

from .. import images


def add_parser(nouns) -> None:
    image = nouns.add_parser("image", help="build and list job images")
    verbs = image.add_subparsers(dest="verb", required=True)
    p = verbs.add_parser("build", help="build a job image (progress is printed)")
    p.add_argument("kind", help="base, cpu, gpu (a recipe in jobs/images)")
    p.add_argument("--offline", action="store_true",
                   help="no registry: debootstrap + docker import + wheels installed with the network off")
    p.add_argument("--tag", help="default mo-jupyter/KIND:latest")
    p.set_defaults(func=cmd_build)
    verbs.add_parser("list", help="the mo-jupyter images of the Docker engine").set_defaults(func=cmd_list)


def cmd_build(args) -> int:
    return images.build(args.kind, args.offline, args.tag)


def cmd_list(args) -> int:
    from .config import extension_app

    found = images.list_images(extension_app(args).backends.get("docker"))  # the server's engine
    if not found:
        print("no mo-jupyter images yet (build one with 'jupyter mo image build cpu --offline')")
        return 0
    print(f"{'IMAGE':32} {'KIND':6} {'SIZE':>9}  {'CREATED':20} RECIPE")
    for image in found:
        size = f"{image['size'] / 1e6:.0f} MB"
        print(f"{image['tags'][0]:32} {image['kind']:6} {size:>9}  {image['created'][:19]:20} {image['recipe']}")
    return 0
