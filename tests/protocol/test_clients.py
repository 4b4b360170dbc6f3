"""portside as different editors see it: pytest-lsp drives `portside lsp` with the client
capabilities it ships for VS Code, Neovim 0.7 and 0.11, and Emacs (push diagnostics), and
VS Code's with pull diagnostics; a client that answers `client/registerCapability` with an
error, and one that refuses dynamic registration.

Run through tests/protocol.rs (PORTSIDE_BIN is the server, PORTSIDE_PYTEST the pytest of a
venv with pytest-lsp).
"""
import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVER = [os.environ.get("PORTSIDE_BIN", "portside"), "lsp"]
CLIENTS = ["visual-studio-code", "neovim@v0.7.0", "neovim@v0.11.0", "emacs"]
# `localhost` sits after a two-unit (UTF-16) / four-byte (UTF-8) emoji on its line.
COMPOSE = 'services:\n  web:\n    ports: ["😀", "localhost:8080:80"]\n'


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=CLIENTS)
async def client(request, lsp_client: LanguageClient):
    # No handler for workspace/configuration: pygls answers with an error, which the
    # server must survive (it pulls settings when the client says it can). The file
    # watcher registration is accepted (pytest-lsp counts an unhandled server request as a
    # test error; `refusing_client` below answers it with an error).
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams):
        return None

    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=ROOT.as_uri(),
        )
    )
    lsp_client.encoding = result.capabilities.position_encoding or "utf-16"
    yield
    await lsp_client.shutdown_session()


def open_doc(client: LanguageClient, uri: str, text: str, language: str = "yaml"):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        )
    )


async def test_diagnostics_at_the_token_in_the_negotiated_encoding(client: LanguageClient):
    uri = (ROOT / "tests" / "protocol" / "compose.yaml").as_uri()
    open_doc(client, uri, COMPOSE)
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    diags = [d for d in client.diagnostics[uri] if d.code == "invalid-port-spec"]
    localhost = [d for d in diags if "localhost" in d.message]
    assert len(localhost) == 1, diags
    d = localhost[0]
    line = COMPOSE.splitlines()[2]
    prefix = line[: line.index("localhost")]
    if client.encoding == "utf-8":
        start = len(prefix.encode("utf-8"))
    elif client.encoding == "utf-32":
        start = len(prefix)
    else:
        start = len(prefix.encode("utf-16-le")) // 2
    assert d.range.start == types.Position(line=2, character=start), (client.encoding, d.range)
    assert d.range.end.character - d.range.start.character == len("localhost")
    assert d.severity == types.DiagnosticSeverity.Error
    assert d.source == "portside"


async def test_hover_code_action_and_symbols(client: LanguageClient):
    path = ROOT / "examples" / "broken" / "compose.yaml"
    text = path.read_text()
    uri = path.as_uri()
    open_doc(client, uri, text, "dockercompose")
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    lines = text.splitlines()
    cache = next(i for i, l in enumerate(lines) if '"6380:6379"' in l)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=cache, character=lines[cache].index("6380") + 1),
        )
    )
    assert hover is not None
    assert "redis://127.0.0.1:6380" in hover.contents.value

    diags = [d for d in client.diagnostics[uri] if d.range.start.line == 9]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diags[0].range,
            context=types.CodeActionContext(diagnostics=diags, only=[types.CodeActionKind.QuickFix]),
        )
    )
    titles = [a.title for a in actions or []]
    assert 'Replace "localhost" with "127.0.0.1"' in titles

    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert [s.name for s in symbols][:5] == ["web", "api", "worker", "db", "cache"]


async def test_unknown_documents_and_positions_past_the_end(client: LanguageClient):
    uri = (ROOT / "tests" / "protocol" / "never-opened.yaml").as_uri()
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1000, character=1000),
        )
    )
    assert hover is None
    path = ROOT / "examples" / "broken" / "compose.yaml"
    open_doc(client, path.as_uri(), path.read_text(), "dockercompose")
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            position=types.Position(line=100000, character=100000),
        )
    )
    assert hover is None


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def pull_client(lsp_client: LanguageClient):
    """VS Code's capabilities plus pull diagnostics with refresh, as vscode-languageclient 9
    sends them: the server serves `textDocument/diagnostic` and pushes nothing."""

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams):
        return None

    # pytest-lsp's client already answers workspace/diagnostic/refresh.
    caps = client_capabilities("visual-studio-code")
    caps.text_document.diagnostic = types.DiagnosticClientCapabilities(dynamic_registration=False)
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=caps, root_uri=ROOT.as_uri())
    )
    assert result.capabilities.diagnostic_provider is not None
    yield
    await lsp_client.shutdown_session()


async def test_pull_diagnostics(pull_client: LanguageClient):
    uri = (ROOT / "tests" / "protocol" / "pulled" / "compose.yaml").as_uri()
    open_doc(pull_client, uri, COMPOSE)
    report = await pull_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert report.kind == "full", report
    assert any(d.code == "invalid-port-spec" for d in report.items), report
    again = await pull_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            previous_result_id=report.result_id,
        )
    )
    assert again.kind == "unchanged", again
    assert uri not in pull_client.diagnostics, "pull clients get no pushed diagnostics"


WATCHING = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(
        did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
            dynamic_registration=True
        )
    )
)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def refusing_client(lsp_client: LanguageClient):
    """A client that says it registers watchers dynamically, then answers the server's
    `client/registerCapability` with an error (as some clients do when a registration is
    not what they expected)."""
    lsp_client.refused = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams):
        lsp_client.refused.append([r.method for r in params.registrations])
        raise JsonRpcException("registration refused by this client", code=-32803)

    # pytest-lsp counts an exception raised by a client handler as a test error; this one
    # is the behaviour under test, so only that one is let through.
    report = lsp_client.report_server_error

    def expected_only(error, source):
        if isinstance(error, JsonRpcException) and "refused by this client" in str(error):
            return
        report(error, source)

    lsp_client.report_server_error = expected_only
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=WATCHING, root_uri=ROOT.as_uri())
    )
    yield
    await lsp_client.shutdown_session()


async def test_a_client_that_answers_register_capability_with_an_error(
    refusing_client: LanguageClient,
):
    client = refusing_client
    uri = (ROOT / "tests" / "protocol" / "refused" / "compose.yaml").as_uri()
    open_doc(client, uri, COMPOSE)
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert client.refused == [["workspace/didChangeWatchedFiles"]], client.refused
    assert any(d.code == "invalid-port-spec" for d in client.diagnostics[uri])
    # The server is still serving after the error: an edit is re-analysed and a hover works.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangeWholeDocument(
                    text='services:\n  web:\n    ports: ["8080:80"]\n'
                )
            ],
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert not any(d.code == "invalid-port-spec" for d in client.diagnostics[uri])
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=2, character=14),
        )
    )
    assert hover is not None and "8080" in hover.contents.value, hover


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def static_client(lsp_client: LanguageClient):
    """A client that refuses dynamic registration (says `dynamicRegistration: false`): the
    server must not ask it to register anything."""
    lsp_client.registrations = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams):
        lsp_client.registrations.append(params)
        return None

    caps = types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            configuration=True,
            did_change_configuration=types.DidChangeConfigurationClientCapabilities(
                dynamic_registration=False
            ),
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=False
            ),
        )
    )
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=caps, root_uri=ROOT.as_uri())
    )
    yield
    await lsp_client.shutdown_session()


async def test_dynamic_registration_refused(static_client: LanguageClient):
    uri = (ROOT / "tests" / "protocol" / "static" / "compose.yaml").as_uri()
    open_doc(static_client, uri, COMPOSE)
    await static_client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert any(d.code == "invalid-port-spec" for d in static_client.diagnostics[uri])
    assert static_client.registrations == [], static_client.registrations
