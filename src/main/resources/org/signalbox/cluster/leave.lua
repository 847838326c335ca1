-- KEYS: members, tokens. ARGV: peer id, the token of the connection that leaves, reason.
-- A connection that no longer serves the member (replaced by a resume) changes nothing.
local m = get(ARGV[1])
if not m or m.tok ~= ARGV[2] then return 'stale' end
remove(ARGV[1], m, ARGV[3])
return 'ok'
