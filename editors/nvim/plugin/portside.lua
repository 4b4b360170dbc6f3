-- :PortsideMap (lua/portside/map.lua), whichever way the server is started (`setup()` or
-- 0.11's `vim.lsp.enable('portside')`).
if vim.api.nvim_create_user_command then
  require('portside.map').create_command()
end
