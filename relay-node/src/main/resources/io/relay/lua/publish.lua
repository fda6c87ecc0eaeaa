-- Appends one message to a room's history and publishes it, atomically: pub/sub order is offset order.
-- Runs after room_position.lua.
-- KEYS[1] the room's meta hash {epoch, seq}
-- KEYS[2] the room's history stream (entry id "<seq>-0", field f = the message frame up to its
--         offset, field t = when it was published, ms)
-- KEYS[3] the dedup key of ARGV[6] (unused when ARGV[6] is empty)
-- ARGV[1] the room's channel
-- ARGV[2] the message frame without its offset: ends with "offset":"
-- ARGV[3] a fresh epoch tag, used only when the room's history starts afresh
-- ARGV[4] history length (approximate trimming)
-- ARGV[5] history time to live, ms
-- ARGV[6] idempotency key, or '' for none
-- ARGV[7] dedup window, ms
-- Returns {offset, 1} when published now, {offset of the first publish, 0} for a repeated key.
local key = ARGV[6]
if key ~= '' then
  local previous = redis.call('GET', KEYS[3])
  if previous then
    return {previous, 0}
  end
end

local epoch, seq = room_position(KEYS[1], KEYS[2], ARGV[3], ARGV[5])

seq = seq + 1
local offset = epoch .. ':' .. seq
redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', seq)
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], seq .. '-0', 'f', ARGV[2], 't', now)
-- trimmed by age too: every 8th publish drops up to 16 expired oldest entries (two per publish, so a
-- busy room keeps pace) without paying for a range read on every publish
if seq % 8 == 0 then
  local cutoff = now - tonumber(ARGV[5])
  local expired = {}
  for _, entry in ipairs(redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 16)) do
    local t = tonumber(entry[2][4])
    if not (t and t < cutoff) then
      break
    end
    expired[#expired + 1] = entry[1]
  end
  if #expired > 0 then
    redis.call('XDEL', KEYS[2], unpack(expired))
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PUBLISH', ARGV[1], ARGV[2] .. offset .. '"}')
if key ~= '' then
  redis.call('SET', KEYS[3], offset, 'PX', ARGV[7])
end
return {offset, 1}
