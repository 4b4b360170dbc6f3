" Compose files get the filetype nvim-lspconfig uses for them, so that YAML tooling still
" applies ('yaml.docker-compose' is yaml plus docker-compose). daemon.json stays json.
autocmd BufRead,BufNewFile compose.yaml,compose.yml,compose.*.yaml,compose.*.yml,docker-compose.yaml,docker-compose.yml,docker-compose.*.yaml,docker-compose.*.yml set filetype=yaml.docker-compose
autocmd BufRead,BufNewFile Dockerfile,Dockerfile.*,*.Dockerfile,*.dockerfile,Containerfile set filetype=dockerfile
