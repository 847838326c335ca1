-- KEYS: the room's events, their delivery state, the room's pump lease, the index of rooms with
-- events. ARGV: room, lease id, lease ms, most fresh events to return.
-- Claims the room's due work for one pump (PORTAL.md: exactly one node works on each attempt).
-- Returns nil when another pump holds it or nothing is due; else {announced through, attempts,
-- first attempt ms, done receivers (csv), the head when its attempt is due or '', fresh events}.
local now = now_ms()
if redis.call('EXISTS', KEYS[3]) == 1 then return nil end
local len = redis.call('LLEN', KEYS[1])
if len == 0 then
  redis.call('ZREM', KEYS[4], ARGV[1])
  redis.call('DEL', KEYS[2])
  return nil
end
local st = redis.call('HMGET', KEYS[2], 'a', 'n', 'f', 'd', 'r')
local announced = tonumber(st[1] or '-1')
local retry_at = tonumber(st[5] or '0')
local head = redis.call('LINDEX', KEYS[1], 0)
local head_seq = cjson.decode(head).seq
local start = 0
if announced >= head_seq then start = announced - head_seq + 1 end
local fresh = {}
if start < len then fresh = redis.call('LRANGE', KEYS[1], start, start + tonumber(ARGV[4]) - 1) end
local head_due = retry_at <= now
if #fresh == 0 and not head_due then
  redis.call('ZADD', KEYS[4], retry_at, ARGV[1])
  return nil
end
redis.call('SET', KEYS[3], ARGV[2], 'PX', tonumber(ARGV[3]))
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[3]), ARGV[1])
local out = {tostring(announced), st[2] or '0', st[3] or '0', st[4] or ''}
if head_due then out[5] = head else out[5] = '' end
for _, e in ipairs(fresh) do out[#out + 1] = e end
return out
