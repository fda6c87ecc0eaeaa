-- Counts one more connection of a user in a room on a node; on the user's first connection anywhere,
-- records the arrival in the roster and publishes the presence join event to the room. Also reads the
-- room's position, so the joined reply costs one round trip. Runs after room_position.lua.
-- KEYS[1] the room's presence hash: user -> {"name":..,"nodes":{"<node>":<connections>},"since":<ms>}
-- KEYS[2] the room's roster hash: user -> {"name","firstJoin","lastJoin","lastLeave","joins"}
-- KEYS[3] the node's room set: rooms where the node holds presence (for sweeping after a crash)
-- KEYS[4] the room's meta hash {epoch, seq}   KEYS[5] the room's history stream
-- ARGV[1] user id   ARGV[2] display name, or '' for none   ARGV[3] node id   ARGV[4] now, ms
-- ARGV[5] the room's channel   ARGV[6] the join event frame   ARGV[7] roster time to live, ms
-- ARGV[8] the room's name   ARGV[9] a fresh epoch tag, for a room without one   ARGV[10] history time to live, ms
-- Returns {1 if this was the user's first connection in the room else 0, epoch, top seq,
--          user1, name1, user2, name2, ...}
local user, name, node, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local raw = redis.call('HGET', KEYS[1], user)
local entry
local first = 0
if raw then
  entry = cjson.decode(raw)
else
  entry = {nodes = {}, since = now}
  first = 1
end
if name ~= '' then entry.name = name end
entry.nodes[node] = (entry.nodes[node] or 0) + 1
redis.call('HSET', KEYS[1], user, cjson.encode(entry))
redis.call('SADD', KEYS[3], ARGV[8])

if first == 1 then
  local rraw = redis.call('HGET', KEYS[2], user)
  local record
  if rraw then
    record = cjson.decode(rraw)
  else
    record = {firstJoin = now, joins = 0, lastLeave = cjson.null}
  end
  if name ~= '' then record.name = name end
  record.lastJoin = now
  record.joins = record.joins + 1
  redis.call('HSET', KEYS[2], user, cjson.encode(record))
  redis.call('PEXPIRE', KEYS[2], ARGV[7])
  redis.call('PUBLISH', ARGV[5], ARGV[6])
end

local epoch, seq = room_position(KEYS[4], KEYS[5], ARGV[9], ARGV[10])
local result = {first, epoch, seq}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local member = cjson.decode(all[i + 1])
  result[#result + 1] = all[i]
  result[#result + 1] = type(member.name) == 'string' and member.name or ''
end
return result
