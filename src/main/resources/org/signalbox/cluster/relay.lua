-- KEYS: members. ARGV: target id, frame, resumeBuffer, grace ms.
-- One publish to the one node that serves the target; buffered while it is in its grace. A
-- publish that nobody receives means that node is gone: the target's grace begins here.
local m = get(ARGV[1])
if not m then return 'gone' end
if m.st == 'a' then
  if publish(m.node, 'T' .. ARGV[1] .. '\n' .. ARGV[2]) > 0 then return 'sent' end
  to_grace(ARGV[1], m, tonumber(ARGV[4]))
end
return hold(ARGV[1], ARGV[2], tonumber(ARGV[3]))
