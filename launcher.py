"""Entry point of the PyInstaller bundle: one program behind three executables.

`kiosk` (windowed GUI), `kiosk-console` (the headless commands, and the GUI with a console for
debugging) and `kiosk-hub` (the station's hub) are built from one analysis of the same modules; the
executable's own name says which command line it is. It lives beside kiosk.spec, outside the `kiosk`
package: the kiosk never imports the hub, and only this entry knows both.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> int:
    if Path(sys.executable).stem.lower() == "kiosk-hub":
        from kiosk.hub.cli import main as hub_main

        return hub_main()
    from kiosk.cli import main as kiosk_main

    return kiosk_main()


if __name__ == "__main__":
    sys.exit(main())
