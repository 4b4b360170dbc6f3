"""The Zed extension (editors/zed) as Zed runs it: its WebAssembly component, built for
wasm32-wasip2, is instantiated with wasmtime and given a host that plays Zed's part (a
worktree that answers `which` and `shell-env`, and `get-settings` answering with the user's
`lsp.portside` settings the way Zed serialises them). The command it returns is then started
and spoken to with pytest-lsp: it must be portside's server, with the user's settings.

Run through tests/zed.rs (PORTSIDE_ZED_WASM is the built component, PORTSIDE_BIN the server,
PORTSIDE_PYTEST the pytest of a venv with pytest-lsp and wasmtime).
"""
import json
import os
import pathlib

import pytest
import pytest_lsp
import wasmtime
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from wasmtime import component as wc

ROOT = pathlib.Path(__file__).resolve().parents[2]
WASM = os.environ.get("PORTSIDE_ZED_WASM", "")
BIN = os.environ.get("PORTSIDE_BIN", "portside")
WORKTREE_ID = 7


def method(f):
    """A resource method of the host: the guest lends `self` for the call, and the host
    gives the borrow back before returning (wasmtime checks)."""

    def call(store, this, *args):
        this.drop(store)
        return f(*args)

    return call


class FakeZed:
    """What the extension may ask of Zed, answered from plain Python values."""

    def __init__(self, lsp_settings=None, on_path=True):
        self.lsp_settings = lsp_settings
        self.on_path = on_path
        self.settings_asked = []

    def link(self, engine, component):
        linker = wc.Linker(engine)
        linker.add_wasip2()
        with linker.root() as root:
            root.add_resource("worktree", wc.ResourceType.host(1), lambda _store, _rep: None)
            root.add_resource("project", wc.ResourceType.host(2), lambda _store, _rep: None)
            root.add_resource("key-value-store", wc.ResourceType.host(3), lambda _store, _rep: None)
            root.add_func("[method]worktree.id", method(lambda: WORKTREE_ID))
            root.add_func("[method]worktree.which", method(self.which))
            root.add_func(
                "[method]worktree.shell-env",
                method(lambda: [("PATH", os.environ.get("PATH", "")), ("PORTSIDE_FROM", "shell")]),
            )
            root.add_func("get-settings", self.get_settings)
        # Nothing else: an import this host does not define fails the instantiation, so a
        # new host call in the extension shows up here.
        return linker

    def which(self, name):
        assert name == "portside", name
        return str(pathlib.Path(BIN).resolve()) if self.on_path else None

    def get_settings(self, _store, location, category, key):
        self.settings_asked.append((category, key))
        if category != "lsp" or key != "portside":
            return wc.Variant("err", f"unexpected settings {category}/{key}")
        assert getattr(location, "worktree-id") == WORKTREE_ID
        # Zed serialises its LspSettings: every field present, null when unset.
        value = {"binary": None, "initialization_options": None, "settings": None}
        value.update(self.lsp_settings or {})
        return wc.Variant("ok", json.dumps(value))


class Extension:
    def __init__(self, zed: FakeZed):
        self.engine = wasmtime.Engine()
        self.component = wc.Component.from_file(self.engine, WASM)
        self.store = wasmtime.Store(self.engine)
        # Zed runs each extension in its own work folder and sets PWD to it.
        wasi = wasmtime.WasiConfig()
        wasi.env = [("PWD", "/")]
        wasi.inherit_stderr()
        self.store.set_wasi(wasi)
        linker = zed.link(self.engine, self.component)
        self.instance = linker.instantiate(self.store, self.component)
        self.call("init-extension")

    def call(self, name, *args):
        func = self.instance.get_func(self.store, name)
        assert func is not None, f"the extension exports no {name}"
        result = func(self.store, *args)
        func.post_return(self.store)
        return result

    def worktree(self):
        return wc.ResourceHost.borrow(0, 1)

    def command(self):
        return self.call("language-server-command", "portside", self.worktree())

    def options(self, which):
        result = self.call(f"language-server-{which}", "portside", self.worktree())
        assert result.tag == "ok", result.payload
        return None if result.payload is None else json.loads(result.payload)


@pytest.fixture(autouse=True)
def _built():
    if not WASM or not pathlib.Path(WASM).is_file():
        pytest.fail(f"PORTSIDE_ZED_WASM does not name the built extension: {WASM!r}")


def test_exports_what_zed_calls():
    ext = Extension(FakeZed())
    ty = ext.component.type
    exports = set(ty.exports(ext.engine))
    for name in [
        "init-extension",
        "language-server-command",
        "language-server-initialization-options",
        "language-server-workspace-configuration",
    ]:
        assert name in exports, sorted(exports)


def test_the_server_on_path_with_the_shell_environment():
    zed = FakeZed()
    command = Extension(zed).command()
    assert not isinstance(command, str), command
    assert command.command == str(pathlib.Path(BIN).resolve())
    assert command.args == ["lsp"]
    assert ("PORTSIDE_FROM", "shell") in command.env
    assert ("lsp", "portside") in zed.settings_asked


def test_a_clear_error_when_portside_is_nowhere():
    error = Extension(FakeZed(on_path=False)).command()
    assert isinstance(error, str), error
    assert "lsp.portside.binary.path" in error and "not found on PATH" in error


def test_binary_settings_win():
    zed = FakeZed(
        {"binary": {"path": "/opt/portside/bin/portside", "arguments": ["lsp", "--log", "debug"],
                    "env": {"PORTSIDE_FROM": "settings", "RUST_BACKTRACE": "1"}}},
        on_path=False,
    )
    command = Extension(zed).command()
    assert command.command == "/opt/portside/bin/portside"
    assert command.args == ["lsp", "--log", "debug"]
    env = dict(command.env)
    assert env["PORTSIDE_FROM"] == "settings" and env["RUST_BACKTRACE"] == "1"
    assert len([k for k, _ in command.env if k == "PORTSIDE_FROM"]) == 1


def test_settings_reach_the_server_as_it_reads_them():
    user = {"rules": {"container-port-only": "off"}, "live": {"enabled": False}}
    ext = Extension(FakeZed({"settings": user}))
    assert ext.options("initialization-options") == user
    assert ext.options("workspace-configuration") == {"portside": user}
    bare = Extension(FakeZed())
    assert bare.options("initialization-options") is None
    assert bare.options("workspace-configuration") is None


def test_malformed_settings_still_start_the_server():
    zed = FakeZed({"binary": "not an object"})
    command = Extension(zed).command()
    assert command.args == ["lsp"], command


def _zed_command():
    command = Extension(FakeZed()).command()
    return [command.command, *command.args]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=_zed_command() if pathlib.Path(WASM).is_file() else [BIN]))
async def zed_client(lsp_client: LanguageClient):
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams):
        return None

    # What a user puts under `lsp.portside.settings` in Zed's settings.json.
    user = {"rules": {"localhost-between-containers": "off"}}
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=ROOT.as_uri(),
            initialization_options=Extension(FakeZed({"settings": user})).options(
                "initialization-options"
            ),
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_the_command_zed_starts_is_portside(zed_client: LanguageClient):
    path = ROOT / "examples" / "broken" / "compose.yaml"
    zed_client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=path.as_uri(), language_id="yaml", version=1, text=path.read_text()
            )
        )
    )
    await zed_client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    diags = zed_client.diagnostics[path.as_uri()]
    assert diags and all(d.source == "portside" for d in diags), diags
    codes = {d.code for d in diags}
    assert "invalid-port-spec" in codes, codes
    # The rule the user turned off in Zed's settings stays off.
    assert "localhost-between-containers" not in codes, codes


def test_the_manifest_zed_reads():
    """extension.toml as Zed's extension builder reads it (schema_version 1): the id Zed
    installs under, and the language server bound to Zed's names for the files portside
    reads (YAML for Compose files, Dockerfile from Zed's Dockerfile extension, JSON)."""
    import tomllib

    manifest = tomllib.loads((ROOT / "editors" / "zed" / "extension.toml").read_text())
    for key in ["id", "name", "version", "schema_version", "authors", "description", "repository"]:
        assert key in manifest, key
    assert manifest["schema_version"] == 1
    assert manifest["id"] == "portside"
    servers = manifest["language_servers"]
    assert list(servers) == ["portside"], servers
    assert {"YAML", "Dockerfile", "JSON"} <= set(servers["portside"]["languages"])
    cargo = tomllib.loads((ROOT / "editors" / "zed" / "Cargo.toml").read_text())
    assert cargo["lib"]["crate-type"] == ["cdylib"]
    assert cargo["package"]["version"] == manifest["version"]
    assert (ROOT / "editors" / "zed" / "LICENSE").is_file()
