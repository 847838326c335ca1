-- KEYS: a partition's node set 'sb:{<partition>}:nodes'. ARGV: this node, its liveness ttl ms,
-- the expiry margin ms. Says this node is alive in the partition, and returns two lists: the
-- other registered nodes whose liveness key here expired, and those whose key is alive. A node
-- is gone when no partition finds it alive (NodeWatch): a key lost with a shard's failover does
-- not make a live node dead. One call per partition and second, so the other nodes' keys are
-- read here rather than one command each.
local part = string.sub(KEYS[1], 1, -6)
redis.call('SET', part .. 'alive:' .. ARGV[1], '1', 'PX', tonumber(ARGV[2]))
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
local dead, alive = {}, {}
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if node ~= ARGV[1] then
    if redis.call('EXISTS', part .. 'alive:' .. node) == 0 then
      dead[#dead + 1] = node
    else
      alive[#alive + 1] = node
    end
  end
end
return {dead, alive}
