-- KEYS: members, tokens. The portal closes the room (PORTAL.md): every member leaves with reason
-- 'closed'; each node serving one sends its members left 'closed', and no peer-left is sent.
local list = roster()
if #list == 0 then return 'none' end
local nodes, seen = {}, {}
for _, m in ipairs(list) do
  redis.call('HDEL', base .. 't', m.tok)
  redis.call('DEL', buffer(m.id))
  emit('peer.left', {peerId = m.id, reason = 'closed'})
  if m.st == 'a' and not seen[m.node] then
    seen[m.node] = true
    nodes[#nodes + 1] = m.node
  end
end
finish()
local event = 'E' .. cjson.encode({e = 'closed'})
for _, node in ipairs(nodes) do publish(node, event) end
return 'ok'
