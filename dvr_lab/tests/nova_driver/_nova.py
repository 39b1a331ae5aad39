"""Import helpers for tests of the lab's Nova driver (needs nova)."""

from dvr_lab import nova_compute

nova_compute.extend_nova_virt_path()

from nova.network import model  # noqa: E402
from nova.virt.dvrlab import driver  # noqa: E402
from nova.virt.dvrlab import naming  # noqa: E402
from nova.virt.dvrlab import netinfo  # noqa: E402
from nova.virt.dvrlab import plumbing  # noqa: E402
from nova.virt.dvrlab import process  # noqa: E402

__all__ = ['driver', 'model', 'naming', 'netinfo', 'plumbing', 'process',
           'make_vif', 'make_network_info']

PORT_A = '3f8b2a44-5c1d-4e07-9a21-0d6b1f7e9c11'
PORT_B = '9a0c7e55-1b2d-4f3e-8c4a-77aa66bb5502'


def make_vif(port_id, mac, ips, cidr, gateway=None, mtu=1450, active=False,
             vif_type='ovs', bridge='br-int', devname=None):
    subnet = model.Subnet(
        cidr=cidr,
        gateway=model.IP(address=gateway, type='gateway') if gateway
        else None,
        ips=[model.FixedIP(address=ip) for ip in ips])
    v6 = model.Subnet(cidr='fd00:99::/64',
                      ips=[model.FixedIP(address='fd00:99::5')])
    network = model.Network(id='net-1', bridge=bridge, label='private',
                            subnets=[v6, subnet], mtu=mtu)
    return model.VIF(id=port_id, address=mac, network=network,
                     type=vif_type, devname=devname, active=active,
                     ovs_interfaceid=port_id)


def make_network_info():
    return model.NetworkInfo([
        make_vif(PORT_A, 'FA:16:3E:00:00:01', ['10.99.0.5'], '10.99.0.0/24',
                 gateway='10.99.0.1', devname='tap' + PORT_A[:11]),
        make_vif(PORT_B, 'fa:16:3e:00:00:02', ['10.98.0.7', '10.98.0.8'],
                 '10.98.0.0/24', gateway='10.98.0.1', mtu=1400, active=True),
    ])
