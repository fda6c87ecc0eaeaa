-- Counts one connection of a user fewer in a room on a node; when it was the user's last connection
-- anywhere, removes the user from the presence hash, records the leave in the roster and publishes
-- the presence leave event to the room.
-- KEYS[1] the room's presence hash   KEYS[2] the room's roster hash (layouts: see presence_join.lua)
-- KEYS[3] the node's room set
-- ARGV[1] user id   ARGV[2] node id   ARGV[3] now, ms   ARGV[4] the room's channel
-- ARGV[5] the leave event frame   ARGV[6] roster time to live, ms
-- ARGV[7] the room's name   ARGV[8] '1' when the node keeps no connection in the room after this
-- Returns 1 when the user left the room (last connection), else 0.
local user, node, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
if ARGV[8] == '1' then
  redis.call('SREM', KEYS[3], ARGV[7])
end
local raw = redis.call('HGET', KEYS[1], user)
if not raw then
  return 0
end
local entry = cjson.decode(raw)
local count = (entry.nodes[node] or 0) - 1
if count > 0 then
  entry.nodes[node] = count
else
  entry.nodes[node] = nil
end
if next(entry.nodes) ~= nil then
  redis.call('HSET', KEYS[1], user, cjson.encode(entry))
  return 0
end

redis.call('HDEL', KEYS[1], user)
local rraw = redis.call('HGET', KEYS[2], user)
if rraw then
  local record = cjson.decode(rraw)
  record.lastLeave = now
  redis.call('HSET', KEYS[2], user, cjson.encode(record))
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
