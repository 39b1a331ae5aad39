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

"""Fail unless every "name==version" of a constraints file is installed."""

import importlib.metadata
import sys


def pins(path):
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                name, version = line.split('==')
                yield name.strip(), version.strip()


def main(path):
    wrong = []
    for name, version in pins(path):
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = 'not installed'
        print('%s==%s (installed: %s)' % (name, version, installed))
        if installed != version:
            wrong.append(name)
    if wrong:
        sys.exit('%s: not the pinned version of %s' %
                 (path, ', '.join(wrong)))


if __name__ == '__main__':
    main(sys.argv[1])
