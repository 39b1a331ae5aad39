# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""A router migrated legacy -> DVR -> DVR+HA -> DVR -> legacy, checked.

Neutron changes a router's distributed and ha flags only while it is
admin-down (neutron/db/l3_dvr_db.py, _validate_router_migration;
neutron/db/l3_hamode_db.py, _validate_migration). After each migration
the namespaces of every host must match the new mode and traffic must
flow again; neutron-tempest-plugin's test_migration checks only the API
and ping.
"""

import time

from tempest.lib import decorators

from dvr_tempest_plugin.common import expected_devices
from dvr_tempest_plugin.common import l3_ha
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import router_api
from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin.common import topology
from dvr_tempest_plugin.tests.scenario import test_dvr_ha

LEGACY = 'legacy'
DVR = 'DVR'
DVR_HA = 'DVR+HA'
MODES = {LEGACY: {'distributed': False, 'ha': False},
         DVR: {'distributed': True, 'ha': False},
         DVR_HA: {'distributed': True, 'ha': True}}
STEPS = (DVR, DVR_HA, DVR, LEGACY)


class RouterMigrationBase(test_dvr_ha.DvrHaTestBase):
    """The article's topology on a router that migrates (no tests here)."""

    router_ha = False

    @classmethod
    def wait_initial_snat_host(cls):
        return topology.wait_snat_host(
            cls.admin_routers_client, cls.router['id'],
            settings.convergence_timeout())

    @classmethod
    def current_snat_host(cls):
        """The active host of an HA router, else its one L3 agent's host."""
        found = cls.router_l3_agents()
        if cls.router_mode() == DVR_HA:
            return l3_ha.active_host(found)
        return found[0]['host'] if len(found) == 1 else None

    @classmethod
    def router_mode(cls):
        router = cls.admin_routers_client.show_router(
            cls.router['id'])['router']
        for name, flags in MODES.items():
            if all(bool(router.get(k)) == v for k, v in flags.items()):
                return name
        return 'distributed=%s ha=%s' % (router.get('distributed'),
                                         router.get('ha'))

    def check_migrations(self, initial, steps):
        """Check the router as initial, then migrate it through steps.

        Each migration: admin_state_up False, the new flags, admin_state_up
        True. Then, on every host that could hold the router (VM hosts,
        dvr_snat hosts): legacy, qrouter- with qr- and qg- on the one L3
        agent's host only and no snat-; DVR, qrouter- with qr- and rfp- on
        the VM hosts and the SNAT host, snat- with sg-/qg- on the SNAT host
        only; DVR+HA, one active and standbys in the API, snat- with ha-
        on each, the qg-/sg- addresses on the active only. And traffic:
        the tester to VM1's floating IP, VM1 to VM2, VM2 (no floating IP)
        to the outside through SNAT. The detail migration-times gives each
        step's convergence time, from admin-up to all of that checked.
        """
        outside = self.outside_address()
        hosts = sorted(set(self.vm_hosts.values()) |
                       set(self.dvr_snat_hosts()))
        self.require_host_access(hosts)
        self.check_mode(initial, hosts, outside)
        times = []
        previous = initial
        for mode in steps:
            started = self.migrate(mode)
            self.check_mode(mode, hosts, outside)
            times.append('%s -> %s: %.1f s' % (
                previous, mode, time.monotonic() - started))
            previous = mode
            self.attach_text('migration-times', '\n'.join(times))


class RouterMigrationTest(RouterMigrationBase):
    """Every migration, on a router that starts legacy.

    Skips, naming the need, as the DVR+HA classes do: the DVR+HA step
    needs the l3-ha extension and two alive dvr_snat agents.
    """

    router_distributed = False
    needs_ha_capability = True

    @decorators.idempotent_id('9286f1a0-326e-4e3a-8b73-da841a7a06e0')
    def test_migrations_keep_hosts_and_traffic_right(self):
        """legacy -> DVR -> DVR+HA -> DVR -> legacy, each checked on hosts.

        See RouterMigrationBase.check_migrations for what is checked.
        """
        self.check_migrations(LEGACY, STEPS)


class DvrToLegacyMigrationTest(RouterMigrationBase):
    """A router that starts distributed, made legacy.

    RouterMigrationTest reaches this step last, after the steps that
    Neutron's stale-MAC defect breaks (doc/source/neutron-defects.rst);
    here it is the only one.
    """

    router_distributed = True

    @decorators.idempotent_id('5903af73-6ded-405f-8223-a079bcc79e52')
    def test_dvr_to_legacy_keeps_hosts_and_traffic_right(self):
        """DVR -> legacy: qrouter- leaves the computes, traffic holds.

        See RouterMigrationBase.check_migrations for what is checked.
        """
        self.check_migrations(DVR, (LEGACY,))

    # -- migration -----------------------------------------------------------

    def migrate(self, mode):
        """Admin-down, the new flags, admin-up; when it went up."""
        client = self.admin_routers_client
        router_id = self.router['id']
        client.update_router(router_id, admin_state_up=False)
        client.update_router(router_id, **MODES[mode])
        client.update_router(router_id, admin_state_up=True)
        found = self.router_mode()
        if found != mode:
            self.fail('router %s: expected %s after the update, the API '
                      'shows %s' % (router_id, mode, found))
        return time.monotonic()

    # -- checks --------------------------------------------------------------

    def check_mode(self, mode, hosts, outside):
        router_id = self.router['id']
        qrouter = naming.qrouter_namespace(router_id)
        snat = naming.snat_namespace(router_id)
        if mode == LEGACY:
            host = self.wait_initial_snat_host()
            self.assert_namespace(host, qrouter, self.legacy_devices())
            for other in hosts:
                if other != host:
                    self.assert_no_namespace(other, qrouter)
                self.assert_no_namespace(other, snat)
        elif mode == DVR:
            snat_host = self.wait_initial_snat_host()
            for host in sorted(set(self.vm_hosts.values()) | {snat_host}):
                self.assert_namespace(host, qrouter, self.qrouter_devices())
            self.assert_namespace(snat_host, snat, self.snat_devices())
            for other in hosts:
                if other != snat_host:
                    self.assert_no_namespace(other, snat)
        else:
            found = self.wait_ha_settled()
            active = l3_ha.active_host(found)
            for host in sorted(set(self.vm_hosts.values()) | {active}):
                self.assert_namespace(host, qrouter, self.qrouter_devices())
            self.assert_namespace(active, snat, self.active_devices(active))
            for host in l3_ha.hosts_in_state(found, l3_ha.STANDBY):
                self.assert_standby_without_addresses(host)
        self.check_traffic(mode, outside)

    def legacy_devices(self):
        return self._expected(
            expected_devices.legacy_qrouter_devices, self.subnets,
            self.router_ports(router_api.LEGACY_INTERFACE),
            self.router_ports(router_api.ROUTER_GATEWAY)[0])

    def check_traffic(self, mode, outside):
        vm1, vm2 = self.vms['vm1'], self.vms['vm2']
        no_diagnosis = str
        checks = (
            ('tester -> %s floating IP' % vm1.name,
             lambda: self.ping_from_tester(vm1.floating_ip_address),
             no_diagnosis),
            ('%s -> %s (east-west)' % (vm1, vm2),
             lambda: self.ping_from_vm(vm1, vm2.fixed_ip),
             lambda: self.east_west_diagnosis(vm1, vm2)),
            ('%s -> outside %s (SNAT)' % (vm2, outside),
             lambda: self.ping_from_vm(vm2, outside, via=vm1),
             no_diagnosis),
        )
        failed = []
        for name, send, diagnose in checks:
            result = self.ping_until_answered(send)
            if not result.received:
                failed.append('%s: %s%s' % (name, result.summary(),
                                            diagnose()))
        if failed:
            self.attach_api_bindings()
            self.fail('router %s as %s: expected every probe answered, '
                      'found:\n%s' % (self.router['id'], mode,
                                      '\n'.join(failed)))
