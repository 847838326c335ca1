-- KEYS: members, tokens. ARGV: peer id. The portal removes a member (PORTAL.md), one in its
-- grace too, with its buffer. Its own node hears of it even when it serves no other member, and
-- sends it left 'removed'; every other node sends peer-left 'removed'.
local m = get(ARGV[1])
if not m then return 'none' end
local own = nil
if m.st == 'a' then own = m.node end
remove(ARGV[1], m, 'removed', own)
return 'ok'
