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

"""Tracing a probe through the router's devices, for path tests.

A mixin of DvrScenarioTest subclasses: capture points from the API's
ports, a traced ping at every point, the hop lists, the raw captures and
the path picture attached, expectations checked (common/paths.py).
"""

import collections

from tempest import config

from dvr_tempest_plugin.common import hoststate
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import paths
from dvr_tempest_plugin.common import probes
from dvr_tempest_plugin.common import router_api
from dvr_tempest_plugin.common import topology
from dvr_tempest_plugin.report import artifacts
from dvr_tempest_plugin.report import svg_path

CONF = config.CONF

PROBES = 5
MAX_PACKETS = 4 * PROBES + 20
REQUEST = paths.REQUEST
REPLY = paths.REPLY
IN = paths.IN
OUT = paths.OUT


class PathTracing(object):
    """Capture points, traced pings and their checks."""

    # -- points, from the API ------------------------------------------------

    def qr_point(self, host, subnet):
        port = self.port_on_subnet(self.router_ports(router_api.DVR_INTERFACE),
                                   self.subnets[subnet])
        return paths.Point(host, naming.qrouter_namespace(self.router['id']),
                           naming.qr_device(port['id']), 'qr- %s' % subnet)

    def rfp_point(self, host):
        return paths.Point(host, naming.qrouter_namespace(self.router['id']),
                           naming.rfp_device(self.router['id']), 'rfp-')

    def fpr_point(self, host):
        return paths.Point(
            host, naming.fip_namespace(CONF.network.public_network_id),
            naming.fpr_device(self.router['id']), 'fpr-')

    def fg_point(self, host):
        port = self.plumbed_fip_agent_gateway_port(host)
        return paths.Point(
            host, naming.fip_namespace(CONF.network.public_network_id),
            naming.fg_device(port['id']), 'fg-')

    def fip_path_points(self, host, subnet):
        return [self.qr_point(host, subnet), self.rfp_point(host),
                self.fpr_point(host), self.fg_point(host)]

    def sg_point(self, snat_host, subnet):
        port = self.port_on_subnet(
            self.router_ports(router_api.CENTRALIZED_SNAT),
            self.subnets[subnet])
        return paths.Point(snat_host,
                           naming.snat_namespace(self.router['id']),
                           naming.sg_device(port['id']), 'sg- %s' % subnet)

    def qg_point(self, snat_host):
        gateway = self.router_ports(router_api.ROUTER_GATEWAY)[0]
        return paths.Point(snat_host,
                           naming.snat_namespace(self.router['id']),
                           naming.qg_device(gateway['id']), 'qg-')

    def snat_points(self, snat_host):
        """sg- of each subnet, then qg-, in the snat namespace."""
        return ([self.sg_point(snat_host, subnet)
                 for subnet in topology.SUBNETS]
                + [self.qg_point(snat_host)])

    # -- tracing -------------------------------------------------------------

    def wait_points_exist(self, points):
        """Wait until every capture point's device is in its namespace.

        The agent may still be plugging a new router's devices; a capture
        on a device that never comes fails with the namespace's listing.
        """
        devices = collections.defaultdict(dict)
        for point in points:
            devices[point.host, point.namespace][point.device] = (
                hoststate.Device(point.role, None))
        for (host, namespace), expected in sorted(devices.items()):
            self.assert_namespace(host, namespace, expected)

    def trace(self, request_path, reply_path, elsewhere, send, source,
              destination):
        """Capture a fresh Probe at every point while send(probe) pings.

        request_path and reply_path are the points requests and replies
        should travel, in order (for the hop list and the picture);
        elsewhere are points off the path. source and destination are the
        request's Endpoints.
        """
        points = list(dict.fromkeys(
            list(request_path) + list(reply_path) + list(elsewhere)))
        self.wait_points_exist(points)
        probe = probes.Probe.unique()
        trace = paths.PathTrace(points, probe, self.host, MAX_PACKETS)
        trace.start(self.addCleanup)
        result = send(probe)
        observations = trace.stop()
        observations.path_order[REQUEST] = list(request_path)
        observations.path_order[REPLY] = list(reply_path)
        observations.source, observations.destination = source, destination
        observations.answered = result.received
        self.attach_text('probe',
                         '%s\nfilter: %s' % (probe, probe.bpf_filter()))
        self.attach_text('ping', result.summary() + '\n\n' + result.output)
        self.attach_text('hop-list', observations.hop_lists())
        self.attach_text('captures', observations.raw_text())
        for point, data in observations.pcaps.items():
            if data:
                self.attach_artifact('capture-%s-%s.pcap' % (
                    point.host, point.device), artifacts.PCAP, data)
        if not result.received:
            self.attach_path_picture(observations)
        self.assertGreater(result.received, 0,
                           'the traced ping got no reply: %s' %
                           result.summary())
        return observations

    def attach_path_picture(self, observations):
        self.attach_picture('path.svg', lambda: svg_path.draw(
            observations, self.id().rsplit('.', 1)[-1]))

    def check_path(self, observations, expectations):
        """Check every expectation, attach the picture, fail on any problem.

        The picture shows all of them, met or not; the failure lists every
        problem found, then the hop lists.
        """
        problems = observations.check(expectations)
        self.attach_path_picture(observations)
        if problems:
            self.fail('%s\n%s' % ('\n'.join(problems),
                                  observations.hop_lists()))

    def warm_up(self, send, diagnose=lambda: ''):
        """Ping until answered, so that the traced burst meets no ARP."""
        result = self.ping_until_answered(send)
        if not result.received:
            self.fail('expected replies before tracing, found none: %s%s'
                      % (result.summary(), diagnose()))

    @staticmethod
    def endpoint(vm):
        return paths.Endpoint(vm.name, vm.host, vm.fixed_ip)

    @staticmethod
    def outside_endpoint(address):
        return paths.Endpoint('outside', None, address)

    # -- paths shared by the path tests ---------------------------------

    def check_east_west_routed_on_sender_host(self):
        """VM1 -> VM2 routed by A's qrouter, the reply by B's; no snat."""
        vm1, vm2 = self.vms['vm1'], self.vms['vm2']
        host_a, host_b = vm1.host, vm2.host
        snat_host = self.current_snat_host()
        a1, a2 = (self.qr_point(host_a, 'subnet1'),
                  self.qr_point(host_a, 'subnet2'))
        b2, b1 = (self.qr_point(host_b, 'subnet2'),
                  self.qr_point(host_b, 'subnet1'))
        snat = self.snat_points(snat_host)

        def send(probe):
            return probes.ping_from_vm(self.ssh_client(vm1), probe,
                                       vm2.fixed_ip, PROBES, str(vm1))

        self.warm_up(lambda: self.ping_from_vm(vm1, vm2.fixed_ip),
                     lambda: self.east_west_diagnosis(vm1, vm2))
        seen = self.trace([a1, a2], [b2, b1], snat, send,
                          self.endpoint(vm1), self.endpoint(vm2))
        self.attach_text('snat-namespace-saw', '\n'.join(
            '%s: %d probe packet(s)' % (p, seen.any_probe_packets(p))
            for p in snat))

        self.check_path(seen, [
            paths.seen(a1, REQUEST, vm1.fixed_ip, vm2.fixed_ip, IN),
            paths.seen(a2, REQUEST, vm1.fixed_ip, vm2.fixed_ip, OUT),
            paths.seen(b2, REPLY, vm2.fixed_ip, vm1.fixed_ip, IN),
            paths.seen(b1, REPLY, vm2.fixed_ip, vm1.fixed_ip, OUT)] +
            [paths.not_forwarded(point, REQUEST) for point in (b1, b2)] +
            [paths.not_forwarded(point, REPLY) for point in (a1, a2)] +
            [paths.not_forwarded(point, icmp_type) for point in snat
             for icmp_type in (REQUEST, REPLY)] +
            [paths.untouched(self.qg_point(snat_host))])
