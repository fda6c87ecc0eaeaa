-- Prelude of the scripts that read a room's position (loaded in front of them, see LuaScript.load).
-- The room's current {epoch, top seq} from its meta hash. A room starts a new epoch when its meta is gone,
-- or when its history vanished (expired or evicted) after it had messages: an offset of the old incarnation
-- must never look live. The new epoch is written at once, so even an empty room has a valid offset.
local function room_position(meta, stream, fresh_epoch, ttl_ms)
  local position = redis.call('HMGET', meta, 'epoch', 'seq')
  local epoch = position[1]
  local seq = tonumber(position[2] or '0')
  if (not epoch) or (seq > 0 and redis.call('EXISTS', stream) == 0) then
    epoch = fresh_epoch
    seq = 0
    redis.call('DEL', stream)
    redis.call('HSET', meta, 'epoch', epoch, 'seq', 0)
    redis.call('PEXPIRE', meta, ttl_ms)
  end
  return epoch, seq
end

