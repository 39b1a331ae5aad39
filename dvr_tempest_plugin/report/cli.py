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

"""dvr-report: a finished tempest run as one HTML page.

    dvr-report WORKSPACE_OR_SUBUNIT_FILE [-o out.html]

reads the last run of a tempest workspace's stestr repository (or a
subunit v2 file, or standard input with "-") and writes the page, with
the raw captures of the run in a folder next to it (out-files/).
"""

import argparse
import os
import sys

from dvr_tempest_plugin.report import artifacts
from dvr_tempest_plugin.report import html
from dvr_tempest_plugin.report import results

DEFAULT_OUTPUT = 'dvr-report.html'
TITLE = 'DVR test report'


def files_folder(out_path):
    """The folder of the raw files of the page at out_path."""
    return os.path.splitext(out_path)[0] + '-files'


def write_files(records, out_path):
    """Write the binary (non-text, non-picture) details next to the page.

    Returns (test id, detail name) -> href relative to the page.
    """
    folder = files_folder(out_path)
    links = {}
    for record in records:
        for name, detail in record.details.items():
            if detail.content_type.type == 'text' or artifacts.is_svg(detail):
                continue
            path = artifacts.write(folder, record.name, name,
                                   b''.join(detail.iter_bytes()))
            links[record.test_id, name] = os.path.relpath(
                path, os.path.dirname(os.path.abspath(out_path)))
    return links


def report(source, out_path, stdin=None):
    """Write the page of source (see results.read_source); return its path."""
    records, where = results.read_source(source, stdin)
    out_path = os.path.abspath(out_path)
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    links = write_files(records, out_path)
    page = html.render(records, TITLE, where, links)
    with open(out_path, 'w', encoding='utf-8') as f:
        f.write(page)
    return out_path


def write_report(workspace_dir, out_path=None):
    """The page of a tempest workspace's last run; return its path.

    out_path defaults to dvr-report.html in the workspace.
    """
    if out_path is None:
        out_path = os.path.join(workspace_dir, DEFAULT_OUTPUT)
    return report(workspace_dir, out_path)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='dvr-report', description=__doc__.split('\n\n')[0])
    parser.add_argument(
        'source', help='a tempest workspace (its last run), a stestr '
        'repository, a subunit v2 file, or - for standard input')
    parser.add_argument('-o', '--output', default=DEFAULT_OUTPUT,
                        help='the HTML file to write (default: %(default)s)')
    args = parser.parse_args(argv)
    try:
        path = report(args.source, args.output, sys.stdin.buffer)
    except results.NoRun as exc:
        print('dvr-report: %s' % exc, file=sys.stderr)
        return 1
    except OSError as exc:
        print('dvr-report: cannot write %s: %s' % (
            exc.filename or args.output, exc.strerror or exc),
            file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
