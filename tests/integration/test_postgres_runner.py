"""deploy/local/postgres/run.sh: the pid is the server's, the data goes where `postgres` can reach it, and a
second start reuses the cluster."""

import os
import pwd
import stat
from pathlib import Path

import pytest

from civicflow.local.layout import Layout, Ports, repository_root
from civicflow.local.stack import Stack, document_store
from tests.support.ports import free_ports
from tests.support.store import remove_postgres_data

pytestmark = pytest.mark.integration


async def test_the_server_is_the_pid_and_a_second_start_reuses_its_cluster(tmp_path: Path) -> None:
    (port,) = free_ports(1)
    layout = Layout(root=repository_root(), var_dir=tmp_path / "var", ports=Ports(postgres=port))
    postgres = document_store(layout)[0]
    stack = Stack(layout, say=lambda _: None, parts=[postgres])
    data, log = layout.var_dir / "postgres" / "data", layout.var_dir / "log" / "postgres.log"
    try:
        await stack.up()
        started = (layout.var_dir / "run" / "postgres.pid").read_text()
        assert (data / "postmaster.pid").read_text().splitlines()[0] == started
        if os.geteuid() == 0:
            # pytest's temporary directories are 0700: the postgres user cannot reach this var/.
            owner = pwd.getpwnam("postgres")
            assert data.is_symlink()
            assert data.resolve().parent.parent == Path(owner.pw_dir) / "civicflow"
            status = data.resolve().stat()
            assert (status.st_uid, stat.S_IMODE(status.st_mode)) == (owner.pw_uid, 0o700)
        stack.down()

        await stack.up()
        restarted = (layout.var_dir / "run" / "postgres.pid").read_text()
        assert restarted != started
        assert (data / "postmaster.pid").read_text().splitlines()[0] == restarted
        assert log.read_text().count("creating directory") == 1  # initdb ran on the first start only
    finally:
        stack.down()
        remove_postgres_data(layout)
