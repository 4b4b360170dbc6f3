-- Headless test of Compose key completion, key hover and the unknown-key fix in Neovim with
-- the real portside server (`require('portside').setup`, Neovim 0.7+).
--   PORTSIDE_BIN   the portside binary
--   PORTSIDE_FILE  a scratch compose.yaml that this script may edit
-- Prints one JSON object per line; exits 0 when every check passed.
local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local h = dofile(here .. '/harness.lua')
local emit, check, get_clients = h.emit, h.check, h.get_clients

h.run(function()
  local plugin = vim.fn.fnamemodify(here, ':h') -- editors/nvim
  local bin = os.getenv('PORTSIDE_BIN') or 'portside'
  local file = vim.fn.fnamemodify(os.getenv('PORTSIDE_FILE'), ':p')
  local timeout = 10000
  vim.opt.runtimepath:prepend(plugin)
  vim.cmd('filetype on')
  require('portside').setup({ cmd = { bin, 'lsp' } })
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local client = h.attach(timeout)
  if not client then return end
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local function line_of(needle)
    for i, l in ipairs(lines) do
      if l:find(needle, 1, true) then return i - 1 end
    end
  end

  -- 1) The unknown key `port` is an error at the key, with a rename to `ports`.
  local port_line = line_of('port:')
  local function unknown()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      if code == 'compose-unknown-key' and d.lnum == port_line then return d end
    end
  end
  check('unknown_key_diagnostic', vim.wait(timeout, function() return unknown() ~= nil end, 20))

  -- 2) Hover on `healthcheck`: its description and reference link.
  local hc = line_of('healthcheck:')
  local resp = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    position = { line = hc, character = 6 },
  }, timeout)
  local hover = ''
  for _, r in pairs(resp or {}) do
    if r.result and r.result.contents then
      hover = table.concat(vim.lsp.util.convert_input_to_markdown_lines(r.result.contents), '\n')
    end
  end
  check('key_hover', hover:find('**`healthcheck`**', 1, true) ~= nil
    and hover:find('https://docs.docker.com/reference/compose-file/services/#healthcheck', 1, true) ~= nil,
    hover:sub(1, 300))

  -- 3) Completion under `healthcheck:` offers its keys (not the service's), minus `test`.
  -- The blank line (six spaces) below `test:`.
  local blank = line_of('test: [') + 1
  local comp = vim.lsp.buf_request_sync(bufnr, 'textDocument/completion', {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    position = { line = blank, character = 6 },
  }, timeout)
  local labels = {}
  for _, r in pairs(comp or {}) do
    local items = r.result and (r.result.items or r.result) or {}
    for _, it in ipairs(items) do labels[it.label] = true end
  end
  check('key_completion', labels['interval'] and labels['start_period'] and not labels['test']
    and not labels['image'], vim.tbl_keys(labels))

  -- 4) The quick fix renames the key, and the error goes away.
  local d = unknown()
  local ca = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    range = { start = { line = port_line, character = 4 }, ['end'] = { line = port_line, character = 8 } },
    context = { diagnostics = {
      { range = { start = { line = port_line, character = 4 }, ['end'] = { line = port_line, character = 8 } },
        message = d and d.message or '', code = 'compose-unknown-key', source = 'portside', severity = 1 },
    }, only = { 'quickfix' } },
  }, timeout)
  local fix
  for _, r in pairs(ca or {}) do
    for _, a in ipairs(r.result or {}) do
      if a.title == 'Rename to "ports"' then fix = a end
    end
  end
  check('rename_fix_offered', fix ~= nil)
  if not fix then return end
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
  local text = vim.api.nvim_buf_get_lines(bufnr, port_line, port_line + 1, false)[1]
  check('fix_applied', text:find('ports:', 1, true) ~= nil, text)
  check('diagnostic_gone', vim.wait(timeout, function() return unknown() == nil end, 20))

  -- 5) "Ignore RULE on this line" on `user: 1000` (a number where Compose takes a string)
  --    writes the portside-ignore comment, and the error goes away.
  local user_line = line_of('user: 1000')
  local function invalid()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      if code == 'compose-invalid-value' and d.lnum == user_line then return d end
    end
  end
  check('invalid_value_diagnostic', vim.wait(timeout, function() return invalid() ~= nil end, 20))
  local iv = invalid()
  local ca2 = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    range = { start = { line = user_line, character = 10 }, ['end'] = { line = user_line, character = 14 } },
    context = { diagnostics = {
      { range = { start = { line = user_line, character = 10 }, ['end'] = { line = user_line, character = 14 } },
        message = iv and iv.message or '', code = 'compose-invalid-value', source = 'portside', severity = 1 },
    } },
  }, timeout)
  local ignore
  for _, r in pairs(ca2 or {}) do
    for _, a in ipairs(r.result or {}) do
      if a.title == 'Ignore compose-invalid-value on this line' then ignore = a end
    end
  end
  check('ignore_offered', ignore ~= nil)
  if not ignore then return end
  vim.lsp.util.apply_workspace_edit(ignore.edit, client.offset_encoding)
  local uline = vim.api.nvim_buf_get_lines(bufnr, user_line, user_line + 1, false)[1]
  check('ignore_written', uline:find('# portside-ignore: compose-invalid-value', 1, true) ~= nil, uline)
  check('ignored_gone', vim.wait(timeout, function() return invalid() == nil end, 20))
  vim.bo[bufnr].modified = false
end)
