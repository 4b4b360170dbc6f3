-- :PortsideMap: the network map of the current Compose buffer, asked of the portside
-- server (`workspace/executeCommand` `portside.showMap`). Neovim 0.7+.
--
--   :PortsideMap            the SVG, written to a temporary file and opened with the
--                           system viewer (vim.ui.open on 0.10+, else xdg-open/open/start);
--                           with no viewer, the Mermaid text in a split
--   :PortsideMap mermaid    the Mermaid text in a split (filetype mermaid)
--   :PortsideMap live       either of them painted with the live checks' verdicts
--
-- The viewer can be replaced: `require('portside.map').open = function(path) ... end`, or
-- `vim.g.portside_map_open = 'firefox'` (a program given the file's path).
local M = {}

local function notify(msg, level)
  vim.notify('portside: ' .. msg, level or vim.log.levels.INFO)
end

-- The portside client attached to `bufnr`, if any.
local function client_of(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr, name = 'portside' })[1]
  end
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if c.name == 'portside' then return c end
  end
end

local function request(client, method, params, handler, bufnr)
  if vim.fn.has('nvim-0.11') == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

-- The Mermaid text in a new scratch split.
function M.show_mermaid(text)
  vim.cmd('botright new')
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(text, '\n', { plain = true, trimempty = true }))
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = 'mermaid'
  return buf
end

-- The system viewer's command for `path`, on Neovims without vim.ui.open.
local function viewer(path)
  if vim.fn.has('mac') == 1 and vim.fn.executable('open') == 1 then return { 'open', path } end
  if vim.fn.has('win32') == 1 then return { 'cmd.exe', '/c', 'start', '', path } end
  if vim.fn.executable('xdg-open') == 1 then return { 'xdg-open', path } end
end

-- Opens `path` with the system viewer; false when there is none. Replaceable.
function M.open(path)
  local program = vim.g.portside_map_open
  if type(program) == 'string' and program ~= '' then
    return vim.fn.jobstart({ program, path }, { detach = true }) > 0
  end
  if vim.ui.open then
    local ok, obj = pcall(vim.ui.open, path)
    return ok and obj ~= nil
  end
  local cmd = viewer(path)
  return cmd ~= nil and vim.fn.jobstart(cmd, { detach = true }) > 0
end

-- Writes `svg` to a temporary .svg file and returns its path.
local function write_svg(svg)
  local path = vim.fn.tempname() .. '.svg'
  local f = assert(io.open(path, 'wb'))
  f:write(svg)
  f:close()
  return path
end

-- Asks the server for the map of `bufnr` and shows it. `opts.format`: 'svg' (default) or
-- 'mermaid'; `opts.live`: paint the live verdicts; `opts.done(result)` is called after.
function M.show(bufnr, opts)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  opts = opts or {}
  local client = client_of(bufnr)
  if not client then
    notify('no portside server is attached to this buffer (is it a Compose file?)', vim.log.levels.ERROR)
    return
  end
  local arg = { uri = vim.uri_from_bufnr(bufnr) }
  if opts.live then arg.live = true end
  request(client, 'workspace/executeCommand', { command = 'portside.showMap', arguments = { arg } },
    function(err, result)
      if err or type(result) ~= 'table' then
        notify('no map: ' .. (err and err.message or 'no answer'), vim.log.levels.ERROR)
        if opts.done then opts.done(nil) end
        return
      end
      if result.live_error then
        notify('live verdicts left out: ' .. result.live_error, vim.log.levels.WARN)
      end
      local shown
      if opts.format ~= 'mermaid' then
        local path = write_svg(result.svg or '')
        if M.open(path) then
          shown = { svg = path }
        else
          notify('no viewer for ' .. path .. ': showing the Mermaid text', vim.log.levels.WARN)
        end
      end
      if not shown then
        shown = { mermaid = M.show_mermaid(result.mermaid or '') }
      end
      if opts.done then opts.done(shown) end
    end, bufnr)
end

-- `:PortsideMap [svg|mermaid] [live]`.
function M.create_command()
  vim.api.nvim_create_user_command('PortsideMap', function(cmd)
    local opts = {}
    for _, a in ipairs(cmd.fargs) do
      if a == 'mermaid' or a == 'svg' then
        opts.format = a
      elseif a == 'live' then
        opts.live = true
      else
        notify('unknown argument ' .. a .. ' (svg, mermaid, live)', vim.log.levels.ERROR)
        return
      end
    end
    M.show(0, opts)
  end, {
    nargs = '*',
    complete = function() return { 'svg', 'mermaid', 'live' } end,
    desc = 'portside: the network map of this Compose file',
  })
end

return M
