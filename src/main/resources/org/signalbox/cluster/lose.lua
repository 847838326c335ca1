-- KEYS: members, tokens. ARGV: peer id, the token of the connection that was lost, grace ms,
-- the grace's epoch (the node indexes the grace under it at once, without waiting for this), the
-- buffer's limits in frames and bytes, then the relays the connection never confirmed (the HTTP
-- binding's unacknowledged frames), which go into the buffer first, within its limits.
local m = get(ARGV[1])
if not m or m.tok ~= ARGV[2] then return 'stale' end
local grace = tonumber(ARGV[3])
if grace <= 0 then
  remove(ARGV[1], m, 'timeout')
  return 'gone'
end
m = to_grace(ARGV[1], m, grace, ARGV[4])
for i = 7, #ARGV do
  hold(ARGV[1], m, ARGV[i], tonumber(ARGV[5]), tonumber(ARGV[6]))
end
keep(grace)
return 'grace'
