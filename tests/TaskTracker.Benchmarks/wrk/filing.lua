-- POST a progress report with a new Idempotency-Key per request (each must become its own 201).
--   wrk -t1 -c8 -d15s --latency -s filing.lua http://127.0.0.1:PORT -- TOKEN TARGET_ID
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local token, target, counter = nil, nil, 0
function init(args)
  token, target = args[1], args[2]
  math.randomseed(os.time() * 1000 + (tid or 0))
end
function request()
  counter = counter + 1
  local key = string.format("wrk-%d-%d-%08x%08x", tid or 0, counter, math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
  local body = string.format('{"value": %d, "asOf": "2025-06-30", "narrative": "wrk filing", "evidence": ["https://dsj.guizhou.gov.cn/"]}',
    100 + counter % 50)
  return wrk.format("POST", "/api/targets/" .. target .. "/reports",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json", ["Idempotency-Key"] = key }, body)
end
