"""The scripts of experiments/, loaded as modules by the tests."""
import importlib.util
import sys
from pathlib import Path

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def script(name):
    """experiments/<name>.py as a fresh module. The folder stays on
    sys.path: some scripts import others by name (a schedule imports
    its experiment, whose networks worker processes must unpickle)."""
    if str(EXPERIMENTS) not in sys.path:
        sys.path.insert(0, str(EXPERIMENTS))
    path = EXPERIMENTS / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_exp_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
