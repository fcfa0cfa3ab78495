-- Drives Neovim headless: opens $MLRUN_LINT_FILE, waits for mlrun-lint's
-- diagnostics, applies the first quick fix, waits for them to clear, and writes
-- what it saw as JSON to $MLRUN_LINT_OUT. Any failure is written there too.
local out = os.getenv('MLRUN_LINT_OUT')
local seen = { nvim = tostring(vim.version()) }

local function finish()
  local file = assert(io.open(out, 'w'))
  file:write(vim.json.encode(seen))
  file:close()
  vim.cmd('qall!')
end

local ok, err = pcall(function()
  vim.cmd.edit(os.getenv('MLRUN_LINT_FILE'))
  local buf = vim.api.nvim_get_current_buf()
  assert(vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50), 'no diagnostics')
  local found = vim.diagnostic.get(buf)[1]
  seen.diagnostic = {
    code = found.code, message = found.message, source = found.source,
    lnum = found.lnum, col = found.col, end_col = found.end_col,
  }
  seen.virtual_text = vim.diagnostic.config().virtual_text and true or false
  -- Shown in the buffer, not only listed: a virtual text with the message.
  seen.shown_inline = vim.wait(5000, function()
    for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(buf, -1, 0, -1, { details = true })) do
      local chunks = mark[4].virt_text or {}
      local text = table.concat(vim.tbl_map(function(chunk) return chunk[1] end, chunks))
      if text:find(found.message, 1, true) then
        return true
      end
    end
    return false
  end, 50)
  local client = vim.lsp.get_clients({ bufnr = buf, name = 'mlrun_lint' })[1]
  seen.encoding = client.offset_encoding
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    range = { start = { line = found.lnum, character = found.col },
              ['end'] = { line = found.end_lnum, character = found.end_col } },
    context = { diagnostics = { found.user_data.lsp } },
  }
  local reply = client:request_sync('textDocument/codeAction', params, 10000, buf)
  local actions = reply.result
  seen.actions = vim.tbl_map(function(action) return action.title end, actions)
  vim.lsp.util.apply_workspace_edit(actions[1].edit, client.offset_encoding)
  assert(vim.wait(20000, function() return #vim.diagnostic.get(buf) == 0 end, 50), 'not cleared')
  seen.fixed_line = vim.api.nvim_buf_get_lines(buf, found.lnum, found.lnum + 1, false)[1]
end)
if not ok then
  seen.error = tostring(err)
end
finish()
