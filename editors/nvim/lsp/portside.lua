-- portside for Neovim 0.11+ (`vim.lsp.config` format). With this folder on 'runtimepath':
--   vim.lsp.enable('portside')
---@type vim.lsp.Config
return {
  cmd = { 'portside', 'lsp' },
  filetypes = { 'yaml.docker-compose', 'dockerfile', 'json' },
  -- The project root, and only daemon.json among JSON files.
  root_dir = function(bufnr, on_dir)
    local name = vim.api.nvim_buf_get_name(bufnr)
    if vim.bo[bufnr].filetype == 'json' and vim.fs.basename(name) ~= 'daemon.json' then
      return
    end
    local markers = {
      'compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml',
      'portside.toml', '.git',
    }
    on_dir(vim.fs.root(bufnr, markers) or vim.fs.dirname(name))
  end,
  -- Settings the server reads, for example:
  -- settings = { portside = { rules = { ['container-port-only'] = 'off' }, live = { enabled = false } } },
}
