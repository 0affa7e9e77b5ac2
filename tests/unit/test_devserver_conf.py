"""The local server's rendered neo4j.conf carries the per-transaction memory limit, and a server whose
rendered conf is no longer what the template and settings say is recognised (start_server restarts it)."""

from __future__ import annotations

from pathlib import Path

from graph.devserver import conf_is_current, conf_text, find_deploy_dir, render_conf, server_dist_dir
from tests.neo4j_harness import local_test_settings


def test_the_memory_limit_of_one_transaction_is_rendered(tmp_path: Path) -> None:
    settings = local_test_settings(neo4j_home=tmp_path / "home")
    text = conf_text(settings, tmp_path / "dist")
    assert "db.memory.transaction.max=512m" in text.splitlines()
    assert "db.memory.transaction.total.max=1g" in text.splitlines()


def test_an_outdated_rendered_conf_is_recognised(tmp_path: Path) -> None:
    settings = local_test_settings(neo4j_home=tmp_path / "home")
    assert not conf_is_current(settings)  # nothing rendered yet
    render_conf(settings, server_dist_dir(settings, find_deploy_dir()))
    assert conf_is_current(settings)
    assert not conf_is_current(settings.model_copy(update={"neo4j_tx_max": "256m"}))
    conf = tmp_path / "home" / "conf" / "neo4j.conf"
    conf.write_text(conf.read_text().replace("db.memory.transaction.max=512m\n", ""))
    assert not conf_is_current(settings)
