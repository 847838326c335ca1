-- KEYS: members, tokens. ARGV: the resume token presented, the new node, the new token, grace
-- ms, the identity of the resuming connection (as join.lua stores it), its transport.
-- Returns the member's id, or 'stale' when the token is not the member's current one or the
-- member joined under another identity (PROTOCOL.md: then it is not a resume; nothing changes).
-- Moves the member to the new node, hands it its buffer in the same message as its joined, and
-- tells every other node where it is now (its old node closes the old connection with 1000).
local id = redis.call('HGET', KEYS[2], ARGV[1])
if not id then return 'stale' end
local m = get(id)
if not m or m.tok ~= ARGV[1] or (m.who or '') ~= ARGV[5] then return 'stale' end
local list = roster()
local old, was_active = m.node, m.st == 'a'
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[3], id)
m.node, m.st, m.tok, m.bb, m.tr = ARGV[2], 'a', ARGV[3], 0, ARGV[6]
put(id, m)
keep(ARGV[4])
emit('peer.resumed', {peerId = id})
local held = redis.call('LRANGE', buffer(id), 0, -1)
redis.call('DEL', buffer(id))
local moved = 'E' .. cjson.encode({e = 'moved', p = id, node = ARGV[2]})
local told = {}
for _, node in ipairs(live_nodes(list, id)) do
  if node ~= ARGV[2] then
    publish(node, moved)
    told[node] = true
  end
end
if was_active and old ~= ARGV[2] and not told[old] then publish(old, moved) end
publish(ARGV[2], 'E' .. cjson.encode({e = 'resume', p = id, n = m.n, node = ARGV[2],
  tok = ARGV[3], peers = peers_except(list, id), buf = held}))
return id
