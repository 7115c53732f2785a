-- tick: emits {tick = n} (n = 1, 2, ...) every `interval` seconds (default 1), forever or until
-- `limit` events have been sent.
--
--   sources:
--     - tick:
--         interval: 0.5
--         limit: 10
return function(queue, args)
  local interval = tonumber(args.interval) or 1
  local limit = tonumber(args.limit)
  local n = 0
  while limit == nil or n < limit do
    n = n + 1
    queue:put({tick = n})
    if limit == nil or n < limit then sleep(interval) end
  end
end
