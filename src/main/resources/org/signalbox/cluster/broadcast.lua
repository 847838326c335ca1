-- KEYS: members. ARGV: sender id, sender's node, frame, resumeBuffer, grace ms,
-- resumeBufferBytes, deadline, then the ids the sender's node delivered itself. One publish per
-- other node with an active member; members in their grace get the frame in their buffers.
-- Returns the ids whose buffer was full, or {'late'} when run after its deadline (nothing sent).
if now_ms() > tonumber(ARGV[7]) then return {'late'} end
local limit, grace, limit_bytes = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local done = {[ARGV[1]] = true}
for i = 8, #ARGV do done[ARGV[i]] = true end
local list = roster()
local missed, nodes, seen = {}, {}, {}
for _, m in ipairs(list) do
  if not done[m.id] then
    if m.st == 'a' then
      if m.node == ARGV[2] then
        publish(m.node, 'T' .. m.id .. '\n' .. ARGV[3])
      elseif not seen[m.node] then
        seen[m.node] = true
        nodes[#nodes + 1] = m.node
      end
    elseif hold(m.id, m, ARGV[3], limit, limit_bytes) == 'full' then
      missed[#missed + 1] = m.id
    end
  end
end
local payload = 'A' .. ARGV[1] .. '\n' .. ARGV[3]
for _, node in ipairs(nodes) do
  if publish(node, payload) == 0 then
    for _, m in ipairs(list) do
      if m.st == 'a' and m.node == node and not done[m.id] then
        to_grace(m.id, m, grace)
        keep(grace)
        if hold(m.id, m, ARGV[3], limit, limit_bytes) == 'full' then missed[#missed + 1] = m.id end
      end
    end
  end
end
return missed
