"""What a test's own PostgreSQL server leaves outside its temporary var/."""

import shutil

from civicflow.local.layout import Layout


def remove_postgres_data(layout: Layout) -> None:
    """postgres/run.sh keeps the data of a var/ the postgres user cannot reach (pytest's temporary directories
    are 0700) in a directory of its own, linked as var/postgres/data; that directory belongs to this var/ alone."""
    link = layout.var_dir / "postgres" / "data"
    if link.is_symlink():
        shutil.rmtree(link.resolve().parent)
