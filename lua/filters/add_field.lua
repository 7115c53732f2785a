-- add_field: sets event[args.key] = args.value on every event (a minimal Lua filter).
--
--   filters:
--     - add_field:
--         key: site
--         value: lab-1
return function(event, args)
  if args.key ~= nil then event[args.key] = args.value end
  return event
end
