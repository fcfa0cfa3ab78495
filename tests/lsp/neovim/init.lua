-- docs/editors.md's Neovim set-up, word for word (tests/lsp/test_neovim.py checks
-- that docs/editors.md still says this).
vim.lsp.config('mlrun_lint', {
  cmd = { 'mlrun-lint', 'server' },
  filetypes = { 'yaml', 'requirements', 'python', 'dockerfile', 'toml', 'json' },
  root_markers = { 'project.yaml', 'mlrun-lint.toml', '.mlrun-lint.toml', 'pyproject.toml', '.git' },
})
vim.lsp.enable('mlrun_lint')
-- Neovim 0.11 no longer shows diagnostics' messages by default.
vim.diagnostic.config({ virtual_text = true })
