"""Talking to the lab's APIs with openstacksdk (runs inside the lab venv)."""

import os
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


def create_image(conn):
    image = conn.image.find_image(s.IMAGE_NAME)
    if image is None:
        with tempfile.NamedTemporaryFile() as data:
            data.write(os.urandom(1024 * 1024))
            data.flush()
            image = conn.image.create_image(
                name=s.IMAGE_NAME, filename=data.name, disk_format='raw',
                container_format='bare', visibility='public',
                allow_duplicates=False, wait=True)
    return image


def create_flavor(conn):
    flavor = conn.compute.find_flavor(s.FLAVOR_NAME)
    if flavor is None:
        flavor = conn.compute.create_flavor(
            name=s.FLAVOR_NAME, ram=64, vcpus=1, disk=1, is_public=True)
    return flavor
