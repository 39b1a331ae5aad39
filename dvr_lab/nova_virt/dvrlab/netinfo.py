"""Turn nova's network_info into what the driver plumbs (pure code)."""

import collections

import netaddr

from . import naming

DEFAULT_MTU = 1500
DEFAULT_BRIDGE = 'br-int'
SUPPORTED_VIF_TYPES = ('ovs',)

VifPlan = collections.namedtuple('VifPlan', [
    'vif_id',       # neutron port id
    'iface_id',     # external_ids:iface-id (ovs_interfaceid or port id)
    'tap',          # host end of the veth, on the bridge
    'dev',          # server end, inside the server namespace
    'mac',
    'mtu',
    'bridge',
    'addresses',    # ['10.0.0.5/24', ...] (IPv4)
    'gateway',      # default gateway for this device, or None
    'active',       # neutron said the port was already ACTIVE
])


class UnsupportedVif(ValueError):
    pass


def _ipv4_subnets(network):
    for subnet in (network or {}).get('subnets') or []:
        cidr = subnet.get('cidr')
        if not cidr:
            continue
        if netaddr.IPNetwork(cidr).version == 4:
            yield subnet


def _gateway(subnet):
    gw = subnet.get('gateway')
    if gw and gw.get('address'):
        return str(gw['address'])
    return None


def plan_vifs(network_info):
    """List of VifPlan, one per VIF, in network_info order.

    The first IPv4 subnet (of the first VIF that has one) with a gateway
    provides the server's default route.
    """
    plans = []
    default_route_taken = False
    for index, vif in enumerate(network_info or []):
        vif_type = vif.get('type')
        if vif_type not in SUPPORTED_VIF_TYPES:
            raise UnsupportedVif(
                'VIF %s has vif_type %r; this driver plugs only %s'
                % (vif.get('id'), vif_type, ', '.join(SUPPORTED_VIF_TYPES)))
        network = vif.get('network') or {}
        meta = network.get('meta') or {}
        mtu = int(meta.get('mtu') or DEFAULT_MTU)
        addresses = []
        gateway = None
        for subnet in _ipv4_subnets(network):
            prefixlen = netaddr.IPNetwork(subnet['cidr']).prefixlen
            for ip in subnet.get('ips') or []:
                if ip.get('address'):
                    addresses.append('%s/%d' % (ip['address'], prefixlen))
            if gateway is None and not default_route_taken:
                gateway = _gateway(subnet)
        if gateway:
            default_route_taken = True
        plans.append(VifPlan(
            vif_id=vif['id'],
            iface_id=vif.get('ovs_interfaceid') or vif['id'],
            tap=naming.tap_name(vif['id'], vif.get('devname')),
            dev=naming.server_dev_name(index),
            mac=str(vif['address']).lower(),
            mtu=mtu,
            bridge=network.get('bridge') or DEFAULT_BRIDGE,
            addresses=addresses,
            gateway=gateway,
            active=bool(vif.get('active', True)),
        ))
    return plans


def events_to_wait_for(network_info):
    """network-vif-plugged events to wait for, as the libvirt driver does.

    Only VIFs that are not yet active undergo a down->up transition.
    """
    return [('network-vif-plugged', vif['id'])
            for vif in network_info or []
            if vif.get('active', True) is False and
            vif.get('vnic_type', 'normal') != 'remote-managed']


def plan_to_dict(plan):
    return dict(plan._asdict())


def plan_from_dict(data):
    return VifPlan(**{f: data.get(f) for f in VifPlan._fields})
