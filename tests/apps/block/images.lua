-- The images of tests/apps/block, for the tests that run it
-- (tests/unix/block.t, tests/xen/block.t): what the test writes into
-- ro.img before the run, and what scratch.img must hold after it. The
-- patterns are blocktest.c's SCRATCH and RO.
local M = {}

M.SCRATCH_SIZE = 4 * 1024 * 1024
M.RO_SIZE = 64 * 1024
M.END_MARK = "mirari block test: the last sector\n"

-- Sector ranges [first, first + count) that blocktest writes.
local WRITTEN = { { 5, 2100 }, { 3000, 100 }, { 4000, 400 } }

local function sector(s, f)
  local b = {}
  for i = 0, 511 do b[i + 1] = f(s * 512 + i) end
  return string.char(table.unpack(b))
end

local function scratch(o) return ((o >> 9) * 31 + (o & 511) * 7 + 3) & 255 end
local function ro(o) return ((o >> 9) * 17 + (o & 511) * 5 + 11) & 255 end

function M.ro_image()
  local s = {}
  for i = 0, M.RO_SIZE // 512 - 1 do s[#s + 1] = sector(i, ro) end
  return table.concat(s)
end

-- What scratch.img holds after a successful run.
function M.scratch_expected()
  local n = M.SCRATCH_SIZE // 512
  local zero = ("\0"):rep(512)
  local s = {}
  for i = 0, n - 1 do s[i + 1] = zero end
  for _, w in ipairs(WRITTEN) do
    for i = w[1], w[1] + w[2] - 1 do s[i + 1] = sector(i, scratch) end
  end
  s[n] = M.END_MARK .. ("\0"):rep(512 - #M.END_MARK)
  return table.concat(s)
end

-- nil when (got) is (want), else where they first differ.
function M.compare(got, want)
  if got == nil then return "no image" end
  if #got ~= #want then return ("%d bytes instead of %d"):format(#got, #want) end
  if got == want then return nil end
  for i = 1, #want, 512 do
    if got:sub(i, i + 511) ~= want:sub(i, i + 511) then
      return ("sector %d differs"):format((i - 1) // 512)
    end
  end
end

return M
