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

import xml.etree.ElementTree as etree

from dvr_tempest_plugin.common import hoststate
from dvr_tempest_plugin.common import placement
from dvr_tempest_plugin.report import svg
from dvr_tempest_plugin.report import svg_placement
from dvr_tempest_plugin.tests.unit import base

Device = hoststate.Device
View = hoststate.NamespaceView
QROUTER = 'qrouter-5c2e1b0e-7f3a-4c1d-9b2e-8a6f0d4c3b21'
SNAT = 'snat-5c2e1b0e-7f3a-4c1d-9b2e-8a6f0d4c3b21'
EXPECTED = {'qr-8b1d2c3e-4f': Device('qr- of subnet1', '10.100.0.1'),
            'qr-9c2e3d4f-50': Device('qr- of subnet2', '10.100.1.1'),
            'rfp-5c2e1b0e-7': Device('rfp- to the fip namespace', None)}


def link(*addresses):
    return {'addresses': list(addresses), 'state': 'UP',
            'mac': 'fa:16:3e:00:00:01'}


def recorded():
    """cpnw1 as the API says; cpnw2 lacks a qr- and has a stray snat-."""
    record = placement.Placement()
    record.add('cpnw1', QROUTER, EXPECTED, View('cpnw1', QROUTER, {
        'qr-8b1d2c3e-4f': link('10.100.0.1/24'),
        'qr-9c2e3d4f-50': link('10.100.1.1/24'),
        'rfp-5c2e1b0e-7': link('169.254.106.114/31'),
        'ha-0a1b2c3d-4e': link()}))
    record.add('cpnw2', QROUTER, EXPECTED, View('cpnw2', QROUTER, {
        'qr-8b1d2c3e-4f': link('10.100.0.1/24'),
        'rfp-5c2e1b0e-7': link()}))
    record.add('cpnw2', SNAT, None, View('cpnw2', SNAT, {}))
    return record


def texts(root, cls):
    return [(t.text.replace('\u00a0', ' '), t.get('fill'))
            for t in root.iter('{%s}text' % svg.SVG_NS)
            if cls in (t.get('class') or '')]


class TestPlacement(base.TestCase):

    def test_problems(self):
        self.assertEqual(
            ['host cpnw2: no device qr-9c2e3d4f-50 (qr- of subnet2)',
             'host cpnw2: namespace %s present, expected absent' % SNAT],
            recorded().problems())

    def test_latest_check_of_a_namespace_wins(self):
        record = recorded()
        record.add('cpnw2', SNAT, None, View('cpnw2', SNAT))
        self.assertEqual(['host cpnw2: no device qr-9c2e3d4f-50 (qr- of '
                          'subnet2)'], record.problems())
        self.assertEqual({'qr-9c2e3d4f-50'},
                         record.checks('cpnw2')[0].missing_devices())


class TestPlacementPicture(base.TestCase):

    def draw(self, record=None):
        return etree.fromstring(svg_placement.draw(
            record or recorded(), 'test_qrouter_namespace_on_vm_hosts'))

    def test_one_box_per_host(self):
        root = self.draw()
        self.assertEqual(['cpnw1', 'cpnw2'], [
            g.get('data-host') for g in root.iter('{%s}g' % svg.SVG_NS)
            if g.get('class') == 'host'])

    def test_agreement_is_ink_extra_devices_grey(self):
        root = self.draw()
        found = texts(root, 'device found')
        self.assertIn(('qr-8b1d2c3e-4f UP      10.100.0.1/24', svg.INK),
                      found)
        self.assertIn(('ha-0a1b2c3d-4e UP      -', svg.UNSEEN_INK), found)

    def test_disagreements_are_red(self):
        root = self.draw()
        wrong = texts(root, 'wrong')
        self.assertIn(('qr-9c2e3d4f-50 qr- of subnet2 10.100.1.1  MISSING',
                       svg.RED), wrong)
        self.assertIn((SNAT, svg.RED), wrong)
        self.assertIn(('no %s' % SNAT, svg.RED),
                      texts(root, 'namespace unwanted'))
        legend = [t for t in root.iter('{%s}text' % svg.SVG_NS)
                  if (t.text or '').startswith('\u2717')]
        self.assertEqual(2, len(legend))
        self.assertEqual({svg.RED}, {t.get('fill') for t in legend})

    def test_namespace_missing_where_the_api_wants_it(self):
        record = placement.Placement()
        record.add('network1', SNAT, {'sg-1': Device('sg- of subnet1',
                                                     '10.100.0.9')},
                   View('network1', SNAT))
        root = self.draw(record)
        self.assertIn((SNAT, svg.RED), texts(root, 'namespace absent wrong'))
        self.assertIn((SNAT, svg.RED), texts(root, 'namespace wanted'))
