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

"""Pictures and captures as testtools details, and as files in a folder.

The tests attach them (details travel in the subunit stream, where
dvr-report finds them) and, with [dvr] report_dir set, also write them to
<report_dir>/<test id>/<detail name>. No tempest import here.
"""

import os
import re

from testtools import content
from testtools import content_type

SVG = content_type.ContentType('image', 'svg+xml', {'charset': 'utf8'})
PCAP = content_type.ContentType('application', 'vnd.tcpdump.pcap')
_UNSAFE = re.compile(r'[^A-Za-z0-9._-]+')


def safe_name(name):
    """name as one file name: no separators, no leading dot."""
    return _UNSAFE.sub('_', name).lstrip('.') or '_'


def detail(kind, data):
    """A testtools Content of kind (SVG, PCAP) holding data (str or bytes)."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    return content.Content(kind, lambda: [data])


def write(folder, test_id, name, data):
    """Write data to folder/<test id>/<name>; return the path."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    directory = os.path.join(folder, safe_name(test_id))
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, safe_name(name))
    with open(path, 'wb') as f:
        f.write(data)
    return path


def _kind(detail_content):
    kind = detail_content.content_type
    return kind.type, kind.subtype


def is_svg(detail_content):
    return _kind(detail_content) == (SVG.type, SVG.subtype)


def is_pcap(detail_content):
    return _kind(detail_content) == (PCAP.type, PCAP.subtype)
