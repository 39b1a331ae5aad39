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

"""Keeping the lab's traffic away from any HTTP proxy the machine uses.

Whatever talks to the lab (its services, `up`, Tempest) gets no_proxy and
NO_PROXY naming the lab's addresses, after the entries already there.
"""

import os
import shlex

from dvr_lab import settings as s

LAB_DESTINATIONS = ('localhost', '127.0.0.1', s.CONTROLLER_IP) + s.LAB_CIDRS
VARIABLES = ('no_proxy', 'NO_PROXY')


def no_proxy(environ):
    """environ's no_proxy entries (both spellings), then the lab's."""
    entries = []
    for name in VARIABLES:
        for entry in environ.get(name, '').split(','):
            entry = entry.strip()
            if entry and entry not in entries:
                entries.append(entry)
    entries += [d for d in LAB_DESTINATIONS if d not in entries]
    return ','.join(entries)


def environment(environ=None):
    """environ (default: this process's) skipping proxies for the lab."""
    environ = dict(os.environ if environ is None else environ)
    environ.update(dict.fromkeys(VARIABLES, no_proxy(environ)))
    return environ


def exports(environ):
    """Shell lines exporting environment(environ)'s no_proxy variables."""
    value = shlex.quote(no_proxy(environ))
    return ''.join('export %s=%s\n' % (name, value) for name in VARIABLES)
