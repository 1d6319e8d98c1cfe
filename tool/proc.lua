-- Child processes that mirari waits for without losing its own signals.
--
-- Lua 5.3 cannot handle signals, and os.execute (system(3)) ignores SIGINT
-- in the caller while it waits: a `kill -INT` of mirari alone would be lost,
-- and a `kill -TERM` kills mirari but not what it started. So:
--
--   * a child is started with io.popen, which ignores nothing, and mirari
--     waits for it in short sleeps (growing from 10 ms to 250 ms), each
--     one a return to Lua where lua5.3's own SIGINT handler raises its
--     "interrupted!" error; the caller decides what an interrupt means;
--   * the child is told mirari's process id in MIRARI_RUN_PARENT, so that
--     it can ask the kernel to be signalled when mirari dies, however it
--     dies (a Unix image does: backends/unix/stop.c).
--
--   local proc = require("tool.proc")
--   local child = proc.spawn("exec ./image count=2")
--   local how, code = proc.wait(child, function() proc.kill(child, "INT") end)
local util = require("config.util")

local M = {}

local self_pid
-- The process id of this Lua process: the parent of the shell io.popen starts.
function M.self_pid()
  if not self_pid then
    local p = io.popen("echo $PPID")
    self_pid = tonumber(p:read("l"))
    p:close()
  end
  return self_pid
end

-- Sleep (seconds), interruptibly: unlike os.execute, io.popen leaves
-- SIGINT to lua5.3's handler, whose error is raised on return.
function M.sleep(seconds)
  local p = io.popen(("sleep %.3f"):format(seconds))
  p:close()
end

-- True once process (pid) has ended: gone, or a zombie not yet reaped.
function M.ended(pid)
  local stat = util.read_file("/proc/" .. pid .. "/stat")
  return stat == nil or stat:match("^%d+ %(.*%) (%a)") == "Z"
end

local is_interrupt = require("config.errors").is_interrupt
M.is_interrupt = is_interrupt

-- Start shell command (cmd), standard input /dev/null, as a direct child
-- of this process (cmd should exec its program, so that the program is
-- the child). Returns a handle for wait and kill, or nil and a message.
-- A SIGINT that arrives once the child exists, before its pid is known,
-- is not lost: wait() passes it on first.
function M.spawn(cmd)
  local pidfile = os.tmpname()
  local pipe = io.popen(("echo $$ >%s; MIRARI_RUN_PARENT=%d; export MIRARI_RUN_PARENT; %s </dev/null")
    :format(util.quote(pidfile), M.self_pid(), cmd), "w")
  local child = { pipe = pipe, pidfile = pidfile, interrupts = 0 }
  -- The shell writes its pid (the program's, after exec) at once; on a
  -- loaded machine the program may already run (and a user, or a test,
  -- interrupt it) while this loop still sleeps.
  for _ = 1, 500 do
    local ok, err = pcall(function()
      child.pid = tonumber(util.read_file(pidfile) or "")
      if not child.pid then M.sleep(0.01) end
    end)
    if not ok then
      if not is_interrupt(err) then error(err, 0) end
      child.interrupts = child.interrupts + 1
    end
    if child.pid then break end
  end
  os.remove(pidfile)
  if not child.pid then
    pipe:close()
    return nil, "the child process did not start"
  end
  return child
end

-- Send signal (name, such as "INT" or "TERM") to (child) unless it ended.
function M.kill(child, name)
  if not M.ended(child.pid) then os.execute(("kill -%s %d 2>/dev/null"):format(name, child.pid)) end
end

-- Wait for (child) to end; returns how ("exit" or "signal") and the code,
-- as os.execute does. A SIGINT that mirari receives meanwhile (or while
-- spawn waited for the pid) calls on_interrupt(), and the wait goes on.
-- lua5.3 takes only the first: its handler puts SIGINT back to its
-- default, so a second one ends mirari, and the image follows it.
function M.wait(child, on_interrupt)
  local delay = 0.01
  for _ = 1, child.interrupts or 0 do
    if on_interrupt then on_interrupt() end
  end
  while true do
    local ok, err = pcall(function()
      while not M.ended(child.pid) do
        M.sleep(delay)
        delay = math.min(delay * 2, 0.25)
      end
    end)
    if ok then break end
    if not is_interrupt(err) then error(err, 0) end
    if on_interrupt then on_interrupt() end
  end
  local _, how, code = child.pipe:close()
  return how, code
end

return M
