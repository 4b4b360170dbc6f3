-- Headless end-to-end test of editors/nvim with the real portside server, as a user would
-- set it up: diagnostics, hover, the quick fix, the port entry's live check (a code action)
-- and the CodeLens. Neovim 0.7+ (`require('portside').setup`) and 0.11+ (`vim.lsp.enable`).
--   PORTSIDE_BIN   the portside binary
--   PORTSIDE_FILE  the Compose file to open (examples/broken/compose.yaml)
--   PORTSIDE_MODE  'setup' or 'enable'
-- Prints one JSON object per line; exits 0 when every check passed.
local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local h = dofile(here .. '/harness.lua')
local emit, check, get_clients = h.emit, h.check, h.get_clients

h.run(function()
  local plugin = vim.fn.fnamemodify(here, ':h') -- editors/nvim
  local bin = os.getenv('PORTSIDE_BIN') or 'portside'
  local file = vim.fn.fnamemodify(os.getenv('PORTSIDE_FILE'), ':p')
  local mode = os.getenv('PORTSIDE_MODE') or 'setup'
  local timeout = 10000

  -- As a user: the plugin folder on 'runtimepath', filetype detection on.
  vim.opt.runtimepath:prepend(plugin)
  vim.cmd('filetype on')
  if mode == 'enable' then
    vim.lsp.config('portside', { cmd = { bin, 'lsp' } })
    vim.lsp.enable('portside')
  else
    require('portside').setup({ cmd = { bin, 'lsp' } })
  end
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  check('filetype', vim.bo.filetype == 'yaml.docker-compose', vim.bo.filetype)

  local client = h.attach(timeout)
  if not client then return end

  -- 1) Diagnostics: `localhost` in "localhost:8080:80" (line 10, column 10, 1-based).
  local function ours()
    local out = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.source == 'portside' then table.insert(out, d) end
    end
    return out
  end
  local function at_localhost()
    for _, d in ipairs(ours()) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      if d.lnum == 9 and d.col == 9 and code == 'invalid-port-spec' then return d end
    end
  end
  local got = vim.wait(timeout, function() return at_localhost() ~= nil end, 20)
  check('diagnostic_at_token', got, { count = #ours() })

  -- 2) Hover on the cache's port.
  local line
  for i, l in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if l:find('"6380:6379"', 1, true) then line = i end
  end
  vim.api.nvim_win_set_cursor(0, { line, 10 })
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local resp = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, timeout)
  local hover = ''
  for _, r in pairs(resp or {}) do
    if r.result and r.result.contents then
      hover = table.concat(vim.lsp.util.convert_input_to_markdown_lines(r.result.contents), '\n')
    end
  end
  check('hover', hover:find('publishes `6380:6379`', 1, true) ~= nil
    and hover:find('redis://127.0.0.1:6380', 1, true) ~= nil, hover:sub(1, 200))

  -- 3) The quick fix for `localhost`, applied to the buffer.
  local line_diags
  if vim.lsp.diagnostic.from then
    line_diags = vim.lsp.diagnostic.from(vim.diagnostic.get(bufnr, { lnum = 9 }))
  else
    line_diags = vim.lsp.diagnostic.get_line_diagnostics(bufnr, 9)
  end
  local ca = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    range = { start = { line = 9, character = 9 }, ['end'] = { line = 9, character = 18 } },
    context = { diagnostics = line_diags, only = { 'quickfix' } },
  }, timeout)
  local fix
  for _, r in pairs(ca or {}) do
    for _, a in ipairs(r.result or {}) do
      if a.title == 'Replace "localhost" with "127.0.0.1"' then fix = a end
    end
  end
  check('code_action', fix ~= nil)
  if not fix then return end
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
  local text = vim.api.nvim_buf_get_lines(bufnr, 9, 10, false)[1]
  check('fix_applied', text:find('"127.0.0.1:8080:80"', 1, true) ~= nil, text)
  local gone = vim.wait(timeout, function() return at_localhost() == nil end, 20)
  check('diagnostic_gone', gone, { count = #ours() })

  -- What the live check says reaches the user through window/showMessage: keep it.
  local messages = {}
  local show = vim.lsp.handlers['window/showMessage']
  vim.lsp.handlers['window/showMessage'] = function(err, result, ctx, config)
    if result and result.message then table.insert(messages, result.message) end
    return show(err, result, ctx, config)
  end

  -- 4) The code action on the port entry (the fixed one now publishes a port): listed, and
  -- run through workspace/executeCommand (the daemon may be absent: it answers anyway).
  local entry = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    range = { start = { line = 9, character = 10 }, ['end'] = { line = 9, character = 10 } },
    context = { diagnostics = {} },
  }, timeout)
  local check_port
  for _, r in pairs(entry or {}) do
    for _, a in ipairs(r.result or {}) do
      if a.kind == 'quickfix.portside.live' then check_port = a end
    end
  end
  check('port_code_action', check_port ~= nil
    and check_port.title == 'Check reachability of "web" port 8080', check_port and check_port.title)
  if check_port then
    local ran = vim.lsp.buf_request_sync(bufnr, 'workspace/executeCommand', check_port.command, 30000)
    local project
    for _, r in pairs(ran or {}) do
      if r.result then project = r.result.project end
    end
    check('port_code_action_ran', project == 'shop', vim.inspect(ran))
  end

  -- 5) The CodeLens above `web:` (line 6) and its `ports:` (line 8), run from the editor.
  vim.lsp.codelens.refresh()
  local lenses = {}
  vim.wait(timeout, function()
    lenses = vim.lsp.codelens.get(bufnr) or {}
    return #lenses > 0
  end, 50)
  local lines = {}
  for _, l in ipairs(lenses) do
    if l.command and l.command.command == 'portside.probe' then
      table.insert(lines, l.range.start.line)
    end
  end
  table.sort(lines)
  check('code_lens', lines[1] == 5 and lines[2] == 7, { lines = lines, count = #lenses })
  local before = #messages
  vim.api.nvim_win_set_cursor(0, { 6, 2 })
  vim.lsp.codelens.run()
  local ran = vim.wait(30000, function() return #messages > before end, 50)
  check('code_lens_ran', ran and messages[#messages]:find('portside', 1, true) ~= nil, messages[#messages])
  -- After the check, the lens sums up its verdicts (here: the project is not running).
  local title
  local summed = vim.wait(timeout, function()
    vim.lsp.codelens.refresh()
    for _, l in ipairs(vim.lsp.codelens.get(bufnr) or {}) do
      if l.range.start.line == 5 and l.command then title = l.command.title end
    end
    return title ~= nil and title ~= 'Check reachability'
  end, 200)
  check('code_lens_verdict', summed and title:find('not running', 1, true) ~= nil, title)
  -- Never write the example back.
  vim.bo[bufnr].modified = false
end)
