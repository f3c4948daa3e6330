"""(not yet implemented)"""


def add_arguments(parser):
    pass


def run(args):
    raise SystemExit("python -m analysis batch: not implemented yet")
