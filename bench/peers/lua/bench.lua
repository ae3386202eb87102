-- bench/peers/lua/bench.lua: the peer-comparison workloads in Lua (5.1 syntax, so Lua 5.4 and
-- LuaJIT both run it). Usage: lua5.4 bench.lua WORKLOAD SIZE [RUNS]
--
-- Same shapes as the fusevm bytecode (bench/peers/fusevm-runner/src/programs.rs): explicit
-- `while` loops, locals, a global recursive function. One untimed warm-up run, then RUNS timed
-- runs (default 3) with os.clock() (process CPU time); every run's result is checked. Prints
--   RESULT engine=lua workload=W size=N units=U runs=R ns_per_unit=X
-- with the median run. A wrong result prints FAIL on stderr and exits 1.

function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

function ack(m, n)
  if m == 0 then return n + 1 end
  if n == 0 then return ack(m - 1, 1) end
  return ack(m - 1, ack(m, n - 1))
end

local work = {}

function work.fib_rec(n) return fib(n) end

function work.ack(n) return ack(3, n) end

function work.loop_sum(n)
  local s, i = 0, 0
  while i < n do
    s = s + i
    i = i + 1
  end
  return s
end

function work.nested_loop(n)
  local s, i = 0, 0
  while i < n do
    local j = 0
    while j < n do
      s = s + i * j
      j = j + 1
    end
    i = i + 1
  end
  return s
end

function work.string_build(n)
  local s, i = "", 0
  while i < n do
    s = s .. "x"
    i = i + 1
  end
  return #s
end

function work.array_push_sum(n)
  local a, i = {}, 0
  while i < n do
    a[#a + 1] = i
    i = i + 1
  end
  local s = 0
  i = 0
  while i < #a do
    s = s + a[i + 1]
    i = i + 1
  end
  return s
end

function work.hash_count(n)
  local h, i = {}, 0
  while i < n do
    local k = tostring(i % 1000)
    h[k] = (h[k] or 0) + 1
    i = i + 1
  end
  local s, keys = 0, 0
  i = 0
  while i < 1000 do
    local c = h[tostring(i)]
    if c then
      s = s + c
      keys = keys + 1
    end
    i = i + 1
  end
  return s .. "/" .. keys
end

-- The expected result and the number of work units, computed without the workload's code.
local function reference(w, n)
  local tri = n * (n - 1) / 2
  if w == "fib_rec" then
    local a, b = 0, 1
    for _ = 1, n do a, b = b, a + b end
    return a, 2 * b - 1 -- fib(n), calls = 2 fib(n+1) - 1
  elseif w == "ack" then
    local calls = 15 -- calls(3,0); calls(3,k) = 1 + calls(3,k-1) + calls(2, ack(3,k-1))
    for k = 1, n do
      local a = 2 ^ (k + 2) - 3
      calls = 1 + calls + 2 * a * a + 7 * a + 5
    end
    return 2 ^ (n + 3) - 3, calls
  elseif w == "loop_sum" then return tri, n
  elseif w == "nested_loop" then return tri * tri, n * n
  elseif w == "string_build" then return n, n
  elseif w == "array_push_sum" then return tri, n
  elseif w == "hash_count" then return n .. "/" .. math.min(n, 1000), n
  end
end

local w, n, runs = arg[1], tonumber(arg[2]), tonumber(arg[3] or "3")
if not work[w] or not n or not runs or runs < 1 then
  io.stderr:write("usage: bench.lua WORKLOAD SIZE [RUNS]\n")
  os.exit(2)
end
local expected, units = reference(w, n)
local engine = jit and "luajit" or "lua"

local function check(got)
  -- tostring normalises 5 vs 5.0 (LuaJIT and Lua 5.4 float results) before comparing.
  if got ~= expected and tostring(got) ~= tostring(expected)
     and not (type(got) == "number" and type(expected) == "number" and got == expected) then
    io.stderr:write(string.format("FAIL engine=%s workload=%s size=%d: got %s, expected %s\n",
      engine, w, n, tostring(got), tostring(expected)))
    os.exit(1)
  end
end

check(work[w](n))
local times = {}
for r = 1, runs do
  local t0 = os.clock()
  local got = work[w](n)
  times[r] = os.clock() - t0
  check(got)
end
table.sort(times)
local median = times[math.floor(runs / 2) + 1]
print(string.format("RESULT engine=%s workload=%s size=%d units=%d runs=%d ns_per_unit=%.3f",
  engine, w, n, units, runs, median * 1e9 / units))
