# rulebook_events: a notification callback plugin shipped with rulebook (run_playbook and
# run_module). It writes one JSON object per line, for each playbook event, to the file
# descriptor named by $RULEBOOK_EVENTS_FD (a pipe rulebook reads while the playbook runs).
# Without that variable it does nothing.
#
# Each line: {"event": <name>, "uuid", "created" (ISO 8601 UTC), "counter", "event_data": {...}}
# with names after ansible-runner's (playbook_on_start, playbook_on_play_start,
# playbook_on_no_hosts_matched, playbook_on_task_start, runner_on_ok, runner_on_failed,
# runner_on_skipped, runner_on_unreachable, playbook_on_stats). playbook_on_stats carries the
# set_stats data as event_data.artifact_data, as ansible-runner does.
from __future__ import annotations

DOCUMENTATION = """
    name: rulebook_events
    type: notification
    short_description: playbook events as JSON lines for rulebook
    description:
      - Writes each playbook event as one JSON line to the file descriptor in RULEBOOK_EVENTS_FD.
"""

import datetime
import json
import os
import uuid

from ansible.plugins.callback import CallbackBase

try:
    from ansible.module_utils.common.json import AnsibleJSONEncoder as _Encoder
except ImportError:  # older ansible-core
    _Encoder = json.JSONEncoder


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "rulebook_events"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._out = None
        self._counter = 0
        self._play = None
        self._task = None
        fd = os.environ.get("RULEBOOK_EVENTS_FD")
        if fd:
            try:
                self._out = os.fdopen(int(fd), "w", buffering=1, encoding="utf-8")
            except (OSError, ValueError):
                self._out = None

    def _emit(self, name, data):
        if self._out is None:
            return
        self._counter += 1
        record = {
            "event": name,
            "uuid": str(uuid.uuid4()),
            "counter": self._counter,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "event_data": data,
        }
        try:
            line = json.dumps(record, cls=_Encoder, default=str)
        except (TypeError, ValueError):
            record["event_data"] = {k: str(v) for k, v in data.items()}
            line = json.dumps(record)
        try:
            self._out.write(line + "\n")
        except OSError:
            self._out = None

    def _task_data(self, result):
        data = {
            "play": self._play.get_name() if self._play else None,
            "task": result.task_name if hasattr(result, "task_name") else None,
            "task_action": result._task.action if result._task else None,
            "host": result._host.get_name() if result._host else None,
            "res": result._result,
        }
        return data

    def v2_playbook_on_start(self, playbook):
        self._emit("playbook_on_start", {"playbook": os.path.basename(playbook._file_name)})

    def v2_playbook_on_play_start(self, play):
        self._play = play
        self._emit(
            "playbook_on_play_start",
            {"play": play.get_name(), "pattern": ",".join(play.hosts) if play.hosts else ""},
        )

    def v2_playbook_on_no_hosts_matched(self):
        self._emit(
            "playbook_on_no_hosts_matched",
            {"play": self._play.get_name() if self._play else None},
        )

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task = task
        self._emit(
            "playbook_on_task_start",
            {"play": self._play.get_name() if self._play else None, "task": task.get_name()},
        )

    def v2_runner_on_ok(self, result):
        self._emit("runner_on_ok", self._task_data(result))

    def v2_runner_on_failed(self, result, ignore_errors=False):
        data = self._task_data(result)
        data["ignore_errors"] = bool(ignore_errors)
        self._emit("runner_on_failed", data)

    def v2_runner_on_skipped(self, result):
        self._emit("runner_on_skipped", self._task_data(result))

    def v2_runner_on_unreachable(self, result):
        self._emit("runner_on_unreachable", self._task_data(result))

    def v2_playbook_on_stats(self, stats):
        custom = getattr(stats, "custom", {}) or {}
        self._emit(
            "playbook_on_stats",
            {
                "changed": dict(stats.changed),
                "dark": dict(stats.dark),
                "failures": dict(stats.failures),
                "ignored": dict(getattr(stats, "ignored", {})),
                "ok": dict(stats.ok),
                "processed": dict(stats.processed),
                "rescued": dict(getattr(stats, "rescued", {})),
                "skipped": dict(stats.skipped),
                "artifact_data": custom.get("_run", {}),
                "per_host_data": {h: v for h, v in custom.items() if h != "_run"},
            },
        )
        if self._out is not None:
            try:
                self._out.flush()
            except OSError:
                pass
