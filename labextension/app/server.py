"""Serves the charrnn JupyterLab application (built into build/ by webpack.config.js) with Debian's
jupyter_server 1.23 and jupyterlab_server 2.16: the page, settings schemas, themes, workspaces and the
prebuilt extensions found in <Jupyter data dirs>/labextensions. Started by start.js, which passes the
ServerApp options (127.0.0.1, port, notebooks/ as root, our kernel as the only one) and the token, in
JUPYTER_TOKEN: not on the command line, which every local user can read with `ps`.

Under JupyterHub (the hub's spawner sets JUPYTERHUB_API_TOKEN) it is a student's single-user server instead: the
hub's login replaces the token, the page gets the hub's settings (JupyterLab's Control Panel and Log Out), the hub's
limits become the kernel's, and the course is copied into the student's home (class/hub-config.js writes the
hub's side)."""

import json
import os
import signal
import subprocess
import sys

from jupyter_core.paths import jupyter_config_dir, jupyter_runtime_dir
from jupyter_server import version_info as server_version
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.serverapp import ServerApp
from jupyterlab_server import LabServerApp
from tornado import web, websocket
from traitlets import default

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")


class MeHandler(JupyterHandler):
    """GET /api/me, which JupyterLab 4 asks for and jupyter_server 1.x lacks: one anonymous user."""

    @web.authenticated
    def get(self):
        # Under the hub, the current user is the hub's user model; alone, one anonymous user.
        name = self.current_user.get("name", "user") if isinstance(self.current_user, dict) else "user"
        identity = {"username": name, "name": name, "display_name": name, "initials": name[:1].upper(),
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
        page_config.update(hub_page_config(self.serverapp))
        super().initialize_handlers()
        self.handlers.extend([(r"/api/me", MeHandler), (r"/api/events/subscribe", EventsHandler)])


def hub_page_config(serverapp):
    """The settings JupyterLab's hub extension reads (its Control Panel and Log Out items, the restart link), from
    the ones jupyterhub-singleuser puts in the server's tornado settings; none outside a hub."""
    settings = serverapp.tornado_settings
    if "hub_prefix" not in settings:
        return {}
    return {
        "hubPrefix": settings["hub_prefix"],
        "hubHost": settings["hub_host"],
        "hubUser": settings["user"],
        "hubServerName": getattr(serverapp, "server_name", ""),
        "shareUrl": settings["hub_prefix"].rstrip("/") + "/user-redirect",
    }


def limits_from_hub(env):
    """A spawner's mem_limit and cpu_limit reach the server as MEM_LIMIT (bytes) and CPU_LIMIT (cores, maybe a
    fraction): they become the kernel's memory cap (a run that cannot fit is refused with its estimate) and its
    thread count, for the kernels this server starts. Settings the student made themselves win."""
    if env.get("MEM_LIMIT"):
        env.setdefault("CHARRNN_MAX_MEMORY", env["MEM_LIMIT"])
    if env.get("CPU_LIMIT"):
        threads = str(max(1, int(float(env["CPU_LIMIT"]))))
        env.setdefault("CHARRNN_THREADS", threads)
        env.setdefault("OPENBLAS_NUM_THREADS", threads)


def copy_course(env):
    """The course into ~/course on each start, as this student, without overwriting what they edited
    (class/course-copy.js); from CHARRNN_COURSE_DIR, which the hub's config sets to the released course."""
    if env.get("CHARRNN_COURSE_DIR"):
        script = os.path.join(HERE, "class", "course-copy.js")
        target = os.path.join(os.path.expanduser("~"), "course")
        subprocess.run([env.get("CHARRNN_NODE", "node"), script, env["CHARRNN_COURSE_DIR"], target], check=False)


def start_under_hub():
    """jupyterhub-singleuser's ServerApp (the hub's login, its OAuth callback) with our extension enabled."""
    from jupyterhub.singleuser.mixins import make_singleuser_app

    limits_from_hub(os.environ)
    copy_course(os.environ)
    app = make_singleuser_app(ServerApp).instance(jpserver_extensions={CharRNNLab.get_extension_package(): True})
    # Kernels on unix sockets in the student's runtime folder: random TCP ports collide when a class starts many
    # kernels at once (EADDRINUSE, seen with 6 at once on one machine), and a socket file is the student's alone.
    sockets = os.path.join(jupyter_runtime_dir(), "kernel")
    app.initialize(sys.argv[1:] + ["--KernelManager.transport=ipc", f"--KernelManager.ip={sockets}"])
    # The spawner stops a server with SIGINT first. Without a terminal jupyter_server takes that as a
    # KeyboardInterrupt and exits without shutting its kernels down, which then outlive it: stop as on SIGTERM.
    signal.signal(signal.SIGINT, app._signal_stop)
    app.start()


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": CharRNNLab}]


if __name__ == "__main__" and "JUPYTERHUB_API_TOKEN" in os.environ:
    start_under_hub()
elif __name__ == "__main__":
    # Taken out of the environment so that the kernels this server starts (and a notebook printing
    # process.env) do not get it; the option list below lives in this process only, never in `ps`.
    token = os.environ.pop("JUPYTER_TOKEN", None)
    CharRNNLab.launch_instance(sys.argv[1:] + ([f"--ServerApp.token={token}"] if token is not None else []))
