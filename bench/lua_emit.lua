-- Benchmark source: emits {i = 0} .. {i = limit - 1} as fast as the engine takes them (the Lua
-- twin of the built-in range source; used by bench/lua_throughput.sh).
return function(queue, args)
  local put = queue.put
  for i = 0, args.limit - 1 do
    put(queue, {i = i})
  end
end
