-- KEYS: members, tokens, seq. ARGV: peer id, name, node, maxRoomSize, resume token, grace ms,
-- identity ('=' .. the token's sub or the container's principal; '' in open mode), transport
-- (the binding of the joining connection, as the admin API shows it).
-- The room's every member sees the join in the order the scripts ran; the joiner's node also
-- gets the room as it was (joined.peers) in the same message, so nothing can come between.
if redis.call('HLEN', members) >= tonumber(ARGV[4]) then return 'full' end
local list = roster()
if #list == 0 then
  redis.call('SET', base .. 'c', now_ms())
  emit('room.started', {})
end
local seq = redis.call('INCR', KEYS[3])
put(ARGV[1], {n = ARGV[2], node = ARGV[3], st = 'a', seq = seq, tok = ARGV[5], ep = '', dl = 0,
  bb = 0, who = ARGV[7], at = now_ms(), tr = ARGV[8]})
local joined = {peerId = ARGV[1], name = ARGV[2]}
if ARGV[7] ~= '' then joined.identity = string.sub(ARGV[7], 2) end
emit('peer.joined', joined)
redis.call('HSET', KEYS[2], ARGV[5], ARGV[1])
keep(ARGV[6])
local event = 'E' .. cjson.encode({e = 'join', p = ARGV[1], n = ARGV[2], node = ARGV[3]})
for _, node in ipairs(live_nodes(list, ARGV[1])) do
  if node ~= ARGV[3] then publish(node, event) end
end
publish(ARGV[3], 'E' .. cjson.encode({e = 'join', p = ARGV[1], n = ARGV[2], node = ARGV[3],
  tok = ARGV[5], peers = peers_except(list, ARGV[1])}))
return 'ok'
