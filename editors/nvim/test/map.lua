-- Headless test of :PortsideMap with the real portside server. Neovim 0.7+ (`setup()`) and
-- 0.11+ (`vim.lsp.enable`, the command from plugin/portside.lua as a normal startup loads it).
--   PORTSIDE_BIN   the portside binary
--   PORTSIDE_FILE  the Compose file to open (examples/broken/compose.yaml; not edited)
--   PORTSIDE_MODE  'setup' or 'enable'
-- Prints one JSON object per line; exits 0 when every check passed.
local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local h = dofile(here .. '/harness.lua')
local check = h.check

h.run(function()
  local plugin = vim.fn.fnamemodify(here, ':h') -- editors/nvim
  local bin = os.getenv('PORTSIDE_BIN') or 'portside'
  local file = vim.fn.fnamemodify(os.getenv('PORTSIDE_FILE'), ':p')
  local mode = os.getenv('PORTSIDE_MODE') or 'setup'
  local timeout = 10000

  vim.opt.runtimepath:prepend(plugin)
  vim.cmd('filetype on')
  if mode == 'enable' then
    vim.cmd('runtime! plugin/portside.lua')
    vim.lsp.config('portside', { cmd = { bin, 'lsp' } })
    vim.lsp.enable('portside')
  else
    require('portside').setup({ cmd = { bin, 'lsp' } })
  end
  check('command', vim.fn.exists(':PortsideMap') == 2)
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local source = vim.api.nvim_get_current_win()
  local client = h.attach(timeout)
  if not client then return end

  local services = { 'api', 'cache', 'db', 'web', 'worker' }
  -- The buffer of a window showing Mermaid, if any.
  local function mermaid_buf()
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      local b = vim.api.nvim_win_get_buf(w)
      if vim.bo[b].filetype == 'mermaid' then return b, w end
    end
  end
  local function check_mermaid(name)
    local got = vim.wait(timeout, function() return mermaid_buf() ~= nil end, 20)
    local b, w = mermaid_buf()
    local text = b and table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), '\n') or ''
    local all = got and text:find('flowchart LR', 1, true) == 1
    for _, s in ipairs(services) do
      all = all and text:find('"' .. s .. '<br/>', 1, true) ~= nil
    end
    check(name, all, text:sub(1, 400))
    if w then vim.api.nvim_win_close(w, true) end
    vim.api.nvim_set_current_win(source)
  end

  -- 1) :PortsideMap mermaid: the Mermaid text of the project in a split.
  vim.cmd('PortsideMap mermaid')
  check_mermaid('mermaid_split')

  -- 2) :PortsideMap: the SVG written to a file and handed to the viewer (a stub here).
  local map = require('portside.map')
  local opened
  map.open = function(path)
    opened = path
    return true
  end
  vim.cmd('PortsideMap')
  local got = vim.wait(timeout, function() return opened ~= nil end, 20)
  local svg = ''
  if opened then
    local f = io.open(opened, 'rb')
    if f then
      svg = f:read('*a')
      f:close()
    end
  end
  check('svg_opened', got and opened:sub(-4) == '.svg' and svg:find('<svg', 1, true) ~= nil
    and svg:find('data-portside="s0"', 1, true) ~= nil, { path = opened, size = #svg })
  check('no_split_with_a_viewer', mermaid_buf() == nil)

  -- 3) No viewer: the Mermaid text instead.
  map.open = function() return false end
  vim.cmd('PortsideMap')
  check_mermaid('mermaid_without_viewer')
end)
