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

import socket
import time

from dvr_tempest_plugin.common import source_witness
from dvr_tempest_plugin.tests.unit import base


class TestSourceWitness(base.TestCase):

    def setUp(self):
        super().setUp()
        self.witness = source_witness.SourceWitness('127.0.0.1').start()
        self.addCleanup(self.witness.stop)

    def connect(self, payload):
        with socket.create_connection(('127.0.0.1', self.witness.port),
                                      timeout=5) as connection:
            connection.sendall(payload)
        deadline = time.monotonic() + 5
        while len(self.witness.seen()) < self.expected and \
                time.monotonic() < deadline:
            time.sleep(0.01)

    def test_records_the_source_of_each_token(self):
        self.expected = 2
        self.connect(b'vm1-abc\n')
        self.connect(b'vm2-def\n')
        self.assertEqual(['127.0.0.1'], self.witness.sources('vm1-abc'))
        self.assertEqual(['127.0.0.1'], self.witness.sources('vm2-def'))
        self.assertEqual([], self.witness.sources('vm3-xyz'))

    def test_a_connection_without_newline_still_counts(self):
        self.expected = 1
        self.connect(b'vm1-abc')
        self.assertEqual(['127.0.0.1'], self.witness.sources('vm1-abc'))

    def test_send_command_quotes_its_words(self):
        self.assertEqual(
            "echo 'vm1-1;x' | nc -w 5 172.24.4.1 4242",
            source_witness.send_command('172.24.4.1', 4242, 'vm1-1;x'))

    def test_new_tokens_are_unique_and_labelled(self):
        first, second = (source_witness.new_token('vm1') for _ in range(2))
        self.assertNotEqual(first, second)
        self.assertTrue(first.startswith('vm1-'))

    def test_address_toward_is_the_local_source(self):
        self.assertEqual('127.0.0.1',
                         source_witness.address_toward('127.0.0.1'))
