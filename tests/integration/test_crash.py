"""`publish monthly` killed (SIGKILL) at the worst moments: every dataset stays as it was or complete, the public
never sees a half-made one, and a plain rerun finishes the job without duplicates.

The run happens in a child process whose portal adapter kills the process right after a chosen CKAN action
succeeded: the real CKAN has applied it, the toolkit never learns of it.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

from publish.ckan import Portal, PortalDenied, PortalNotFound
from publish.monthly import MonthlyJob, PUBLISHED, UNCHANGED
from tests.workspace import SAMPLE_PERIOD, Workspace

pytestmark = pytest.mark.integration

CHILD = textwrap.dedent('''
    import os, signal, sys
    from pathlib import Path
    from publish.catalog import load_catalog
    from publish.ckan import Portal
    from publish.config import read_secret_file
    from publish.ledger import Ledger
    from publish.monthly import MonthlyJob

    root, url, token_file, action, nth = sys.argv[1:6]
    seen = 0

    class DyingPortal(Portal):
        def call(self, name, data=None, **kwargs):
            global seen
            result = super().call(name, data, **kwargs)
            if name == action:
                seen += 1
                if seen == int(nth):
                    os.kill(os.getpid(), signal.SIGKILL)
            return result

    root = Path(root)
    portal = DyingPortal(url, read_secret_file(Path(token_file), "token"))
    job = MonthlyJob(load_catalog(root / "catalog"), root / "inbox", root / "dist",
                     Ledger(root / "var" / "ledger.sqlite3"), portal)
    job.run(sys.argv[6], [name for name in sys.argv[7:]])
''')


@pytest.mark.parametrize(("action", "nth"), [
    ("package_create", 2),    # the 2nd dataset exists, empty and private
    ("resource_create", 3),   # the 3rd dataset has its file, no DataStore table yet
    ("datastore_upsert", 1),  # the 1st dataset's table is loaded, not yet marked complete
    ("resource_patch", 4),    # the 4th dataset is complete but still private
])
def test_killed_run_leaves_nothing_half_published_and_a_rerun_finishes(
    action: str, nth: int, workspace: Workspace, portal_env: dict, ckan_token, portal: Portal, anonymous: Portal
) -> None:
    workspace.ledger_path.parent.mkdir(parents=True, exist_ok=True)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(workspace.root), portal_env["GONGKAI_CKAN_URL"],
         portal_env["GONGKAI_CKAN_TOKEN_FILE"], action, str(nth), SAMPLE_PERIOD, *workspace.names],
        capture_output=True, text=True, timeout=600,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]

    for name in workspace.names:
        try:
            package = portal.call("package_show", {"id": name})
        except PortalNotFound:
            continue
        assert len(package["resources"]) <= 1, f"{name}: duplicate resources"
        if package["private"]:
            with pytest.raises((PortalDenied, PortalNotFound)):
                anonymous.call("package_show", {"id": name})
        else:
            [resource] = package["resources"]
            assert resource["datastore_sha256"] == resource["sha256"], f"{name}: public while incomplete"

    rerun = MonthlyJob(workspace.catalog, workspace.inbox, workspace.dist, workspace.ledger(),
                       Portal(portal_env["GONGKAI_CKAN_URL"], ckan_token, timeout=60)).run(
        SAMPLE_PERIOD, workspace.names)
    assert {o.outcome for o in rerun.outcomes} <= {PUBLISHED, UNCHANGED}, [o.message for o in rerun.outcomes]
    for outcome in rerun.outcomes:
        # The public sees every dataset but the 有条件开放 ones, which stay private.
        reader = portal if outcome.dataset.restricted else anonymous
        package = reader.call("package_show", {"id": outcome.dataset.name})
        assert package["private"] is outcome.dataset.restricted
        [resource] = package["resources"]
        assert resource["sha256"] == resource["datastore_sha256"] == outcome.sha256
        found = reader.call("datastore_search", {"resource_id": resource["id"], "limit": 0})
        assert found["total"] == outcome.rows
