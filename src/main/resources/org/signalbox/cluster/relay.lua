-- KEYS: members. ARGV: target id, frame, resumeBuffer, grace ms, resumeBufferBytes, deadline.
-- One publish to the one node that serves the target; buffered while it is in its grace. A
-- publish that nobody receives means that node is gone: the target's grace begins here.
-- Run after its deadline (Redis's clock: the sender's node waited too long), the relay is
-- dropped and answered 'late', so that a relay answered undeliverable never arrives.
if now_ms() > tonumber(ARGV[6]) then return 'late' end
local m = get(ARGV[1])
if not m then return 'gone' end
if m.st == 'a' then
  if publish(m.node, 'T' .. ARGV[1] .. '\n' .. ARGV[2]) > 0 then return 'sent' end
  to_grace(ARGV[1], m, tonumber(ARGV[4]))
  keep(ARGV[4])
end
return hold(ARGV[1], m, ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[5]))
