-- http.request from a Lua source (docs/plugins-lua.md): two answers, a capped body and one
-- failure, each sent on as an event.
return function(queue, args)
  for _, path in ipairs({"/ok", "/missing"}) do
    local r = http.request{url = args.base .. path, headers = {["X-Probe"] = "1"}}
    queue:put({path = path, ok = r.ok, status = r.status, body = r.body, bytes = r.bytes,
               length = r.headers["Content-Length"], timed = r.timings.total_ms > 0,
               ip = r.remote_ip})
  end
  local capped = http.request{url = args.base .. "/ok", max_body_bytes = 2, ip_version = 4,
                              proxy = ""}
  queue:put({path = "capped", body = capped.body, bytes = capped.bytes})
  local r = http.request{url = args.closed, timeout = 2}
  queue:put({path = "closed", ok = r.ok, has_status = r.status ~= nil, error = r.error})
end
