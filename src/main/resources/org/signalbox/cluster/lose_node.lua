-- KEYS: members. ARGV: a node that is gone, grace ms. Its active members begin their grace.
-- Returns id, epoch, deadline of each of its members in grace, for the grace index (also of
-- those already in grace: the dead node may not have indexed them).
local out = {}
for _, m in ipairs(roster()) do
  if m.node == ARGV[1] then
    if m.st == 'a' then
      to_grace(m.id, m, tonumber(ARGV[2]))
      keep(ARGV[2])
    end
    out[#out + 1] = m.id
    out[#out + 1] = m.ep
    out[#out + 1] = m.dl
  end
end
return out
