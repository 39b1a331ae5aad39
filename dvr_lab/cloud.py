"""Talking to the lab's APIs with openstacksdk (runs inside the lab venv)."""

import tempfile

from dvr_lab import credentials
from dvr_lab import settings as s

SERVICE_USERS = ('glance', 'placement', 'nova', 'neutron')
CATALOG = (
    # (service name, type, url path)
    ('glance', 'image', ''),
    ('placement', 'placement', ''),
    ('nova', 'compute', '/v2.1'),
    ('neutron', 'network', ''),
)


def admin_connection():
    import openstack
    return openstack.connect(
        auth_url=s.url('keystone') + '/v3', username='admin',
        password=credentials.load().admin, project_name='admin',
        user_domain_name='Default', project_domain_name='Default',
        region_name=s.REGION, identity_interface='public',
        load_envvars=False, load_yaml_config=False, api_timeout=60)


def register_catalog(conn):
    identity = conn.identity
    project = identity.find_project('service', domain_id='default')
    if project is None:
        project = identity.create_project(name='service',
                                          domain_id='default')
    admin_role = identity.find_role('admin')
    service_role = identity.find_role('service') or identity.create_role(
        name='service')
    password = credentials.load().service
    for name in SERVICE_USERS:
        user = identity.find_user(name, domain_id='default')
        if user is None:
            user = identity.create_user(name=name, domain_id='default',
                                        password=password)
        for role in (admin_role, service_role):
            identity.assign_project_role_to_user(project, user, role)
    for name, kind, path in CATALOG:
        service = identity.find_service(name)
        if service is None:
            service = identity.create_service(name=name, type=kind)
        existing = {e.interface for e in identity.endpoints(
            service_id=service.id)}
        for interface in ('public', 'internal', 'admin'):
            if interface not in existing:
                identity.create_endpoint(
                    service_id=service.id, interface=interface,
                    url=s.url(name) + path, region_id=s.REGION)


def agents_alive(conn):
    """{(host, agent type): alive} for every neutron agent."""
    return {(a.host, a.agent_type): a.is_alive
            for a in conn.network.agents()}


def computes_up(conn):
    return {svc.host: svc.state == 'up'
            for svc in conn.compute.services(binary='nova-compute')}


def create_public_network(conn):
    net = conn.network.find_network(s.PUBLIC_NETWORK)
    if net is None:
        net = conn.network.create_network(
            name=s.PUBLIC_NETWORK, is_router_external=True,
            provider_network_type='flat',
            provider_physical_network=s.PHYSNET)
    if not list(conn.network.subnets(network_id=net.id)):
        conn.network.create_subnet(
            network_id=net.id, name=s.PUBLIC_NETWORK + '-subnet',
            ip_version=4, cidr=s.PUBLIC_CIDR, gateway_ip=s.OUTSIDE_IP,
            is_dhcp_enabled=False,
            allocation_pools=[{'start': s.PUBLIC_POOL[0],
                               'end': s.PUBLIC_POOL[1]}])
    return net


def _upload(conn, name, path, disk_format, **properties):
    image = conn.image.find_image(name)
    if image is None:
        image = conn.image.create_image(
            name=name, filename=path, disk_format=disk_format,
            container_format=disk_format, visibility='public',
            allow_duplicates=False, wait=True, **properties)
    return image


def create_image(conn, guest):
    """The guest as devstack registers a UEC image: aki, ari and ami.

    The machine image is an empty disk: the guest lives in its initramfs,
    and nova boots it with the kernel and ramdisk directly.
    """
    kernel = _upload(conn, s.KERNEL_IMAGE_NAME, guest.kernel, 'aki')
    ramdisk = _upload(conn, s.RAMDISK_IMAGE_NAME, guest.initramfs, 'ari')
    with tempfile.NamedTemporaryFile() as disk:
        disk.truncate(1024 * 1024)
        return _upload(conn, s.IMAGE_NAME, disk.name, 'ami',
                       kernel_id=kernel.id, ramdisk_id=ramdisk.id,
                       hw_rng_model='virtio')


def create_flavor(conn):
    flavor = conn.compute.find_flavor(s.FLAVOR_NAME)
    if flavor is None:
        flavor = conn.compute.create_flavor(
            name=s.FLAVOR_NAME, ram=s.FLAVOR_RAM_MB, vcpus=1, disk=1,
            is_public=True)
        # a virtio RNG: under TCG the guest has no other entropy for its
        # SSH host keys
        conn.compute.create_flavor_extra_specs(
            flavor, {'hw_rng:allowed': 'True'})
    return flavor
