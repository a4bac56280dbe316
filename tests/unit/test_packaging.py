"""The worker image and the package pin the same Beam: a job whose launcher and workers differ fails on Dataflow."""
from __future__ import annotations

import re

from tests.support.paths import ROOT


def test_beam_version_is_pinned_once_in_setup_and_dockerfile():
    setup = (ROOT / "setup.py").read_text()
    docker = (ROOT / "Dockerfile").read_text()
    pinned = re.search(r'BEAM_VERSION = "([\d.]+)"', setup).group(1)
    assert re.search(r"ARG BEAM_VERSION=([\d.]+)", docker).group(1) == pinned
    assert "apache/beam_python${PYTHON_VERSION}_sdk:${BEAM_VERSION}" in docker
    assert 'ENTRYPOINT ["/opt/apache/beam/boot"]' in docker and "pip check" in docker
    import apache_beam
    assert apache_beam.__version__ == pinned
