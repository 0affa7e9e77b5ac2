"""The local Neo4j Community server for development and tests, assembled from Maven Central and managed
without Docker (`linkage neo4j start|stop|status`, `make demo`, the test harness).

    assemble  Maven builds lib/ and plugins/ once from `deploy/neo4j/pom.xml`
    instance  one instance's conf (from `deploy/neo4j/neo4j.conf`), start, stop, status and readiness probe

Production deployments point `NEO4J_URI` at their own server (or use docker-compose.yml); nothing here runs
then.
"""

from graph.devserver.assemble import assemble_server, find_deploy_dir, neo4j_version, server_dist_dir
from graph.devserver.instance import (
    ADMIN,
    LAUNCHER,
    ServerStatus,
    bolt_answers,
    conf_is_current,
    conf_text,
    import_full,
    port_open,
    read_pid,
    render_conf,
    server_status,
    start_server,
    stop_server,
)

__all__ = [
    "ADMIN",
    "LAUNCHER",
    "ServerStatus",
    "assemble_server",
    "bolt_answers",
    "conf_is_current",
    "conf_text",
    "find_deploy_dir",
    "import_full",
    "neo4j_version",
    "port_open",
    "read_pid",
    "render_conf",
    "server_dist_dir",
    "server_status",
    "start_server",
    "stop_server",
]
