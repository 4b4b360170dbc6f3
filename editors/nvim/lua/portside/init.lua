-- portside for Neovim 0.7 to 0.10 (and later, without vim.lsp.enable): starts the server
-- for Compose files, Dockerfiles and daemon.json, one client per project root.
--
--   require('portside').setup({ cmd = { 'portside', 'lsp' }, settings = {} })
local M = {}

local defaults = {
  cmd = { 'portside', 'lsp' },
  filetypes = { 'yaml.docker-compose', 'dockerfile', 'json' },
  root_markers = {
    'compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml',
    'portside.toml', '.git',
  },
  settings = {},
}

local function root_of(file, markers)
  local dir = vim.fn.fnamemodify(file, ':p:h')
  while true do
    for _, m in ipairs(markers) do
      if vim.loop.fs_stat(dir .. '/' .. m) then return dir end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then return vim.fn.fnamemodify(file, ':p:h') end
    dir = parent
  end
end

-- Only daemon.json among JSON files.
local function wanted(bufnr, opts)
  local ft = vim.bo[bufnr].filetype
  if ft == 'json' then
    return vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':t') == 'daemon.json'
  end
  return vim.tbl_contains(opts.filetypes, ft)
end

local clients = {} -- root -> client id

function M.attach(bufnr, opts)
  opts = vim.tbl_deep_extend('force', defaults, opts or {})
  if not wanted(bufnr, opts) then return nil end
  local root = root_of(vim.api.nvim_buf_get_name(bufnr), opts.root_markers)
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client({
      name = 'portside',
      cmd = opts.cmd,
      root_dir = root,
      init_options = opts.settings,
      settings = { portside = opts.settings },
    })
    clients[root] = id
  end
  if id then vim.lsp.buf_attach_client(bufnr, id) end
  return id
end

function M.setup(opts)
  require('portside.map').create_command()
  local group = vim.api.nvim_create_augroup('portside', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = { 'yaml.docker-compose', 'dockerfile', 'json' },
    callback = function(args) M.attach(args.buf, opts) end,
  })
end

return M
