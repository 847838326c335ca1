-- KEYS: as claim.lua. ARGV: room, lease id, announced through (seq), head outcome ('none',
-- 'finished', 'retry'), head seq, attempts, first attempt ms, done receivers (csv), retry at ms,
-- '1' when announced events leave at once (nothing delivers them), events ttl ms.
-- A pump whose lease ran out settles nothing: another pump may be at work on the room.
if redis.call('GET', KEYS[3]) ~= ARGV[2] then return 'lost' end
redis.call('DEL', KEYS[3])
local st = redis.call('HMGET', KEYS[2], 'a')
local announced = math.max(tonumber(st[1] or '-1'), tonumber(ARGV[3]))
redis.call('HSET', KEYS[2], 'a', announced)
local function head_seq()
  local head = redis.call('LINDEX', KEYS[1], 0)
  if not head then return nil end
  return cjson.decode(head).seq
end
if ARGV[4] == 'finished' then
  if head_seq() == tonumber(ARGV[5]) then redis.call('LPOP', KEYS[1]) end
  redis.call('HDEL', KEYS[2], 'n', 'f', 'd', 'r')
elseif ARGV[4] == 'retry' then
  redis.call('HSET', KEYS[2], 'n', ARGV[6], 'f', ARGV[7], 'd', ARGV[8], 'r', ARGV[9])
end
if ARGV[10] == '1' then
  while true do
    local s = head_seq()
    if not s or s > announced then break end
    redis.call('LPOP', KEYS[1])
  end
end
local len = redis.call('LLEN', KEYS[1])
if len == 0 then
  redis.call('ZREM', KEYS[4], ARGV[1])
  redis.call('DEL', KEYS[2])
  return 'empty'
end
local now = now_ms()
local last = cjson.decode(redis.call('LINDEX', KEYS[1], -1)).seq
local retry_at = tonumber(redis.call('HGET', KEYS[2], 'r') or '0')
local due = retry_at
if last > announced or retry_at < now then due = now end
redis.call('ZADD', KEYS[4], due, ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[11]))
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[11]))
redis.call('PEXPIRE', base .. 'q', tonumber(ARGV[11]))
redis.call('PEXPIRE', KEYS[4], tonumber(ARGV[11]))
return 'ok'
