-- Removes a dead node's presence from one room: the node's count goes from every user's entry; a
-- user left with no node leaves the room (roster lastLeave, leave event), as if its last connection
-- had closed. Safe to run twice: a second run finds nothing of the node.
-- KEYS[1] the room's presence hash   KEYS[2] the room's roster hash
-- ARGV[1] the dead node's id   ARGV[2] now, ms   ARGV[3] the room's channel   ARGV[4] the room's name
-- ARGV[5] roster time to live, ms
-- Returns the number of users that left the room.
local node, now, channel, room = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local left = 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local user = all[i]
  local entry = cjson.decode(all[i + 1])
  if entry.nodes[node] then
    entry.nodes[node] = nil
    if next(entry.nodes) == nil then
      redis.call('HDEL', KEYS[1], user)
      left = left + 1
      local name = type(entry.name) == 'string' and entry.name or ''
      local raw = redis.call('HGET', KEYS[2], user)
      if raw then
        local record = cjson.decode(raw)
        record.lastLeave = now
        redis.call('HSET', KEYS[2], user, cjson.encode(record))
        redis.call('PEXPIRE', KEYS[2], ARGV[5])
      end
      local who = '{"id":' .. cjson.encode(user)
      if name ~= '' then who = who .. ',"name":' .. cjson.encode(name) end
      redis.call('PUBLISH', channel, '{"type":"presence","room":' .. cjson.encode(room)
          .. ',"event":"leave","user":' .. who .. '},"ts":' .. string.format('%d', now) .. '}')
    else
      redis.call('HSET', KEYS[1], user, cjson.encode(entry))
    end
  end
end
return left
