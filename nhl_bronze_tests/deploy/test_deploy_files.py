"""The deployment files, checked as far as this machine allows (no Docker engine, no Kubernetes): they parse,
they agree with each other and with the project, the image's command loads the code location's ``defs``, and
the Helm values use only keys the official chart's schema defines. deploy/dagster.yaml itself is loaded as a
real instance against PostgreSQL in test_postgres_concurrent_runs."""

from __future__ import annotations

import json
import re
import subprocess

import dagster as dg
import pytest
import yaml

from nhl_bronze.settings import DEPLOY_EVENT_BATCH_SIZE, EVENT_BATCH_SIZE, SUBSET_PLANNED_EVENTS
from nhl_bronze_tests.deploy.support import DEPLOY_DAGSTER_YAML, DEPLOY_DIR
from nhl_bronze_tests.e2e_support import REPO_ROOT, dagster_command, tail

# Field names of the chart's pydantic schema (helm/dagster/schema/schema/charts/...: DagsterHelmValues, Daemon,
# K8sRunLauncherConfig, UserDeployment), read from the Dagster repository for this project's chart version.
CHART_TOP_LEVEL = {
    "dagsterWebserver", "dagster-user-deployments", "postgresql", "generatePostgresqlPasswordSecret",
    "generateCeleryConfigSecret", "rabbitmq", "redis", "flower", "ingress", "imagePullSecrets", "computeLogManager",
    "scheduler", "runLauncher", "pythonLogs", "dagsterDaemon", "busybox", "migrate", "telemetry", "serviceAccount",
    "global", "retention", "additionalInstanceConfig",
}
CHART_DAEMON = {
    "enabled", "image", "runCoordinator", "heartbeatTolerance", "env", "envConfigMaps", "envSecrets",
    "deploymentLabels", "labels", "nodeSelector", "affinity", "tolerations", "podSecurityContext", "securityContext",
    "resources", "checkDbReadyInitContainer", "livenessProbe", "readinessProbe", "startupProbe", "annotations",
    "runMonitoring", "runRetries", "sensors", "schedules", "backfills", "schedulerName", "logFormat",
    "volumeMounts", "volumes", "initContainerResources", "extraContainers", "extraPrependedInitContainers",
}
CHART_WEBSERVER = {
    "dbStatementTimeout", "dbPoolRecycle", "logLevel", "schedulerName", "volumeMounts", "volumes", "pathPrefix",
    "replicaCount", "image", "nameOverride", "service", "workspace", "env", "envConfigMaps", "envSecrets",
    "deploymentLabels", "labels", "nodeSelector", "affinity", "tolerations", "podSecurityContext", "securityContext",
    "resources", "readinessProbe", "livenessProbe", "startupProbe", "annotations", "enableReadOnly",
}
CHART_QUEUED_COORDINATOR = {"maxConcurrentRuns", "tagConcurrencyLimits", "dequeueIntervalSeconds",
                            "dequeueNumWorkers", "dequeueUseThreads", "blockOpConcurrencyLimitedRuns"}
CHART_K8S_RUN_LAUNCHER = {
    "image", "imagePullPolicy", "jobNamespace", "loadInclusterConfig", "kubeconfigFile", "envConfigMaps",
    "envSecrets", "envVars", "volumeMounts", "volumes", "labels", "failPodOnRunFailure", "resources",
    "schedulerName", "securityContext", "runK8sConfig",
}
CHART_RUN_K8S_CONFIG = {"containerConfig", "podSpecConfig", "podTemplateSpecMetadata", "jobSpecConfig", "jobMetadata"}
CHART_USER_DEPLOYMENT = {
    "name", "image", "dagsterApiGrpcArgs", "codeServerArgs", "includeConfigInLaunchedRuns", "deploymentNamespace",
    "port", "replicaCount", "env", "envConfigMaps", "envSecrets", "annotations", "nodeSelector", "affinity",
    "tolerations", "podSecurityContext", "securityContext", "resources", "livenessProbe", "readinessProbe",
    "startupProbe", "labels", "volumeMounts", "volumes", "schedulerName", "initContainers", "sidecarContainers",
    "deploymentStrategy",
}
CHART_POSTGRESQL = {"enabled", "image", "postgresqlHost", "postgresqlUsername", "postgresqlPassword",
                    "postgresqlDatabase", "postgresqlParams", "postgresqlScheme", "service"}


def _load(name: str) -> dict:
    return yaml.safe_load((DEPLOY_DIR / name).read_text(encoding="utf-8"))


def _env_vars_read_by(instance_yaml: dict) -> set[str]:
    return set(re.findall(r"'env': '([A-Z_]+)'", str(instance_yaml)))


def test_compose_services_get_everything_the_instance_and_the_tables_need():
    compose = _load("docker-compose.yaml")
    assert {"postgres", "code", "init", "webserver", "daemon"} <= set(compose["services"])
    wanted = _env_vars_read_by(yaml.safe_load(DEPLOY_DAGSTER_YAML.read_text())) | {"NHL_BRONZE_DATA_DIR"}
    assert {"DAGSTER_PG_HOST", "DAGSTER_PG_DB", "DAGSTER_PG_PASSWORD"} <= wanted
    for name in ("code", "init", "webserver", "daemon"):
        environment = compose["services"][name]["environment"]
        assert wanted <= set(environment), f"service {name} lacks {sorted(wanted - set(environment))}"
    for name in ("webserver", "daemon"):  # the processes that create runs
        assert compose["services"][name]["environment"][SUBSET_PLANNED_EVENTS] == "true"
    # the code server, whose subprocesses execute the runs
    assert compose["services"]["code"]["environment"][EVENT_BATCH_SIZE] == DEPLOY_EVENT_BATCH_SIZE
    assert compose["services"]["code"]["build"]["dockerfile"] == "deploy/Dockerfile"
    workspace = _load("workspace.yaml")["load_from"][0]["grpc_server"]
    assert workspace["host"] == "code"


def test_dockerfile_installs_the_deploy_extra_and_its_command_loads_the_definitions():
    dockerfile = (DEPLOY_DIR / "Dockerfile").read_text(encoding="utf-8")
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r"^deploy = \[.*dagster-postgres", pyproject, re.MULTILINE), "no `deploy` extra in pyproject.toml"
    assert 'pip install --no-cache-dir -c constraints.txt ".[deploy]"' in dockerfile
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (REPO_ROOT / source).exists(), f"Dockerfile copies {source}, which is not in the repository"
    command = json.loads(next(line for line in dockerfile.splitlines() if line.startswith("CMD "))[4:])
    assert command[:3] == ["dagster", "code-server", "start"]
    module = command[command.index("-m") + 1]
    result = subprocess.run(dagster_command("definitions", "validate", "-m", module), cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"`dagster definitions validate -m {module}`:\n{tail(result.stdout + result.stderr)}"


def test_helm_values_use_only_the_charts_keys_and_one_run_per_pod():
    values = _load("helm/values.yaml")
    assert set(values) <= CHART_TOP_LEVEL, set(values) - CHART_TOP_LEVEL
    assert set(values["dagsterDaemon"]) <= CHART_DAEMON
    assert set(values["dagsterWebserver"]) <= CHART_WEBSERVER
    for creates_runs in ("dagsterWebserver", "dagsterDaemon"):
        assert {"name": SUBSET_PLANNED_EVENTS, "value": "true"} in values[creates_runs]["env"], creates_runs
    coordinator = values["dagsterDaemon"]["runCoordinator"]
    assert coordinator["type"] == "QueuedRunCoordinator"
    assert set(coordinator["config"]["queuedRunCoordinator"]) <= CHART_QUEUED_COORDINATOR
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    assert set(launcher) <= CHART_K8S_RUN_LAUNCHER and set(launcher["runK8sConfig"]) <= CHART_RUN_K8S_CONFIG
    assert set(values["postgresql"]) <= CHART_POSTGRESQL
    for deployment in values["dagster-user-deployments"]["deployments"]:
        assert set(deployment) <= CHART_USER_DEPLOYMENT, set(deployment) - CHART_USER_DEPLOYMENT
        assert deployment["codeServerArgs"] == ["-m", "nhl_bronze.definitions"]
        # launched runs get the deployment's environment
        assert {"name": EVENT_BATCH_SIZE, "value": DEPLOY_EVENT_BATCH_SIZE} in deployment["env"]
        assert deployment["includeConfigInLaunchedRuns"] == {"enabled": True}
    # One process per run inside the run's pod: the code location's executor is in-process.
    from nhl_bronze.definitions import defs

    assert defs.resolve_job_def("bronze_job").executor_def.name == dg.in_process_executor.name


def test_helm_instance_config_is_a_valid_dagster_instance_config(tmp_path):
    extra = _load("helm/values.yaml")["additionalInstanceConfig"]
    with dg.instance_for_test(overrides=extra, temp_dir=str(tmp_path)) as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1


# -- secure, durable defaults ------------------------------------------------------------------------------------

LOOPBACK = ("127.0.0.1", "::1", "[::1]", "localhost")
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|TOKEN|ACCESS_KEY|API_KEY)", re.IGNORECASE)
# Images and packages that keep data in memory or fake a service: fine in tests, never in a deployment.
TEST_DOUBLES = re.compile(r"\b(moto|motoserver|localstack|fakes3|s3rver|minio/minio:.*-dev|mock)\b", re.IGNORECASE)
DEPLOY_FILES = sorted(path for path in DEPLOY_DIR.rglob("*") if path.is_file())


def published_host_ips(service: dict) -> list[str]:
    """The host address of every port a compose service publishes ("" = every interface)."""
    addresses = []
    for port in service.get("ports", []):
        if isinstance(port, dict):  # long syntax
            addresses.append(str(port.get("host_ip", "")))
            continue
        text = str(port)
        parts = text.rsplit(":", 2) if text.count(":") >= 2 else ["", *text.split(":")]
        addresses.append(parts[0] if len(parts) == 3 else "")
    return addresses


def test_published_ports_listen_on_loopback_only():
    compose = _load("docker-compose.yaml")
    for name, service in compose["services"].items():
        for address in published_host_ips(service):
            assert address in LOOPBACK, (
                f"docker-compose.yaml: service {name} publishes a port on {address or 'every interface'}; publish "
                "on 127.0.0.1 and put an authenticating proxy in front (docs/DEPLOYMENT.md)")
    assert published_host_ips(compose["services"]["webserver"]) == ["127.0.0.1"]
    # The parser itself catches what this test is for.
    assert published_host_ips({"ports": ["3000:3000"]}) == [""]
    assert published_host_ips({"ports": ["0.0.0.0:3000:3000", {"target": 3000, "published": 3000}]}) == [
        "0.0.0.0", ""]


def default_secrets(text: str) -> list[str]:
    """``${NAME:-fallback}`` / ``${NAME-fallback}`` interpolations of secret variables, and secret keys given a
    literal value (``POSTGRES_PASSWORD: dagster``, ``postgresqlPassword: x``)."""
    found = [m.group(0) for m in re.finditer(r"\$\{([A-Z0-9_]+):?-[^}]*\}", text) if SECRET_NAME.search(m.group(1))]
    for match in re.finditer(r"^[ \t]*-?[ \t]*([A-Za-z0-9_]+)[ \t]*[:=][ \t]*(\S.*)$", text, re.MULTILINE):
        key, value = match.group(1), match.group(2).strip().strip("\"'")
        if SECRET_NAME.search(key) and value not in ("", "true", "false") \
                and not value.startswith(("${", "{", "#")) \
                and not key.lower().endswith(("secretname", "secrets", "secret_name")):
            found.append(match.group(0).strip())
    return found


def test_no_default_secret_in_deploy():
    for path in DEPLOY_FILES:
        found = default_secrets(path.read_text(encoding="utf-8"))
        assert found == [], f"{path.relative_to(REPO_ROOT)} holds a default secret: {found}"
    # Without a password, `docker compose` refuses to start (`${VAR:?message}`), for the database and its clients.
    compose = _load("docker-compose.yaml")
    assert compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${DAGSTER_PG_PASSWORD:?")
    assert compose["x-dagster-env"]["DAGSTER_PG_PASSWORD"].startswith("${DAGSTER_PG_PASSWORD:?")
    # What the test is for, caught.
    assert default_secrets("  DAGSTER_PG_PASSWORD: ${DAGSTER_PG_PASSWORD:-dagster}\n")
    assert default_secrets("      POSTGRES_PASSWORD: dagster\n")
    assert default_secrets("  AWS_SECRET_ACCESS_KEY: ${AWS_SECRET_ACCESS_KEY:-local-secret}\n")


def test_no_test_double_in_deploy_the_lake_is_on_a_named_volume():
    for path in DEPLOY_FILES:
        text = "\n".join(line.split("#", 1)[0] for line in path.read_text(encoding="utf-8").splitlines())
        assert not TEST_DOUBLES.search(text), f"{path.relative_to(REPO_ROOT)} uses a test double: " \
                                              f"{TEST_DOUBLES.search(text).group(0)}"
    compose = _load("docker-compose.yaml")
    code = compose["services"]["code"]
    data_dir = code["environment"]["NHL_BRONZE_DATA_DIR"]
    assert "://" not in data_dir, "compose keeps the tables on a local volume (docs/DEPLOYMENT.md: which store)"
    mounts = {mount.split(":")[1]: mount.split(":")[0] for mount in code["volumes"]}
    assert data_dir in mounts, f"{data_dir} is not a mounted volume of the code server: the tables would be lost"
    assert mounts[data_dir] in compose["volumes"], "the lake is a named volume (survives `docker compose down`)"
    assert TEST_DOUBLES.search("    image: motoserver/moto:5.2.5")


# -- validated against the real schemas -------------------------------------------------------------------------

SCHEMAS = REPO_ROOT / "nhl_bronze_tests" / "data" / "schemas"


def _schema(name: str) -> dict:
    """A schema file of data/schemas (source, version and checksum in its README), or a skip naming it."""
    import hashlib

    path = SCHEMAS / name
    readme = (SCHEMAS / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith(f"| `{name}` |"))
    expected_sha256 = re.search(r"sha256 `([0-9a-f]{64})`", row).group(1)
    if not path.exists():
        pytest.skip(f"{path.relative_to(REPO_ROOT)} is not in the repository yet: {row}")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == expected_sha256, f"{name} differs from its source"
    return json.loads(path.read_text(encoding="utf-8"))


def test_compose_file_follows_the_compose_specification():
    from jsonschema import Draft7Validator

    validator = Draft7Validator(_schema("compose-spec.json"))
    compose = _load("docker-compose.yaml")
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(compose)]
    assert errors == []
    compose["services"]["webserver"]["prots"] = ["127.0.0.1:3000:3000"]  # a typo the schema rejects
    assert list(validator.iter_errors(compose))


def test_helm_values_follow_the_charts_schema_of_the_pinned_version():
    from jsonschema import Draft7Validator

    validator = Draft7Validator(_schema(f"dagster-helm-{DAGSTER_CHART_VERSION}.values.schema.json"))
    values = _load("helm/values.yaml")
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(values)]
    assert errors == []


def _pinned(name: str) -> str:
    line = next(line for line in (REPO_ROOT / "constraints.txt").read_text().splitlines()
                if line.lower().startswith(f"{name}=="))
    return line.split("==")[1].strip()


DAGSTER_CHART_VERSION = _pinned("dagster")


def test_the_helm_chart_is_pinned_to_the_images_dagster_release():
    """The chart's webserver and daemon images are the chart's version: it must be the dagster the code image
    installs (constraints.txt), which is also the one these tests run."""
    assert dg.__version__ == DAGSTER_CHART_VERSION
    for name in ("deploy/helm/values.yaml", "README.md", "docs/DEPLOYMENT.md"):
        commands = re.findall(r"helm upgrade --install[^\n]*", (REPO_ROOT / name).read_text(encoding="utf-8"))
        assert commands, f"{name}: no helm command"
        for command in commands:
            assert f"--version {DAGSTER_CHART_VERSION}" in command, f"{name}: `{command}` does not pin the chart"


def test_deploy_dagster_yaml_passes_dagsters_own_config_validation(monkeypatch):
    from dagster._config import process_config
    from dagster._core.instance.config import dagster_instance_config_schema

    config = yaml.safe_load(DEPLOY_DAGSTER_YAML.read_text(encoding="utf-8"))
    for variable in _env_vars_read_by(config):
        monkeypatch.setenv(variable, "5432" if variable.endswith("_PORT") else "x")
    result = process_config(dagster_instance_config_schema(), config)
    assert result.success, [error.message for error in result.errors]
    config["run_monitoring"]["start_timout_seconds"] = 300  # a typo dagster rejects
    assert not process_config(dagster_instance_config_schema(), config).success
