-- fhirfort bench: a request mix for wrk (Debian's wrk 4.1, LuaJIT).
-- Usage: wrk ... -s bench/wrk/mix.lua <url> -- <requests.tsv> [bearer token file]
-- requests.tsv: one request a line, "METHOD<TAB>PATH<TAB>BODYFILE" (BODYFILE "-" for none). Every thread
-- cycles through the lines in order, starting at a different offset. done() prints one JSON line that
-- starts with "FHIRFORT_WRK " (requests, duration, latency percentiles, status counts).

local threads = {}
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

local function read_file(path)
  local fh = assert(io.open(path, "rb"), "cannot open " .. path)
  local data = fh:read("*a")
  fh:close()
  return data
end

local function split_tabs(line)
  local out = {}
  for field in string.gmatch(line, "[^\t]+") do
    table.insert(out, field)
  end
  return out
end

local reqs = {}
local idx = 0
statuses = {}

function init(args)
  local list = args[1]
  local token = nil
  if args[2] ~= nil and args[2] ~= "" then
    token = string.gsub(read_file(args[2]), "%s+$", "")
  end
  for line in io.lines(list) do
    if line ~= "" then
      local f = split_tabs(line)
      local headers = { ["Accept"] = "application/fhir+json", ["User-Agent"] = "fhirfort-bench" }
      local body = nil
      if f[3] ~= nil and f[3] ~= "-" then
        body = read_file(f[3])
        headers["Content-Type"] = "application/fhir+json"
      end
      if token ~= nil then
        headers["Authorization"] = "Bearer " .. token
      end
      table.insert(reqs, wrk.format(f[1], f[2], headers, body))
    end
  end
  assert(#reqs > 0, "no requests in " .. list)
  idx = ((tid or 1) * 7) % #reqs
end

function request()
  idx = idx % #reqs + 1
  return reqs[idx]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    if s ~= nil then
      for code, n in pairs(s) do
        counts[code] = (counts[code] or 0) + n
      end
    end
  end
  local parts = {}
  for code, n in pairs(counts) do
    table.insert(parts, string.format('"%d":%d', code, n))
  end
  local e = summary.errors
  io.write(string.format(
    'FHIRFORT_WRK {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    table.concat(parts, ",")))
end
