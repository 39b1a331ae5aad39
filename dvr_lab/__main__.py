import sys

from dvr_lab.cli import main

sys.exit(main())
