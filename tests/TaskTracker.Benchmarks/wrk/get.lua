-- GET the URL wrk was given; with an argument, send it as If-None-Match (the 304 phase).
--   wrk -t2 -c8 -d15s --latency -s get.lua http://127.0.0.1:PORT/api/plans/guizhou-2025/dashboard?asOf=2025-06-30 -- '"dETAG"'
local etag
function init(args)
  etag = args[1]
end
function request()
  if etag ~= nil and etag ~= "" then
    return wrk.format("GET", nil, { ["If-None-Match"] = etag })
  end
  return wrk.format("GET")
end
