-- KEYS: members, tokens. ARGV: peer id, the token of the connection that was lost, grace ms,
-- the grace's epoch (the node indexes the grace under it at once, without waiting for this).
local m = get(ARGV[1])
if not m or m.tok ~= ARGV[2] then return 'stale' end
local grace = tonumber(ARGV[3])
if grace <= 0 then
  remove(ARGV[1], m, 'timeout')
  return 'gone'
end
to_grace(ARGV[1], m, grace, ARGV[4])
keep(grace)
return 'grace'
