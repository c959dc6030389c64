"""The deployment files, checked as far as this machine allows (no Docker engine, no Kubernetes): they parse,
they agree with each other and with the project, the image's command loads the code location's ``defs``, and
the Helm values use only keys the official chart's schema defines. deploy/dagster.yaml itself is loaded as a
real instance against PostgreSQL in test_postgres_concurrent_runs."""

from __future__ import annotations

import json
import re
import subprocess

import dagster as dg
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
    assert {"postgres", "s3", "code", "init", "webserver", "daemon"} <= set(compose["services"])
    wanted = _env_vars_read_by(yaml.safe_load(DEPLOY_DAGSTER_YAML.read_text())) | {
        "NHL_BRONZE_DATA_DIR", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"}
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
    assert 'pip install --no-cache-dir ".[deploy]"' in dockerfile
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
