-- Shared by every room script (prepended when the scripts are loaded). KEYS[1] is the room's
-- member hash 'sb:{<partition>}:r:<room>:m'; every other key, index and channel a script
-- touches carries the same hash tag (Keys.java), so a Redis Cluster keeps them on one shard.
-- A member is cjson {n = name, node = serving node, st = 'a' (active) | 'g' (grace),
-- seq = join order, tok = current resume token, ep = grace epoch (a string), dl = grace
-- deadline (ms), bb = UTF-8 bytes in its grace buffer, who = '=' .. identity ('' for none)}.
-- margin_ms (Keys.EXPIRY_MARGIN_MS) is defined in front of this prelude when it is loaded.
local members = KEYS[1]
local base = string.sub(members, 1, -2)
-- base is 'sb:{<partition>}:r:' .. room .. ':', and the partition's own keys begin with part
local part, room_name = string.match(base, '^(sb:{[^}]*}:)r:(.*):$')
local events_index = part .. 'events'

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function buffer(id) return base .. 'b:' .. id end

-- A room event (PORTAL.md), produced once per cluster by the script that made the change: queued
-- in the room's event list for the nodes' event pumps, and the room marked due in its
-- partition's index of rooms with events.
-- seq counts the room's events without a gap, so a pump finds its place in the list by it.
local function emit(kind, data)
  local seq = redis.call('INCR', base .. 'q')
  local t = redis.call('TIME')
  local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  data.room = room_name
  local id = 'msg_' .. string.sub(redis.sha1hex(base .. t[1] .. '.' .. t[2] .. '.' .. seq), 1, 32)
  redis.call('RPUSH', base .. 'e', cjson.encode({id = id, type = kind, at = at, seq = seq,
    data = data}))
  redis.call('PEXPIRE', base .. 'e', events_ttl_ms)
  redis.call('PEXPIRE', base .. 'q', events_ttl_ms)
  redis.call('ZADD', events_index, 'LT', at, room_name)
  redis.call('PEXPIRE', events_index, events_ttl_ms)
end

local function get(id)
  local raw = redis.call('HGET', members, id)
  if raw then return cjson.decode(raw) end
  return nil
end

local function put(id, m)
  local saved = m.id
  m.id = nil
  redis.call('HSET', members, id, cjson.encode(m))
  m.id = saved
end

-- The members in join order, each with its id.
local function roster()
  local flat = redis.call('HGETALL', members)
  local list = {}
  for i = 1, #flat, 2 do
    local m = cjson.decode(flat[i + 1])
    m.id = flat[i]
    list[#list + 1] = m
  end
  table.sort(list, function(a, b) return a.seq < b.seq end)
  return list
end

-- The nodes that serve an active member other than except_id, each once.
local function live_nodes(list, except_id)
  local seen, nodes = {}, {}
  for _, m in ipairs(list) do
    if m.st == 'a' and m.id ~= except_id and not seen[m.node] then
      seen[m.node] = true
      nodes[#nodes + 1] = m.node
    end
  end
  return nodes
end

local function publish(node, payload)
  return redis.call('SPUBLISH', base .. 'n:' .. node, payload)
end

-- Lost without a close frame: the member keeps its place, silently, until its deadline. The
-- epoch names this grace in the grace index: the losing node chooses it, or the script does.
local function to_grace(id, m, grace, epoch)
  m.st = 'g'
  m.ep = epoch or (tostring(now_ms()) .. ':' .. m.seq)
  m.dl = now_ms() + grace
  put(id, m)
  emit('peer.lost', {peerId = id})
  return m
end

-- Every key of a room expires by itself once nothing refers to it: the room's hashes and counter
-- a grace plus the margin after the last script or refresh that kept them (each node serving
-- a member refreshes them, NodeWatch), so a room whose nodes all died leaves nothing forever.
local function keep(grace)
  local ttl = tonumber(grace) + margin_ms
  redis.call('PEXPIRE', members, ttl)
  redis.call('PEXPIRE', base .. 't', ttl)
  redis.call('PEXPIRE', base .. 's', ttl)
  redis.call('PEXPIRE', base .. 'c', ttl)
end

-- Buffers a relay for member m in its grace, within limit frames and limit_bytes UTF-8 bytes
-- (Redis counts a string's bytes, and the node sends UTF-8). The buffer expires with the grace
-- plus the margin.
local function hold(id, m, frame, limit, limit_bytes)
  local b = buffer(id)
  local held = m.bb or 0
  if redis.call('LLEN', b) >= limit or held + #frame > limit_bytes then return 'full' end
  redis.call('RPUSH', b, frame)
  redis.call('PEXPIREAT', b, m.dl + margin_ms)
  m.bb = held + #frame
  put(id, m)
  return 'buffered'
end

-- The room's last member left: it is finished.
local function finish()
  local created = tonumber(redis.call('GET', base .. 'c') or '0')
  redis.call('DEL', members, base .. 't', base .. 's', base .. 'c')
  local duration = now_ms() - created
  if created == 0 or duration < 0 then duration = 0 end
  emit('room.finished', {durationMs = duration})
end

-- also_node: a node told even when it serves no other member (the portal removed a member it
-- serves, which must hear of it).
local function remove(id, m, reason, also_node)
  redis.call('HDEL', members, id)
  redis.call('HDEL', base .. 't', m.tok)
  redis.call('DEL', buffer(id))
  emit('peer.left', {peerId = id, reason = reason})
  local list = roster()
  local event = 'E' .. cjson.encode({e = 'left', p = id, r = reason})
  local told = {}
  for _, node in ipairs(live_nodes(list, id)) do
    publish(node, event)
    told[node] = true
  end
  if also_node and not told[also_node] then publish(also_node, event) end
  if #list == 0 then finish() end
end

local function peers_except(list, id)
  local peers = {}
  for _, o in ipairs(list) do
    if o.id ~= id then peers[#peers + 1] = {o.id, o.n, o.node} end
  end
  return peers
end
