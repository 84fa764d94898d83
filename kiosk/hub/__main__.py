import sys

from kiosk.hub.cli import main

sys.exit(main())
