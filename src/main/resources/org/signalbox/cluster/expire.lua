-- KEYS: members, tokens. ARGV: peer id, grace epoch. Ends a grace that ran out.
local m = get(ARGV[1])
if not m or m.st ~= 'g' or m.ep ~= ARGV[2] then return 'stale' end
if now_ms() < m.dl then return 'later' end
remove(ARGV[1], m, 'timeout')
return 'expired'
