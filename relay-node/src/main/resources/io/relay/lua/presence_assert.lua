-- Makes a room's presence hash say exactly what this node holds, after Redis came back (it may have
-- restarted empty, or leaves may have failed while it was away). Users this node holds who are not
-- present anywhere become present (with a roster arrival and a join event when ARGV[6] is '1': the
-- node had been swept, so their leave was announced); this node's entries for users it no longer
-- holds are dropped (leave event when that was the user's last node).
-- KEYS[1] the room's presence hash   KEYS[2] the room's roster hash   KEYS[3] the node's room set
-- ARGV[1] node id   ARGV[2] now, ms   ARGV[3] the room's channel   ARGV[4] the room's name
-- ARGV[5] roster time to live, ms   ARGV[6] '1' to announce arrivals, '0' not to
-- ARGV[7..] triples: user id, display name ('' for none), connections on this node
-- Returns {users that became present, users that left}.
local node, now, channel, room = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]

local function event(kind, user, name)
  local who = '{"id":' .. cjson.encode(user)
  if name and name ~= '' then who = who .. ',"name":' .. cjson.encode(name) end
  return '{"type":"presence","room":' .. cjson.encode(room) .. ',"event":"' .. kind .. '","user":' .. who
      .. '},"ts":' .. string.format('%d', now) .. '}'
end

local function roster(user, name, arrived)
  local raw = redis.call('HGET', KEYS[2], user)
  local record = raw and cjson.decode(raw) or {firstJoin = now, joins = 0, lastLeave = cjson.null}
  if name ~= '' then record.name = name end
  if arrived then
    record.lastJoin = now
    record.joins = record.joins + 1
  else
    record.lastLeave = now
  end
  redis.call('HSET', KEYS[2], user, cjson.encode(record))
  redis.call('PEXPIRE', KEYS[2], ARGV[5])
end

local held = {}
local joined, left = 0, 0
local announce = ARGV[6] == '1'
for i = 7, #ARGV, 3 do
  local user, name, count = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  held[user] = true
  local raw = redis.call('HGET', KEYS[1], user)
  local entry = raw and cjson.decode(raw) or {nodes = {}, since = now}
  if name ~= '' then entry.name = name end
  entry.nodes[node] = count
  redis.call('HSET', KEYS[1], user, cjson.encode(entry))
  if not raw and announce then
    joined = joined + 1
    roster(user, name, true)
    redis.call('PUBLISH', channel, event('join', user, name))
  end
end

local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local user = all[i]
  local entry = cjson.decode(all[i + 1])
  if not held[user] and entry.nodes[node] then
    entry.nodes[node] = nil
    if next(entry.nodes) == nil then
      redis.call('HDEL', KEYS[1], user)
      left = left + 1
      local name = type(entry.name) == 'string' and entry.name or ''
      roster(user, name, false)
      redis.call('PUBLISH', channel, event('leave', user, name))
    else
      redis.call('HSET', KEYS[1], user, cjson.encode(entry))
    end
  end
end

if #ARGV >= 7 then
  redis.call('SADD', KEYS[3], room)
else
  redis.call('SREM', KEYS[3], room)
end
return {joined, left}
