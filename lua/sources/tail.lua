-- tail: follows a text file like `tail -F`, one event per new line. Needs `--lua-allow io`
-- (reading files is outside the default sandbox).
--
--   {path = "/var/log/app.log", line = "the line, without its newline"}
--   or, with json: true and a line holding a JSON object, that object itself.
--
-- Arguments:
--   path            the file (required). It may not exist yet: the source waits for it.
--   interval        seconds between two looks at the file (default 0.5)
--   from_beginning  true: send the lines already in the file first (default false: only new ones)
--   json            true: decode each line as JSON; a line that is not a JSON object is sent as
--                   {path, line} with a warning (default false)
--   limit           end after this many events (default: follow for ever)
--
--   sources:
--     - tail:
--         path: /var/log/app.log
--         json: true
--
-- The file is opened again at each look, so a rotated (renamed and re-created) or truncated file
-- is followed as soon as it is shorter than what was already read; a line without its final
-- newline waits for it. Nothing blocks the engine: each look reads what is there and sleeps.
return function(queue, args)
  if io == nil then
    error("reading files needs the io library: run rulebook with --lua-allow io")
  end
  local path = args.path
  if type(path) ~= "string" or path == "" then
    error("argument 'path' is required (a file name)")
  end
  local interval = tonumber(args.interval) or 0.5
  local limit = tonumber(args.limit)
  local as_json = args.json == true
  local pos = nil -- bytes of the file already read; nil before the first look
  local pending = "" -- the start of a line whose newline has not arrived yet
  local sent = 0
  local waiting_logged = false

  local function emit(line)
    local event = nil
    if as_json then
      local ok, decoded = pcall(json.decode, line)
      if ok and type(decoded) == "table" and next(decoded) ~= nil and decoded[1] == nil then
        event = decoded
      else
        log.warning(path .. ": line is not a JSON object: " .. line:sub(1, 200))
      end
    end
    queue:put(event or {path = path, line = line})
    sent = sent + 1
    return limit ~= nil and sent >= limit
  end

  while not args.shutdown_event:is_set() do
    local f = io.open(path, "rb")
    if f == nil then
      if not waiting_logged then
        log.info("waiting for " .. path .. " to exist")
        waiting_logged = true
      end
      -- Not there (yet, or rotated away): whatever file appears next is new from its first byte.
      pos = 0
      pending = ""
    else
      waiting_logged = false
      local size = f:seek("end")
      if pos == nil then
        pos = args.from_beginning and 0 or size
      elseif size < pos then
        log.info(path .. " was truncated or replaced: reading it from the start")
        pos = 0
        pending = ""
      end
      if size > pos then
        f:seek("set", pos)
        -- Read what is there in 64 KiB chunks; queue:put yields when the engine is busy.
        while true do
          local chunk = f:read(65536)
          if chunk == nil then break end
          pos = pos + #chunk
          local start = 1
          while true do
            local nl = chunk:find("\n", start, true)
            if nl == nil then break end
            local line = pending .. chunk:sub(start, nl - 1)
            pending = ""
            if line:sub(-1) == "\r" then line = line:sub(1, -2) end
            if emit(line) then
              f:close()
              return
            end
            start = nl + 1
          end
          pending = pending .. chunk:sub(start)
        end
      end
      f:close()
    end
    sleep(interval)
  end
end
