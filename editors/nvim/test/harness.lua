-- What the headless Neovim tests share: JSON lines out, checks counted, a clean exit
-- (0 when every check passed), and waiting for the portside client to attach.
--   local h = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h') .. '/harness.lua')
local M = {}
local t0 = vim.loop.hrtime()
local failures = 0
M.get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients

function M.emit(tbl)
  tbl.t_ms = math.floor((vim.loop.hrtime() - t0) / 1e6)
  io.stdout:write(vim.json.encode(tbl), '\n')
end

function M.check(name, ok, detail)
  if not ok then failures = failures + 1 end
  M.emit({ check = name, ok = ok and true or false, detail = detail })
end

-- The attached portside client, or nil after `timeout` ms (checked as 'attached').
function M.attach(timeout)
  local client
  local attached = vim.wait(timeout, function()
    for _, c in pairs(M.get_clients()) do
      if c.name == 'portside' and c.initialized then client = c; return true end
    end
    return false
  end, 20)
  M.check('attached', attached)
  return client
end

-- Runs `body` (a Lua error is a failed check), then stops the clients and quits.
function M.run(body)
  local ok, err = pcall(body)
  if not ok then M.check('lua_error', false, tostring(err)) end
  local v = vim.version()
  M.emit({ done = true, failures = failures, nvim = v.major .. '.' .. v.minor .. '.' .. v.patch })
  for _, c in pairs(M.get_clients()) do c.stop() end
  vim.wait(2000, function() return #M.get_clients() == 0 end, 50)
  vim.cmd((failures == 0) and 'qall!' or ('cquit ' .. math.min(failures, 100)))
end

return M
