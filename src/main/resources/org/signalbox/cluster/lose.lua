-- KEYS: members, tokens. ARGV: peer id, the token of the connection that was lost, grace ms.
-- Returns {epoch, deadline} for the grace index, or {} when nothing changed.
local m = get(ARGV[1])
if not m or m.tok ~= ARGV[2] then return {} end
local grace = tonumber(ARGV[3])
if grace <= 0 then
  remove(ARGV[1], m, 'timeout')
  return {}
end
m = to_grace(ARGV[1], m, grace)
return {m.ep, m.dl}
