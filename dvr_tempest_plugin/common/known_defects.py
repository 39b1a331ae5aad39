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

"""Neutron defects this suite knows, and the tests that meet them.

A test that asserts what a known Neutron race breaks fails as any other
test would; neutron_defect turns exactly that failure (its exception
class), and nothing else, into a skip whose reason names the defect's
page and quotes the failure: what tempest's decorators.unstable_test does
for a whole test, kept to the one known cause.
"""

import functools

DUPLICATE_FIP_GATEWAY = (
    'known Neutron defect: duplicate floating IP agent gateway ports '
    '(doc/source/neutron-defects.rst#duplicate-fip-agent-gateway-ports)')

FIP_NAMESPACE_DELETE_RACE = (
    'known Neutron defect: fip- namespace left behind when its deletion '
    'races a router\'s own fpr- removal '
    '(doc/source/neutron-defects.rst#fip-namespace-delete-race)')

QROUTER_ICMP_REDIRECTS = (
    'known Neutron defect: a new qrouter- namespace sends ICMP redirects '
    'to the SNAT port until the router\'s external gateway is processed '
    '(doc/source/neutron-defects.rst#qrouter-icmp-redirects)')


class KnownDefectSeen(AssertionError):
    """A check met a known Neutron defect; the test went on past it."""


def neutron_defect(exception_class, defect):
    """Skip, naming defect, when the test fails with exception_class."""
    def decorator(test_method):
        @functools.wraps(test_method)
        def wrapper(self, *args, **kwargs):
            try:
                return test_method(self, *args, **kwargs)
            except exception_class as exc:
                raise self.skipException('%s; seen here: %s'
                                         % (defect, exc))
        return wrapper
    return decorator
