"""What a breakage is."""


class Breakage:
    """A way to break the lab; apply() is idempotent.

    apply and undo get the scenario test instance and use only its
    public topology: router, vms, subnets, vm_hosts, router_gateway_ip(),
    router_ports(), current_snat_host() and its admin clients.
    """

    name = None
    conf = {}   # [dvr] option -> value while broken

    def apply(self, test):
        raise NotImplementedError

    def undo(self, test):
        pass


class OptionsOnly(Breakage):
    """A breakage that acts only through its [dvr] option overrides."""

    def apply(self, test):
        pass
