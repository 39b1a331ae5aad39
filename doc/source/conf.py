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

"""Sphinx configuration of the dvr-tempest-plugin documentation."""

project = 'dvr-tempest-plugin'
copyright = 'dvr-tempest-plugin developers'
author = 'dvr-tempest-plugin developers'

extensions = []
root_doc = 'index'
exclude_patterns = []
# The literal blocks are tempest.conf snippets, shell commands and test
# output, not Python: show them as they are.
highlight_language = 'none'
html_theme = 'alabaster'
