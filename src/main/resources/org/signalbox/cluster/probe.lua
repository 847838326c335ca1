-- KEYS: a probe key of this node's, 'sb:{<partition>}:probe:<node>'. Runs once each command that
-- the room scripts and the node use, on the probe's own keys (deleted again), so that a Redis ACL
-- user without one of them fails here, on start, with the commands it lacks named, and not on
-- some later join or relay. (Inside a script Redis names only the script's line, so each command
-- runs under pcall and the refused ones are collected.)
local k = KEYS[1]
local refused = {}
local function try(command, ...)
  local reply = redis.pcall(command, ...)
  if type(reply) == 'table' and reply.err then
    refused[#refused + 1] = command
  end
end
try('TIME')
try('SET', k, '1', 'PX', 10000)
try('GET', k)
try('EXISTS', k)
try('PEXPIRE', k, 10000)
try('PEXPIREAT', k, 4102444800000)
try('INCR', k .. ':i')
try('HSET', k .. ':h', 'f', 'v')
try('HGET', k .. ':h', 'f')
try('HMGET', k .. ':h', 'f')
try('HGETALL', k .. ':h')
try('HLEN', k .. ':h')
try('HDEL', k .. ':h', 'f')
try('RPUSH', k .. ':l', 'v')
try('LLEN', k .. ':l')
try('LINDEX', k .. ':l', 0)
try('LRANGE', k .. ':l', 0, -1)
try('LPOP', k .. ':l')
try('SADD', k .. ':s', 'v')
try('SMEMBERS', k .. ':s')
try('SREM', k .. ':s', 'v')
try('ZADD', k .. ':z', 'LT', 1, 'v')
try('ZRANGEBYSCORE', k .. ':z', '-inf', '+inf', 'LIMIT', 0, 1)
try('ZREM', k .. ':z', 'v')
try('SPUBLISH', k, 'probe')
try('DEL', k, k .. ':i', k .. ':h', k .. ':l', k .. ':s', k .. ':z')
if #refused > 0 then
  return redis.error_reply('NOPERM the Redis user may not run ' .. table.concat(refused, ', '))
end
return 'ok'
