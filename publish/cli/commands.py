"""Registry of command modules: importing a module adds its commands to `main`."""
from publish.cli import requests as requests_cli  # noqa: F401,E402
from publish.cli import catalog  # noqa: F401,E402
from publish.cli import monthly as monthly_cli  # noqa: F401,E402
from publish.cli import validate  # noqa: F401,E402
from publish.cli import status as status_cli  # noqa: F401,E402
