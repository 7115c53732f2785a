-- example_ha_source: the leader-only pattern from the HA guide, in Lua.
--
-- Emits {source = "example_ha_source", counter = n, message = ...} every `interval` seconds
-- (default 1) while this worker is the leader, and stays quiet while it is a follower. Without
-- HA the engine sets leader_event from the start, so the same file runs standalone.
--
--   sources:
--     - example_ha_source:
--         interval: 2
--         limit: 5        # optional: stop after this many events
return function(queue, args)
  local leader_event = args.leader_event
  local shutdown_event = args.shutdown_event
  local interval = tonumber(args.interval) or 1
  local limit = tonumber(args.limit)
  local counter = 0

  if args.ha then
    log.info("HA mode: waiting for leadership")
  else
    log.info("standalone mode: leader from the start")
  end

  while not shutdown_event:is_set() do
    leader_event:wait()
    log.info("became leader: starting work")
    while leader_event:is_set() and not shutdown_event:is_set() do
      counter = counter + 1
      queue:put({
        source = "example_ha_source",
        counter = counter,
        message = "event " .. counter .. " from the leader",
        time = now(),
      })
      if limit and counter >= limit then
        log.info("sent " .. counter .. " events: done")
        return
      end
      sleep(interval)
    end
    if not shutdown_event:is_set() then log.info("lost leadership: stopping work") end
  end
  log.info("shutting down")
end
