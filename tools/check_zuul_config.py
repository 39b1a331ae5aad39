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

"""Check zuul.d/ with Zuul's own configuration code (tox -e zuul-config).

Every zuul.d item is loaded with Zuul's YAML loader and parsed with Zuul's
job, nodeset and project parsers (zuul 14.x, zuul.configloader), as a
Zuul scheduler would, next to trimmed copies of the parent jobs and
nodesets (tools/zuul-parents.yaml). Any configuration error fails.

Then the job's effective variables on each node are computed the way Zuul
computes them: vars, group-vars and host-vars merged down the inheritance
chain (zuul.model.Job._deepUpdate, dictionaries merged key by key), then
squashed per node with Ansible's precedence
(zuul.executor.server.squash_variables), and checked: every node runs
ML2/Open vSwitch with Q_DVR_MODE=dvr_snat and no OVN service, the
controller the control plane without nova-compute, the subnodes
nova-compute and every Neutron agent.

--self-test also shows that the parsers reject typos yaml.safe_load
accepts. Needs zuul installed: it is not in test-requirements.txt.
"""

import argparse
import glob
import os
import sys
import types

import yaml
from zuul import configloader
from zuul.executor import server as executor_server
from zuul import model

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARENTS = os.path.join(REPO_ROOT, 'tools', 'zuul-parents.yaml')
JOB = 'dvr-tempest-plugin-multinode-dvr'
# The parsers want a project for the source context; nothing checks it.
PROJECT = 'dvr-tempest-plugin'
CONNECTION = 'opendev'
HOSTNAME = 'opendev.org'

OVN_SERVICES = ('ovn-controller', 'ovn-northd', 'q-ovn-agent',
                'q-ovn-metadata-agent')
CONTROLLER_SERVICES = {'q-svc': True, 'q-agt': True, 'q-l3': True,
                       'q-dhcp': True, 'q-meta': True, 'n-cpu': False}
SUBNODE_SERVICES = {'n-cpu': True, 'q-agt': True, 'q-l3': True,
                    'q-dhcp': True, 'q-meta': True}
LOCALRC = {'Q_AGENT': 'openvswitch', 'Q_DVR_MODE': 'dvr_snat',
           'Q_ML2_TENANT_NETWORK_TYPE': 'vxlan'}


class Parsed(object):
    """What Zuul's parsers made of some configuration files."""

    def __init__(self):
        self.jobs = {}
        self.nodesets = {}
        self.projects = []
        self.errors = []
        self.short_errors = []


def parse(files, parsed=None):
    """Parse {path: text} with Zuul's loader and parsers into parsed."""
    parsed = parsed or Parsed()
    pcontext = configloader.ParseContext(
        types.SimpleNamespace(connections={}), None, None, None)
    parsers = {'job': pcontext.job_parser,
               'nodeset': pcontext.nodeset_parser,
               'project': pcontext.project_parser,
               'project-template': pcontext.project_template_parser}
    for path, text in sorted(files.items()):
        context = model.SourceContext(
            '%s/%s' % (HOSTNAME, PROJECT), PROJECT, CONNECTION, 'master',
            path)
        unparsed = model.UnparsedConfig()
        with pcontext.errorContext(source_context=context):
            with pcontext.accumulator.catchErrors():
                unparsed.extend(configloader.safe_load_yaml(text, context))
        kinds = (('nodeset', unparsed.nodesets), ('job', unparsed.jobs),
                 ('project-template', unparsed.project_templates),
                 ('project', unparsed.projects))
        for kind, items in kinds:
            for conf in items:
                with pcontext.errorContext(stanza=kind, conf=conf):
                    with pcontext.accumulator.catchErrors():
                        add(parsed, kind, parsers[kind].fromYaml(conf))
        others = [name for name in ('pragmas', 'pipelines', 'secrets',
                                    'semaphores', 'queues')
                  if getattr(unparsed, name)]
        if others:
            parsed.errors.append('%s: unexpected %s' % (path, others))
            parsed.short_errors.append(parsed.errors[-1])
    parsed.errors.extend(error.error for error in pcontext.error_list)
    parsed.short_errors.extend(error.short_error
                               for error in pcontext.error_list)
    return parsed


def add(parsed, kind, obj):
    if kind == 'job':
        if obj.name in parsed.jobs:
            raise Exception('job %s defined twice' % obj.name)
        parsed.jobs[obj.name] = obj
    elif kind == 'nodeset':
        parsed.nodesets[obj.name] = obj
    elif kind == 'project':
        parsed.projects.append(obj)


def read(paths):
    files = {}
    for path in paths:
        with open(path) as f:
            files[os.path.relpath(path, REPO_ROOT)] = f.read()
    return files


def zuul_d_files():
    return read(sorted(glob.glob(os.path.join(REPO_ROOT, 'zuul.d',
                                              '*.yaml'))))


def chain(parsed, name):
    """The job and its parents, base first, as Zuul inherits them."""
    jobs = []
    while name is not None:
        if name not in parsed.jobs:
            raise LookupError('job %s: not in zuul.d nor in %s'
                              % (name, os.path.basename(PARENTS)))
        job = parsed.jobs[name]
        jobs.insert(0, job)
        if job.parent == job.BASE_JOB_MARKER:
            name = None
        else:
            name = job.parent or ('base' if name != 'base' else None)
    return jobs


def effective(parsed, name):
    """Zuul's merge down the chain: nodeset, variables, projects."""
    merged = {'variables': {}, 'group_variables': {},
              'host_variables': {}, 'extra_variables': {}}
    nodeset = None
    projects = []
    for job in chain(parsed, name):
        for attr in merged:
            merged[attr] = model.Job._deepUpdate(merged[attr],
                                                 getattr(job, attr))
        if job._get('nodeset') is not None:
            nodeset = job.nodeset
        projects.extend(job.required_projects)
    if isinstance(nodeset, str):
        nodeset = parsed.nodesets[nodeset]
    return nodeset, merged, projects


def node_variables(nodeset, merged):
    """Per node, what Ansible sees: Zuul's squash_variables."""
    nodes = []
    for node in nodeset.getNodes():
        names = node.name if isinstance(node.name, list) else [node.name]
        host_vars = {}
        for name in names:
            host_vars.update(merged['host_variables'].get(name, {}))
        nodes.append({'name': names[0], 'host_vars': host_vars})
    return executor_server.squash_variables(
        nodes, nodeset, merged['variables'], merged['group_variables'],
        merged['extra_variables'])


def check_node(problems, node, variables, expected_services):
    localrc = variables.get('devstack_localrc', {})
    services = variables.get('devstack_services', {})
    for key, value in sorted(LOCALRC.items()):
        if localrc.get(key) != value:
            problems.append('%s: devstack_localrc %s is %r, expected %r'
                            % (node, key, localrc.get(key), value))
    for service, value in sorted(expected_services.items()):
        if services.get(service) is not value:
            problems.append('%s: devstack_services %s is %r, expected %r'
                            % (node, service, services.get(service), value))
    for service in OVN_SERVICES:
        if services.get(service, False) is not False:
            problems.append('%s: OVN service %s enabled (%r)'
                            % (node, service, services.get(service)))
    agent = (variables.get('devstack_local_conf', {}).get('post-config', {})
             .get('/$NEUTRON_CORE_PLUGIN_CONF', {}).get('agent', {}))
    if agent.get('enable_distributed_routing') is not True:
        problems.append('%s: [agent] enable_distributed_routing not True'
                        % node)


def check(parsed):
    """Problems of the parsed configuration, [] when it is right."""
    problems = list(parsed.errors)
    if problems:
        return problems
    if JOB not in parsed.jobs:
        return ['job %s not defined' % JOB]
    job = parsed.jobs[JOB]
    try:
        nodeset, merged, projects = effective(parsed, JOB)
    except LookupError as e:
        return [str(e)]
    per_node = node_variables(nodeset, merged)
    subnodes = set()
    for group in nodeset.getGroups():
        if group.name == 'subnode':
            subnodes = set(group.nodes)
    if 'controller' not in per_node or not subnodes:
        problems.append('nodeset: expected a controller and subnodes, '
                        'found %s' % sorted(per_node))
    for node, variables in sorted(per_node.items()):
        if node == 'controller':
            check_node(problems, node, variables, CONTROLLER_SERVICES)
        elif node in subnodes:
            check_node(problems, node, variables, SUBNODE_SERVICES)
        else:
            problems.append('%s: neither the controller nor a subnode'
                            % node)
    short_names = {project.split('/')[-1] for project in projects}
    for plugin in merged['variables'].get('tempest_plugins', []):
        if plugin not in short_names:
            problems.append(
                'tempest_plugins: %s is no required project\'s directory '
                'under /opt/stack (%s)' % (plugin, sorted(short_names)))
    for project in parsed.projects:
        for pipeline, config in sorted(project.pipelines.items()):
            for name, variants in config.job_list.jobs.items():
                if name not in parsed.jobs:
                    problems.append('%s: unknown job %s' % (pipeline, name))
                if name != JOB:
                    continue
                voting = [v.voting for v in variants
                          if v._get('voting') is not None]
                voting = voting[-1] if voting else job.voting
                if pipeline == 'gate':
                    problems.append('gate runs %s: it is non-voting in '
                                    'check only' % JOB)
                elif pipeline == 'check' and voting:
                    problems.append('check: %s votes' % JOB)
    return problems


def load():
    parsed = parse(read([PARENTS]))
    if parsed.errors:
        return parsed
    return parse(zuul_d_files(), parsed)


# Typos YAML accepts and Zuul does not, made in zuul.d/jobs.yaml:
# (what, old, new, a word of the error Zuul must give).
TYPOS = [
    ('pre_run instead of pre-run', '    pre-run:', '    pre_run:',
     "extra keys not allowed @ data['pre_run']"),
    ('a duplicate key', '    timeout: 10800\n',
     '    timeout: 10800\n    timeout: 7200\n', 'timeout'),
    ('a group naming an unknown node',
     '        - name: peers\n          nodes:\n            - cpnw1\n',
     '        - name: peers\n          nodes:\n            - cpnw3\n',
     'cpnw3'),
    ('a bad regex in irrelevant-files', '      - ^tox.ini$\n',
     '      - ^tox.ini($\n', 'missing ), unterminated subpattern'),
    # and what only the merge with the parents shows: devstack's subnode
    # group-vars enable ovn-controller unless the job turns it off
    ('a subnode without ovn-controller: false',
     '          ovn-controller: false\n', '',
     'cpnw1: OVN service ovn-controller enabled'),
]


def self_test():
    """Each typo: yaml.safe_load takes it, Zuul or the check rejects it."""
    failures = 0
    base = zuul_d_files()
    path = os.path.join('zuul.d', 'jobs.yaml')
    for what, old, new, expected in TYPOS:
        if base[path].count(old) != 1:
            print('FAIL %s: %r not found once in %s' % (what, old, path))
            failures += 1
            continue
        files = dict(base)
        files[path] = base[path].replace(old, new)
        yaml.safe_load(files[path])
        parsed = parse(files, parse(read([PARENTS])))
        said = ' / '.join(' '.join(e.split()) for e in parsed.short_errors
                          or check(parsed))
        if expected in said:
            print('ok   %s: yaml.safe_load accepts it; rejected: %s'
                  % (what, said))
        else:
            print('FAIL %s: expected Zuul to say %r, it said %r'
                  % (what, expected, said or 'nothing'))
            failures += 1
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--self-test', action='store_true',
                        help='also show that typos are rejected')
    args = parser.parse_args(argv)
    parsed = load()
    problems = check(parsed)
    for problem in problems:
        print('ERROR', problem)
    if not problems:
        nodeset, merged, projects = effective(parsed, JOB)
        per_node = node_variables(nodeset, merged)
        print('ok   zuul.d parsed by Zuul %s: %d jobs, %d nodesets, '
              '%d project stanzas (with the parents)'
              % (zuul_version(), len(parsed.jobs), len(parsed.nodesets),
                 len(parsed.projects)))
        print('ok   %s: %s' % (JOB, ' -> '.join(
            job.name for job in reversed(chain(parsed, JOB)))))
        for node, variables in sorted(per_node.items()):
            services = variables['devstack_services']
            print('ok   %s: Q_DVR_MODE=%s, enabled: %s' % (
                node, variables['devstack_localrc']['Q_DVR_MODE'],
                ' '.join(sorted(s for s, on in services.items()
                                if on is True))))
    failures = len(problems)
    if args.self_test:
        failures += self_test()
    return 1 if failures else 0


def zuul_version():
    try:
        from importlib import metadata
        return metadata.version('zuul')
    except Exception:
        return '?'


if __name__ == '__main__':
    sys.exit(main())
