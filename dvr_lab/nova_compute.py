"""nova-compute with the lab's driver importable as ``nova.virt.dvrlab``.

Nova loads ``compute_driver`` only from inside the ``nova.virt`` package,
so this launcher appends ``dvr_lab/nova_virt`` to ``nova.virt.__path__``
and then runs nova's own ``nova-compute`` entry point:

    python -m dvr_lab.nova_compute --config-file .../nova.conf
"""

import os
import sys

NOVA_VIRT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             'nova_virt')


def extend_nova_virt_path():
    """Make ``nova.virt.dvrlab`` importable (idempotent)."""
    import nova.virt
    if NOVA_VIRT_DIR not in nova.virt.__path__:
        nova.virt.__path__.append(NOVA_VIRT_DIR)


def main():
    # nova.cmd.compute applies nova's monkey patching when imported: import
    # it before anything else of nova.
    from nova.cmd import compute
    extend_nova_virt_path()
    return compute.main()


if __name__ == '__main__':
    sys.exit(main())
