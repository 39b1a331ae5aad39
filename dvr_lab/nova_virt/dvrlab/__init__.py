"""dvr-lab's Nova compute driver: servers are network namespaces.

The lab makes this package importable as ``nova.virt.dvrlab`` (see
``dvr_lab.nova_compute``), so nova.conf says
``compute_driver = dvrlab.driver.NamespaceDriver``.

A server is a network namespace bound to ``<instances_path>/<uuid>/netns``
(never listed by ``ip netns``), with one veth per VIF whose host end is
plugged into br-int like a libvirt tap, and an sshd listening inside it.
"""
