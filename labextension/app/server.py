"""Serves the charrnn JupyterLab application (built into build/ by webpack.config.js) with Debian's
jupyter_server 1.23 and jupyterlab_server 2.16: the page, settings schemas, themes, workspaces and the
prebuilt extensions found in <Jupyter data dirs>/labextensions. Started by start.js, which passes the
ServerApp options (127.0.0.1, port, notebooks/ as root, our kernel as the only one) and the token, in
JUPYTER_TOKEN: not on the command line, which every local user can read with `ps`."""

import json
import os
import sys

from jupyter_core.paths import jupyter_config_dir
from jupyter_server import version_info as server_version
from jupyter_server.base.handlers import JupyterHandler
from jupyterlab_server import LabServerApp
from tornado import web, websocket
from traitlets import default

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")


class MeHandler(JupyterHandler):
    """GET /api/me, which JupyterLab 4 asks for and jupyter_server 1.x lacks: one anonymous user."""

    @web.authenticated
    def get(self):
        identity = {"username": "user", "name": "User", "display_name": "User", "initials": "U",
                    "avatar_url": None, "color": None}
        self.finish(json.dumps({"identity": identity, "permissions": {}}))


class EventsHandler(JupyterHandler, websocket.WebSocketHandler):
    """/api/events/subscribe, JupyterLab 4's server-event socket: jupyter_server 1.x emits no events,
    so it stays open and silent instead of failing with 404."""

    async def get(self, *args, **kwargs):
        if self.current_user is None:
            raise web.HTTPError(403)
        return await websocket.WebSocketHandler.get(self, *args, **kwargs)

    def on_message(self, message):
        pass


class CharRNNLab(LabServerApp):
    name = "charrnn_lab"
    app_name = "JupyterLab"
    app_version = "4.6.4"
    load_other_extensions = False
    static_dir = os.path.join(BUILD, "static")
    templates_dir = os.path.join(HERE, "templates")
    schemas_dir = os.path.join(BUILD, "schemas")
    themes_dir = os.path.join(BUILD, "themes")
    app_settings_dir = os.path.join(HERE, "settings")

    # Under JUPYTER_CONFIG_DIR, which start.js keeps inside the project.
    @default("user_settings_dir")
    def _default_user_settings_dir(self):
        return os.path.join(jupyter_config_dir(), "lab", "user-settings")

    @default("workspaces_dir")
    def _default_workspaces_dir(self):
        return os.path.join(jupyter_config_dir(), "lab", "workspaces")

    def initialize_handlers(self):
        page_config = self.serverapp.web_app.settings.setdefault("page_config_data", {})
        page_config["token"] = self.serverapp.token
        page_config["notebookVersion"] = json.dumps(list(server_version[:3]))
        super().initialize_handlers()
        self.handlers.extend([(r"/api/me", MeHandler), (r"/api/events/subscribe", EventsHandler)])


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": CharRNNLab}]


if __name__ == "__main__":
    # Taken out of the environment so that the kernels this server starts (and a notebook printing
    # process.env) do not get it; the option list below lives in this process only, never in `ps`.
    token = os.environ.pop("JUPYTER_TOKEN", None)
    CharRNNLab.launch_instance(sys.argv[1:] + ([f"--ServerApp.token={token}"] if token is not None else []))
