-- Headless end-to-end test of editors/nvim with the real portside server, as a user would
-- set it up. Neovim 0.7+ (`require('portside').setup`) and 0.11+ (`vim.lsp.enable`).
--   PORTSIDE_BIN   the portside binary
--   PORTSIDE_FILE  the Compose file to open (examples/broken/compose.yaml)
--   PORTSIDE_MODE  'setup' or 'enable'
-- Prints one JSON object per line; exits 0 when every check passed.
local t0 = vim.loop.hrtime()
local function ms() return math.floor((vim.loop.hrtime() - t0) / 1e6) end
local function emit(tbl) tbl.t_ms = ms(); io.stdout:write(vim.json.encode(tbl), '\n') end
local failures = 0
local function check(name, ok, detail)
  if not ok then failures = failures + 1 end
  emit({ check = name, ok = ok and true or false, detail = detail })
end
local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients
local function finish()
  local v = vim.version()
  emit({ done = true, failures = failures, nvim = v.major .. '.' .. v.minor .. '.' .. v.patch })
  for _, c in pairs(get_clients()) do c.stop() end
  vim.wait(2000, function() return #get_clients() == 0 end, 50)
  vim.cmd((failures == 0) and 'qall!' or ('cquit ' .. math.min(failures, 100)))
end

local ok, err = pcall(function()
  local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
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

  local client
  local attached = vim.wait(timeout, function()
    for _, c in pairs(get_clients()) do
      if c.name == 'portside' and c.initialized then client = c; return true end
    end
    return false
  end, 20)
  check('attached', attached)
  if not attached then return end

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
  -- Never write the example back.
  vim.bo[bufnr].modified = false
end)
if not ok then check('lua_error', false, tostring(err)) end
finish()
