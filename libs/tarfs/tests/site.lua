-- The tree the end-to-end tests of tarfs (mount.t on Unix, xen.t under
-- Xen) put in a tar archive, and what tests/app (tarls) must print for
-- it. dofile it: it returns a table.
--
--   site.make(tree)                  write the files, with their modes
--   site.expected(mtime, dmode[, fmode])
--                                    tarls's output: every node with the
--                                    time and modes the archive gave it
--                                    (fmode nil: as made, 644 or 600)
--   site.files                       path -> bytes, to add to or remove
local M = {}

-- Text, a binary file of several sectors, an empty file, a directory
-- inside a directory, a name with a space.
M.files = {
  ["index.html"] = "<!doctype html>\n<h1>hello from tarfs</h1>\n",
  ["css/site.css"] = "body { color: #333 }\n",
  ["img/empty"] = "",
  ["docs/notes/a b.txt"] = "spaces\n",
}
local photo = {}
for i = 1, 70001 do photo[i] = string.char((i * 7919 + i // 256) % 256) end
M.files["img/photo.bin"] = table.concat(photo)

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

function M.make(tree)
  for name, data in pairs(M.files) do
    os.execute("mkdir -p " .. q((tree .. "/" .. name):match("^(.*)/[^/]*$")))
    local f = assert(io.open(tree .. "/" .. name, "wb"))
    f:write(data)
    f:close()
  end
  os.execute("cd " .. q(tree) .. " && chmod 0755 . css img docs docs/notes && chmod 0644 index.html "
    .. "img/empty img/photo.bin 'docs/notes/a b.txt' && chmod 0600 css/site.css")
end

-- FNV-1a 64, as tarls computes it (Lua's integers wrap like uint64_t).
local function fnv(s)
  local h = -3750763034362895579 -- 0xcbf29ce484222325
  for i = 1, #s do h = (h ~ s:byte(i)) * 0x100000001b3 end
  return ("%016x"):format(h)
end

function M.expected(mtime, dmode, fmode)
  local nodes = { [""] = true }
  for name in pairs(M.files) do
    nodes[name] = true
    local d = name
    while d:find("/") do
      d = d:match("^(.*)/[^/]*$")
      nodes[d] = true
    end
  end
  local names = {}
  for n in pairs(nodes) do names[#names + 1] = n end
  table.sort(names)
  local out = { "count " .. #names }
  for _, n in ipairs(names) do
    local data = M.files[n]
    if data then
      out[#out + 1] = ("node %s %d %s %d %s"):format(n, #data,
        fmode or (n == "css/site.css" and "600" or "644"), mtime, fnv(data))
    else
      out[#out + 1] = ("node %s dir %s %d"):format(n, dmode, mtime)
    end
  end
  for _, l in ipairs({ "", "index.html", "css", "css/site.css", "img/photo.bin" }) do
    out[#out + 1] = "lookup " .. l .. " yes"
  end
  for _, l in ipairs({ "nothere", "/index.html", "css/", "./css", "css//site.css", "../index.html" }) do
    out[#out + 1] = "lookup " .. l .. " no"
  end
  out[#out + 1] = "text index.html"
  return table.concat(out, "\n") .. "\n" .. M.files["index.html"] .. "tarls done\n"
end

return M
