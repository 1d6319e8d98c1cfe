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
--   local how, code = proc.run("exec ./image count=2", function(child) proc.kill(child, "INT") end)
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

-- Send signal (name, such as "INT" or "TERM") to (child) unless it ended.
function M.kill(child, name)
  if child.pid and not M.ended(child.pid) then
    os.execute(("kill -%s %d 2>/dev/null"):format(name, child.pid))
  end
end

-- Run shell command (cmd), standard input /dev/null, as a direct child of
-- this process (cmd should exec its program, so that the program is the
-- child), and wait for it to end. Returns how ("exit" or "signal") and
-- the code, as os.execute does, or nil and a message ("interrupted" when
-- a SIGINT came before the child could be started). Every SIGINT that
-- arrives from the start of the child to its end calls on_interrupt(child)
-- (once its pid is known: proc.kill(child, "INT") passes it on), and the
-- wait goes on. lua5.3 raises an interrupt at whatever instruction runs,
-- so the body below is run again from the top after one, each part of it
-- knowing from (c) whether it already did its work: only the instruction
-- after io.popen and after pclose returns can lose a result (the pipe:
-- the pid still comes from the pid file; the status: reported as lost).
-- lua5.3 takes only the first SIGINT: its handler puts SIGINT back to its
-- default, so a second one ends mirari, and the image follows it.
function M.run(cmd, on_interrupt)
  local c = { interrupts = 0, passed = 0, tries = 0, delay = 0.01 }
  local function pass_on()
    while c.passed < c.interrupts do
      c.passed = c.passed + 1
      if on_interrupt then on_interrupt(c) end
    end
  end
  -- Run again from the top after each interrupt: every part says in (c)
  -- whether it has done its work, so nothing is done twice.
  local function body()
    c.pidfile = c.pidfile or os.tmpname()    -- a retry may leave an empty file
    if not c.started then
      local line = ("echo $$ >%s; MIRARI_RUN_PARENT=%d; export MIRARI_RUN_PARENT; %s </dev/null")
        :format(util.quote(c.pidfile), M.self_pid(), cmd)
      c.started = true
      c.pipe = io.popen(line, "w")
    end
    -- The shell writes its pid (the program's, after exec) at once; on a
    -- loaded machine the program may already run (and a user, or a test,
    -- interrupt it) while this still sleeps.
    while not c.pid and c.tries < 500 do
      c.tries = c.tries + 1
      c.pid = tonumber(util.read_file(c.pidfile) or "")
      if not c.pid then M.sleep(0.01) end
    end
    if not c.removed then
      c.removed = true
      os.remove(c.pidfile)
    end
    if c.pid then
      pass_on()
      while not M.ended(c.pid) do
        M.sleep(c.delay)
        c.delay = math.min(c.delay * 2, 0.25)
        pass_on()
      end
    end
    if not c.closed then
      c.closed = true
      if c.pipe then c.result = table.pack(c.pipe:close()) end
    end
  end
  while true do
    local ok, err = pcall(body)
    if ok then break end
    if not is_interrupt(err) then error(err, 0) end
    c.interrupts = c.interrupts + 1
  end
  -- An interrupt between the flag and io.popen itself: nothing started.
  if not c.pid then return nil, c.interrupts > 0 and "interrupted" or "the child process did not start" end
  if not c.result or not c.result[2] then return nil, "its exit status was lost to an interrupt" end
  return c.result[2], c.result[3]
end

return M
