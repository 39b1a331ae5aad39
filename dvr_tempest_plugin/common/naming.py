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

"""Names Neutron's L3 agent gives to DVR namespaces and devices.

Reimplemented from neutron/agent/l3/{namespaces,dvr_snat_ns,dvr_fip_ns,
dvr_edge_router,router_info}.py and neutron_lib's SNAT_INT_DEV_PREFIX:
namespaces are prefix + full id; devices are prefix + id cut to the
interface driver's DEV_NAME_LEN (the Linux IFNAMSIZ limit less one).
"""

DEV_NAME_LEN = 14

QROUTER_NS_PREFIX = 'qrouter-'
SNAT_NS_PREFIX = 'snat-'
FIP_NS_PREFIX = 'fip-'

INTERNAL_DEV_PREFIX = 'qr-'
EXTERNAL_DEV_PREFIX = 'qg-'
SNAT_INT_DEV_PREFIX = 'sg-'
FIP_EXT_DEV_PREFIX = 'fg-'
ROUTER_2_FIP_DEV_PREFIX = 'rfp-'
FIP_2_ROUTER_DEV_PREFIX = 'fpr-'
HA_DEV_PREFIX = 'ha-'       # neutron/agent/l3/ha_router.py
TAP_DEV_PREFIX = 'tap'      # nova/network/model.py, for a VM's port


def _device(prefix, identifier):
    return (prefix + identifier)[:DEV_NAME_LEN]


def qrouter_namespace(router_id):
    return QROUTER_NS_PREFIX + router_id


def snat_namespace(router_id):
    return SNAT_NS_PREFIX + router_id


def fip_namespace(ext_net_id):
    return FIP_NS_PREFIX + ext_net_id


def qr_device(port_id):
    """Router interface on a tenant subnet, in qrouter-."""
    return _device(INTERNAL_DEV_PREFIX, port_id)


def qg_device(port_id):
    """Router gateway on the external network, in snat- (DVR)."""
    return _device(EXTERNAL_DEV_PREFIX, port_id)


def sg_device(port_id):
    """Centralized SNAT interface on a tenant subnet, in snat-."""
    return _device(SNAT_INT_DEV_PREFIX, port_id)


def fg_device(port_id):
    """Floating IP agent gateway on the external network, in fip-."""
    return _device(FIP_EXT_DEV_PREFIX, port_id)


def rfp_device(router_id):
    """qrouter- end of the veth pair joining qrouter- and fip-."""
    return _device(ROUTER_2_FIP_DEV_PREFIX, router_id)


def fpr_device(router_id):
    """fip- end of the veth pair joining qrouter- and fip-."""
    return _device(FIP_2_ROUTER_DEV_PREFIX, router_id)


def ha_device(port_id):
    """Port on the HA network, where VRRP runs; in snat- (DVR+HA)."""
    return _device(HA_DEV_PREFIX, port_id)


def tap_device(port_id):
    """A guest's tap in br-int, as nova names it."""
    return _device(TAP_DEV_PREFIX, port_id)
