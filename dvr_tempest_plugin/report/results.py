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

"""The tests of a finished run, read from a subunit v2 stream.

A tempest workspace keeps its runs in a stestr repository (.stestr/, one
subunit v2 file per run, numbered); the last run is the highest number.
"""

import dataclasses
import os

import subunit
import testtools

STESTR_DIR = '.stestr'
# Statuses of a test that ran (subunit's "exists" only lists a test).
RAN = ('success', 'fail', 'skip', 'xfail', 'uxsuccess', 'inprogress')


class NoRun(Exception):
    """No run to report on where we were told to look."""


@dataclasses.dataclass
class TestRecord:
    test_id: str
    status: str
    details: dict           # name -> testtools.content.Content
    started: object = None  # datetime, when the stream says
    stopped: object = None

    @property
    def name(self):
        """The id without its "[id-...,tags]" suffix."""
        return self.test_id.split('[', 1)[0]

    @property
    def seconds(self):
        if self.started is None or self.stopped is None:
            return None
        return (self.stopped - self.started).total_seconds()

    def text(self, name):
        detail = self.details.get(name)
        if detail is None or detail.content_type.type != 'text':
            return None
        return detail.as_text()

    @property
    def message(self):
        """Why it failed (the traceback) or was skipped (the reason)."""
        if self.status == 'skip':
            return self.text('reason') or ''
        return self.text('traceback') or ''


def read_stream(stream):
    """[TestRecord] of a binary subunit v2 stream, in the order they ended."""
    records = []

    def on_test(test):
        if test['status'] not in RAN:
            return
        started, stopped = (list(test['timestamps']) + [None, None])[:2]
        records.append(TestRecord(test['id'], test['status'],
                                  dict(test['details']), started, stopped))

    result = testtools.StreamToDict(on_test)
    result.startTestRun()
    try:
        subunit.ByteStreamToStreamResult(
            stream, non_subunit_name='stdout').run(result)
    finally:
        result.stopTestRun()
    return records


def last_run_file(directory):
    """The subunit file of the last run of a workspace or stestr repository."""
    repository = directory
    if not os.path.isfile(os.path.join(directory, 'next-stream')):
        repository = os.path.join(directory, STESTR_DIR)
    try:
        runs = [int(name) for name in os.listdir(repository)
                if name.isdigit()]
    except OSError as exc:
        raise NoRun('%s: no stestr repository (%s)' % (
            directory, exc.strerror or exc)) from None
    if not runs:
        raise NoRun('%s: the stestr repository holds no run' % repository)
    return os.path.join(repository, str(max(runs)))


def last_run_stream(directory):
    """The last run of a workspace as subunit v2 (stestr's own reader).

    stestr's file repository may keep a run in subunit v1; its reader
    gives v2 whatever the file holds. None where stestr is missing.
    """
    try:
        from stestr.repository import util as stestr_util
    except ImportError:
        return None
    workspace = directory
    if os.path.basename(os.path.normpath(directory)) == STESTR_DIR:
        workspace = os.path.dirname(os.path.normpath(directory))
    try:
        repository = stestr_util.get_repo_open(repo_url=workspace)
        return repository.get_latest_run().get_subunit_stream()
    except Exception:  # no repository, no run: the file path says why
        return None


def read_source(source, stdin=None):
    """(records, where): a workspace, a stestr repository, a file or '-'."""
    if source == '-':
        return read_stream(stdin), 'standard input'
    if os.path.isdir(source):
        stream = last_run_stream(source)
        if stream is not None:
            return read_stream(stream), last_run_file(source)
    path = last_run_file(source) if os.path.isdir(source) else source
    try:
        with open(path, 'rb') as stream:
            return read_stream(stream), path
    except OSError as exc:
        raise NoRun('%s: %s' % (path, exc.strerror or exc)) from None
