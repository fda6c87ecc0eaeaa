-- Reads a room's position and history entries in one consistent step. Runs after room_position.lua.
-- KEYS[1] the room's meta hash {epoch, seq}
-- KEYS[2] the room's history stream (entry id "<seq>-0", field f = the message frame up to its offset)
-- ARGV[1] mode: 'after' = the oldest entries with seq > ARGV[2]; 'latest' = the newest entries
-- ARGV[2] seq to read after (mode 'after')
-- ARGV[3] how many entries at most (0 = none, only the position)
-- ARGV[4] a fresh epoch tag, used when the room has no epoch yet (so even an empty room has an offset)
-- ARGV[5] history time to live, ms (for a meta made here)
-- Returns {epoch, top seq, first retained seq or 0, seq1, frame1, seq2, frame2, ...} oldest first.
local epoch, seq = room_position(KEYS[1], KEYS[2], ARGV[4], ARGV[5])

local result = {epoch, seq, 0}
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
if #first > 0 then
  result[3] = tonumber(string.match(first[1][1], '^(%d+)'))
end

local count = tonumber(ARGV[3])
if count > 0 then
  local entries
  if ARGV[1] == 'after' then
    entries = redis.call('XRANGE', KEYS[2], '(' .. ARGV[2] .. '-0', '+', 'COUNT', count)
  else
    entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', count)
  end
  local from, to, step = 1, #entries, 1
  if ARGV[1] ~= 'after' then
    from, to, step = #entries, 1, -1
  end
  for i = from, to, step do
    result[#result + 1] = tonumber(string.match(entries[i][1], '^(%d+)'))
    result[#result + 1] = entries[i][2][2]
  end
end
return result
