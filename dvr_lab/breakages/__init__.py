"""Ways to break a running dvr-lab, to see each scenario test fail.

`dvr-lab break --list` lists them (catalogue.py); `dvr-lab break` runs
tests with them applied (runner.py). By kind: api.py, namespaces.py,
fip_plumbing.py, traffic.py, agents.py, l3_ha.py, node_failure.py.
"""
