-- Names and words as Ninja 1.11 reads them, in build.ninja, in the
-- commands it hands to /bin/sh, and in depfiles.
--
-- build.ninja has two kinds of text (Ninja's lexer.in.cc):
--   paths, on build lines, end at a blank, ':', '|' or the end of the
--     line; '$ ', '$:' and '$$' stand for a blank, ':' and '$'. Nothing
--     stands for '|', a newline or a carriage return: Ninja cannot name a
--     file with one of those, and mirari refuses such names at configure.
--   values, right of '=', end at the end of the line; only '$' is special
--     ('$$'). A value cannot hold a newline or a carriage return.
-- Nor should the name of an output hold a tab: .ninja_log, whose fields
-- tabs separate, cannot record it, and Ninja builds it again every time
-- (mirari's outputs are named by mirari, without).
-- A rule's command is a value. Ninja expands its variables and runs it
-- with /bin/sh -c: $in and $out it quotes for the shell itself, every
-- other variable goes in exactly as written. So a word that a command
-- takes from a variable ($flags, $link_after, $dir) is quoted for the
-- shell here, by command(), or a file named `$(touch x)` would run touch.
--
-- path(), value() and command() return the text to write, or nil and why
-- it cannot be written, words that complete "a file name with ...".
local M = {}

-- What no text of build.ninja can hold. (No file name holds a NUL, but a
-- string from app.conf may.)
local function unwritable(s, in_path)
  if s:find("\n", 1, true) then return "a newline" end
  if s:find("\r", 1, true) then return "a carriage return" end
  if s:find("\0", 1, true) then return "a NUL byte" end
  if in_path and s:find("|", 1, true) then return "'|'" end
end

-- (p) as a path on a build line.
function M.path(p)
  local why = unwritable(p, true)
  if why then return nil, why end
  return (p:gsub("[$ :]", "$%0"))
end

-- (s) as a value of a variable.
function M.value(s)
  local why = unwritable(s, false)
  if why then return nil, why end
  return (s:gsub("%$", "$$"))
end

-- (w) as one word of /bin/sh: as it is when every byte is one the shell
-- leaves alone (Ninja's own test, plus the few more that are safe in a
-- word that is not the first), else in single quotes, where only the
-- quote itself needs care.
function M.word(w)
  if w:match("^[%w_+%-./=,:@%%]+$") then return w end
  return "'" .. w:gsub("'", "'\\''") .. "'"
end

-- The words (list) as a shell command line, as a value.
function M.command(list)
  local out = {}
  for i, w in ipairs(list) do out[i] = M.word(w) end
  return M.value(table.concat(out, " "))
end

-- (p) as a name in a depfile, as Ninja's depfile parser (depfile_parser.in.cc)
-- reads it back, or nil when it cannot: that parser ends a name at every
-- byte outside a short list, such as a tab, a quote, '&', ';', '*' or '|',
-- and has no escape for them. Otherwise '$$' is '$'; a backslash run
-- before ' ', '#' or ':' escapes it (N backslashes and a blank are
-- written 2N+1 backslashes and the blank, N and '#' or ':' are written
-- N+1 and it); any other backslash stands for itself. A name that ends in
-- ':' or in a backslash, or has a backslash before '$', has no spelling.
function M.depfile_name(p)
  if p == "" or p:find("[^%w+,/_:.~(){}%%=@%[%]!\128-\255 #$\\-]")
    or p:find(":$") or p:find("\\$") or p:find("\\%$") then
    return nil
  end
  return (p:gsub("(\\*)([ #:])", function(slashes, c)
    local n = #slashes
    if c == " " then return ("\\"):rep(2 * n + 1) .. c end
    if c == "#" or n > 0 then return ("\\"):rep(n + 1) .. c end
    return c
  end):gsub("%$", "$$"))
end

return M
