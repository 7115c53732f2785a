-- A source that sends one event and then raises: the engine fails the source (exit 1), writes a
-- Source record in the audit log, and the other sources go on.
return function(queue, args)
  queue:put({reading = 1})
  error("the sensor is unplugged")
end
