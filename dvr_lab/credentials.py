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

"""The lab's passwords: drawn at random by each `up`, kept in a 0600 file.

`up` draws them (create) once the previous lab is gone; whatever writes a
configuration or talks to the APIs reads them (load).
"""

import dataclasses
import json
import secrets

from dvr_lab import private_files
from dvr_lab import settings


class NoSecrets(RuntimeError):
    pass


def _secret():
    return dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class Secrets:
    admin: str = _secret()      # keystone's admin, Tempest's admin
    service: str = _secret()    # glance, placement, nova, neutron users
    database: str = _secret()   # every MariaDB user
    rabbit: str = _secret()     # RabbitMQ's one user
    metadata: str = _secret()   # the metadata proxy's shared secret


def _draw():
    # Hex: needs no quoting in URLs, SQL strings, ini or rabbitmq.conf.
    return secrets.token_hex(24)


def create(path=None):
    """New passwords for a new lab, written 0600 to the state directory."""
    drawn = Secrets(**{field.name: _draw()
                       for field in dataclasses.fields(Secrets)})
    private_files.write(path or settings.SECRETS_FILE,
                        json.dumps(dataclasses.asdict(drawn), indent=1))
    return drawn


def load(path=None):
    """The passwords of the lab `up` built."""
    path = path or settings.SECRETS_FILE
    try:
        with open(path) as f:
            return Secrets(**json.load(f))
    except (OSError, ValueError, TypeError) as exc:
        raise NoSecrets('no lab passwords in %s (%s): `dvr-lab up` draws '
                        'them' % (path, exc.__class__.__name__))
