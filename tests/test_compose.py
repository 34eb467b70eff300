"""Static checks of docker-compose.yml, its Dockerfile and .env.example (no Docker engine runs here)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SECRET_NAME = re.compile(r"PASSWORD|API_KEY|SECRET|TOKEN|ENCRYPTIONKEY|ENCRYPTION_KEY", re.IGNORECASE)
VARIABLE = re.compile(r"(?<!\$)\$\{(\w+)(?:(:?[-?])[^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _client_major() -> int:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    (spec,) = [d for d in project["dependencies"] if d.startswith("elasticsearch")]
    upper = re.search(r"<\s*(\d+)", spec)
    assert upper, f"the elasticsearch dependency {spec!r} needs an upper bound"
    return int(upper.group(1)) - 1


class TestImages:
    def test_pinned(self, services: dict[str, dict[str, Any]]) -> None:
        """Every image names an exact x.y.z version, never latest."""
        for name, service in services.items():
            if "image" in service and "build" not in service:
                assert re.fullmatch(r"[\w./-]+:\d+\.\d+\.\d+", service["image"]), (name, service["image"])

    def test_stack_matches_client_major(self, services: dict[str, dict[str, Any]]) -> None:
        """Elasticsearch and Kibana run the same version, of the client's highest supported major."""
        es = services["elasticsearch"]["image"]
        kibana = services["kibana"]["image"]
        assert es.startswith("docker.elastic.co/elasticsearch/elasticsearch:")
        assert kibana.startswith("docker.elastic.co/kibana/kibana:")
        assert es.rsplit(":", 1)[1] == kibana.rsplit(":", 1)[1]
        assert int(es.rsplit(":", 1)[1].split(".")[0]) == _client_major()


class TestSecrets:
    def test_only_variable_references(self, services: dict[str, dict[str, Any]]) -> None:
        """Password-like settings are ${VAR} references to .env, never values."""
        for name, service in services.items():
            for key, value in _environment(service).items():
                if SECRET_NAME.search(key):
                    assert VARIABLE.fullmatch(value), f"{name}.{key} must be a ${{VAR}} reference"

    def test_example_values_not_in_compose(self) -> None:
        """No value of .env.example appears in docker-compose.yml."""
        text = (REPO / "docker-compose.yml").read_text()
        for key, value in _dotenv(REPO / ".env.example").items():
            if SECRET_NAME.search(key):
                assert value not in text

    def test_every_variable_is_in_env_example(self, compose: dict[str, Any]) -> None:
        """Each variable the file requires (no default) is documented in .env.example."""
        text = (REPO / "docker-compose.yml").read_text()
        required = {m.group(1) for m in VARIABLE.finditer(text) if m.group(2) != ":-"}
        assert required and required <= set(_dotenv(REPO / ".env.example"))

    def test_env_is_ignored(self) -> None:
        """.env is gitignored and kept out of the Docker build context; only the example is committed."""
        assert ".env" in (REPO / ".gitignore").read_text().split()
        assert ".env" in (REPO / ".dockerignore").read_text().split()


def _dotenv(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


class TestServices:
    def test_ports_on_loopback(self, services: dict[str, dict[str, Any]]) -> None:
        """Every published port listens on 127.0.0.1 only."""
        ports = [(name, str(p)) for name, s in services.items() for p in s.get("ports", [])]
        assert ports
        for name, port in ports:
            assert port.startswith("127.0.0.1:"), (name, port)

    def test_health_checks(self, services: dict[str, dict[str, Any]]) -> None:
        """Elasticsearch and Kibana have health checks the others wait for."""
        for name in ("elasticsearch", "kibana"):
            assert services[name]["healthcheck"]["test"], name
        waits = services["featurewatch-setup"]["depends_on"]
        assert waits == {"elasticsearch": {"condition": "service_healthy"},
                         "kibana": {"condition": "service_healthy"}}

    def test_security_on(self, services: dict[str, dict[str, Any]]) -> None:
        """Elasticsearch runs with security enabled and the elastic password from .env."""
        env = _environment(services["elasticsearch"])
        assert env["xpack.security.enabled"] == "true"
        assert env["ELASTIC_PASSWORD"].startswith("${ELASTIC_PASSWORD")

    def test_kibana_connects_as_kibana_system(self, services: dict[str, dict[str, Any]]) -> None:
        """Kibana logs in as kibana_system, whose password a one-shot service sets first."""
        env = _environment(services["kibana"])
        assert env["ELASTICSEARCH_USERNAME"] == "kibana_system"
        assert env["ELASTICSEARCH_PASSWORD"].startswith("${KIBANA_PASSWORD")
        assert services["kibana"]["depends_on"] == {
            "kibana-password": {"condition": "service_completed_successfully"}}
        setter = services["kibana-password"]
        assert "/_security/user/kibana_system/_password" in " ".join(setter["command"])
        assert setter["restart"] == "no"

    def test_memory_like_elastics_compose(self, services: dict[str, dict[str, Any]]) -> None:
        """Hard memory limits, Elasticsearch's heap at most half of its limit, and its memory locked."""
        es, kibana = services["elasticsearch"], services["kibana"]
        env = _environment(es)
        assert env["bootstrap.memory_lock"] == "true"
        assert es["ulimits"]["memlock"] == {"soft": -1, "hard": -1}
        heap = re.search(r"-Xmx(\d+)([mg])", env["ES_JAVA_OPTS"])
        assert heap and re.search(r"-Xms" + heap.group(1) + heap.group(2), env["ES_JAVA_OPTS"])
        limits = {}
        for name, service in (("elasticsearch", es), ("kibana", kibana)):
            match = re.fullmatch(r"\$\{(\w+):-(\d+)([mg])\}", str(service["mem_limit"]))
            assert match, (name, service.get("mem_limit"))
            limits[name] = int(match.group(2)) * (1024 if match.group(3) == "g" else 1)
            assert match.group(1) in _dotenv(REPO / ".env.example")
        assert int(heap.group(1)) * (1024 if heap.group(2) == "g" else 1) * 2 <= limits["elasticsearch"]

    def test_data_volume(self, compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
        """Elasticsearch keeps its data in a named volume."""
        assert "esdata:/usr/share/elasticsearch/data" in services["elasticsearch"]["volumes"]
        assert "esdata" in compose["volumes"]

    def test_setup_service(self, services: dict[str, dict[str, Any]]) -> None:
        """A one-shot service built from the repo's Dockerfile installs templates and imports dashboards."""
        setup = services["featurewatch-setup"]
        assert setup["build"] == "." and (REPO / "Dockerfile").is_file()
        script = " ".join(setup["command"])
        assert "featurewatch setup --es http://elasticsearch:9200" in script
        assert "featurewatch kibana import --overwrite" in script and "kibana/*.ndjson" in script
        env = _environment(setup)
        assert env["FEATUREWATCH_KIBANA_URL"] == "http://kibana:5601"
        assert {"FEATUREWATCH_ES_USERNAME", "FEATUREWATCH_ES_PASSWORD", "FEATUREWATCH_KIBANA_USERNAME",
                "FEATUREWATCH_KIBANA_PASSWORD"} <= set(env)
        assert setup["restart"] == "no"


class TestDockerfile:
    def test_image_has_cli_and_dashboards(self) -> None:
        """The image pins its Python base, installs the package and carries kibana/*.ndjson."""
        text = (REPO / "Dockerfile").read_text()
        base = re.search(r"^FROM\s+(\S+)", text, re.MULTILINE)
        assert base and ":" in base.group(1) and not base.group(1).endswith(":latest")
        assert "RUN pip install ." in text and "COPY kibana ./kibana" in text
        assert list((REPO / "kibana").glob("*.ndjson"))


def test_readme_quotes_the_setup_output() -> None:
    """The README's walkthrough quotes the import summary the setup service prints for the committed files."""
    total = sum(len(p.read_bytes().splitlines()) for p in (REPO / "kibana").glob("*.ndjson"))
    readme = (REPO / "README.md").read_text()
    assert "## Elasticsearch and Kibana" in readme
    assert f"imported {total} of {total} saved objects into Kibana at http://kibana:5601" in readme
