"""The migrated databases, kept so a warm `up` loads them instead.

The schema migrations of keystone, glance, placement, nova and neutron
take most of a warm `up`, and give the same databases every time for the
same pinned packages. The first `up` dumps them right after migrating, and
later ones load that dump, as long as the pinned packages are the same.

Nothing secret is kept: the dump is taken before keystone's bootstrap
(no users yet), and without the rows of nova_api.cell_mappings, which
hold the database and RabbitMQ URLs with this `up`'s passwords; `up`
maps the cells again after loading.
"""

import glob
import hashlib
import os

from dvr_lab import install
from dvr_lab import namespaces
from dvr_lab import private_files
from dvr_lab import services
from dvr_lab import settings as s

SNAPSHOT_DIR = os.path.join(s.CACHE_DIR, 'db-snapshot')
# Rows holding this up's passwords: their table is dumped empty.
SECRET_TABLES = ('nova_api.cell_mappings',)
# Bump when what goes into the dump changes.
FORMAT = '1'
TIMEOUT = 300


def key(databases):
    digest = hashlib.sha256(FORMAT.encode())
    digest.update(' '.join(databases).encode())
    digest.update(install.requirements_digest().encode())
    return digest.hexdigest()[:16]


def path(databases):
    return os.path.join(SNAPSHOT_DIR, 'databases-%s.sql' % key(databases))


def _client(program, extra):
    return [program, '--no-defaults', '--socket=' + services.MYSQL_SOCKET,
            '-u', 'root'] + extra


def dump_argv(databases):
    ignored = ['--ignore-table=%s' % table for table in SECRET_TABLES]
    return _client('mariadb-dump', ['--skip-dump-date', '--single-transaction']
                   + ignored + ['--databases'] + list(databases))


def secret_tables_schema_argv():
    tables = [table.split('.', 1) for table in SECRET_TABLES]
    return [_client('mariadb-dump', ['--skip-dump-date', '--no-data',
                                     database, table])
            for database, table in tables]


def save(databases):
    """Dump the freshly migrated databases; drop dumps of other pins."""
    text = namespaces.run(s.CONTROLLER, dump_argv(databases),
                          timeout=TIMEOUT)
    for argv in secret_tables_schema_argv():
        database = argv[-2]
        text += '\nUSE `%s`;\n' % database
        text += namespaces.run(s.CONTROLLER, argv, timeout=TIMEOUT)
    target = path(databases)
    private_files.write(target, text)
    for stale in glob.glob(os.path.join(SNAPSHOT_DIR, 'databases-*.sql')):
        if stale != target:
            os.unlink(stale)
    return target


def load(databases):
    """Load the dump of these pinned packages; False when there is none."""
    source = path(databases)
    try:
        with open(source) as f:
            text = f.read()
    except FileNotFoundError:
        return False
    namespaces.run(s.CONTROLLER, _client('mariadb', []), input=text,
                   timeout=TIMEOUT)
    return True
