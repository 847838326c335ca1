-- KEYS: members. ARGV: grace ms. A node that serves a member of the room keeps the room's keys
-- from expiring (prelude: keep); a room whose nodes all died expires by itself.
keep(ARGV[1])
return 'ok'
