"""`:delete -f FILE` addresses each object through its file's apiVersion, as kubectl does,
and the session journal records that as the delete step's `apiVersion`."""

from __future__ import annotations

from pathlib import Path

from podtui.app.commandline import run_command
from podtui.app.disruption.journal import journal_of
from tests.tui.conftest import make_session

LEGACY_DEPLOYMENT = """\
apiVersion: extensions/v1beta1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.27
"""


class NoConsole:
    namespace = None


def test_delete_f_of_a_legacy_file_prints_the_files_group_and_records_it(tmp_path: Path) -> None:
    folder = tmp_path / "cluster"
    folder.mkdir()
    (folder / "web.yaml").write_text(LEGACY_DEPLOYMENT)
    session = make_session([folder], ticks=5)
    result = run_command(f"delete -f {folder / 'web.yaml'}", session, NoConsole())  # type: ignore[arg-type]
    # kubectl's `<type>.<group> "name" deleted` names the group the request went through.
    assert result.lines == ['deployment.extensions "web" deleted']
    (step,) = journal_of(session).recorder.steps
    assert (step.action, step.value, step.options) == (
        "delete",
        "deployments/web",
        {"apiVersion": "extensions/v1beta1"},
    )
