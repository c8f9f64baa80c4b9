"""The SmartRecruiters budget kept in Redis, shared by every process (see budget.py).

Each decision is one Lua script, so two processes never both take the last token or the
last slot, and the clock is Redis's own, so hosts whose clocks disagree still share one
timeline. The scripts take the same steps as ``MemoryBudget.try_acquire``.
"""

from __future__ import annotations

import logging

from partner.smartrecruiters import budget as shared
from partner.smartrecruiters.budget import (
    WORK_ORDER,
    Budget,
    BudgetUnavailableError,
    Lease,
    Limits,
    Try,
    Work,
)

logger = logging.getLogger(__name__)

# KEYS: state hash, holders zset, alive zset, recent zset, one queue zset per kind (WORK_ORDER).
# ARGV: holder, kind (1-based), rate, max in flight, slot ttl, waiter ttl, tolerance, key ttl,
# per second.
# The same steps as MemoryBudget.try_acquire; numbers go back as strings (Redis would
# truncate Lua numbers to integers).
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local holder = ARGV[1]
local kind = tonumber(ARGV[2])
local interval = 1 / tonumber(ARGV[3])
local max_in_flight = tonumber(ARGV[4])
local slot_ttl = tonumber(ARGV[5])
local waiter_ttl = tonumber(ARGV[6])
local tolerance = tonumber(ARGV[7])
local key_ttl = tonumber(ARGV[8])
local per_second = tonumber(ARGV[9])
local state, holders, alive, recent = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local kinds = #KEYS - 4

redis.call('ZREMRANGEBYSCORE', holders, '-inf', now)
redis.call('ZREMRANGEBYSCORE', recent, '-inf', now - 1)
local gone = redis.call('ZRANGEBYSCORE', alive, '-inf', now)
for _, dead in ipairs(gone) do
  for i = 1, kinds do redis.call('ZREM', KEYS[4 + i], dead) end
  redis.call('ZREM', alive, dead)
end
redis.call('ZADD', KEYS[4 + kind], 'NX', now, holder)
redis.call('ZADD', alive, now + waiter_ttl, holder)

local tat = tonumber(redis.call('HGET', state, 'tat') or 0)
local vclock = tonumber(redis.call('HGET', state, 'vclock') or 0)
local best_kind, best_tag, best_joined, best_holder = nil, 0, 0, nil
for i = 1, kinds do
  local head = redis.call('ZRANGE', KEYS[4 + i], 0, 0, 'WITHSCORES')
  if #head > 0 then
    local tag = math.max(tonumber(redis.call('HGET', state, 'v' .. i) or 0), vclock)
    local joined = tonumber(head[2])
    if best_kind == nil or tag < best_tag or (tag == best_tag and joined < best_joined) then
      best_kind, best_tag, best_joined, best_holder = i, tag, joined, head[1]
    end
  end
end
for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], key_ttl) end

local token_at = tat - tolerance * interval
-- When the next turn may start (MemoryBudget._next_grant_in): nil until a slot frees.
local wait = math.max(token_at - now, 0)
local in_flight = redis.call('ZCARD', holders)
if in_flight >= max_in_flight then
  wait = nil
elseif in_flight + redis.call('ZCARD', recent) >= per_second then
  local oldest = redis.call('ZRANGE', recent, 0, 0, 'WITHSCORES')
  if #oldest == 0 then wait = nil else wait = tonumber(oldest[2]) + 1 - now end
end
if best_holder ~= holder then
  -- Not our turn: ask again once the chosen waiter could have had its token, not sooner.
  if wait == nil then return {0, ''} end
  return {0, tostring(wait + interval / 4)}
end
if wait == nil then
  return {0, ''}
end
if wait > 0 then
  return {0, tostring(wait)}
end
redis.call('HSET', state, 'tat', tostring(math.max(tat, now) + interval),
           'vclock', tostring(best_tag), 'v' .. kind, tostring(best_tag + 1))
redis.call('ZREM', KEYS[4 + kind], holder)
redis.call('ZREM', alive, holder)
redis.call('ZADD', holders, now + slot_ttl, holder)
return {1, ''}
"""

# KEYS: holders zset, recent zset. ARGV: holder, key ttl. The answer's time starts the
# second during which the request still counts (see "Arrivals" in the module doc).
_RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], now, ARGV[1])
  redis.call('EXPIRE', KEYS[2], ARGV[2])
end
return 1
"""

# KEYS: state hash. ARGV: seconds, key ttl.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or 0)
redis.call('HSET', KEYS[1], 'tat', tostring(math.max(tat, now + tonumber(ARGV[1]))))
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""


class RedisBudget(Budget):
    """The budget in Redis, shared by every process that uses the same server and prefix."""

    def __init__(self, url: str, *, prefix: str = "jobboard:sr-budget") -> None:
        import redis

        # Short socket timeouts: a waiter must notice a dead Redis, not hang on it.
        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._prefix = prefix
        self._acquire = self._redis.register_script(_ACQUIRE)
        self._pause = self._redis.register_script(_PAUSE)
        self._release = self._redis.register_script(_RELEASE)
        self._errors = redis.RedisError

    def _keys(self, key: str) -> list[str]:
        base = f"{self._prefix}:{key}"
        return [
            f"{base}:state",
            f"{base}:holders",
            f"{base}:alive",
            f"{base}:recent",
            *(f"{base}:queue:{work.value}" for work in WORK_ORDER),
        ]

    def try_acquire(self, key: str, *, work: Work, holder: str, limits: Limits) -> Try:
        try:
            granted, retry_in = self._acquire(
                keys=self._keys(key),
                args=[
                    holder,
                    WORK_ORDER.index(work) + 1,
                    limits.rate,
                    limits.max_in_flight,
                    limits.slot_ttl,
                    # Read at each call: tests shorten them on the module.
                    shared.WAITER_TTL,
                    shared.TOLERANCE,
                    shared.STATE_TTL,
                    limits.per_second,
                ],
            )
        except self._errors as exc:
            raise BudgetUnavailableError(
                f"SmartRecruiters rate budget unavailable: {type(exc).__name__}"
            ) from None
        if int(granted):
            return Try(True)
        return Try(False, float(retry_in) if retry_in else None)

    def release(self, lease: Lease) -> None:
        try:
            keys = self._keys(lease.key)
            self._release(keys=[keys[1], keys[3]], args=[lease.holder, shared.STATE_TTL])
        except self._errors as exc:
            # The slot frees itself after slot_ttl; the answer is not lost for this.
            logger.warning("budget: slot not released (%s)", type(exc).__name__)

    def cancel(self, key: str, *, holder: str) -> None:
        keys = self._keys(key)
        pipe = self._redis.pipeline()
        pipe.zrem(keys[2], holder)
        for queue in keys[4:]:
            pipe.zrem(queue, holder)
        try:
            pipe.execute()
        except self._errors as exc:
            # The place is given up by itself after WAITER_TTL.
            logger.warning("budget: waiter not removed (%s)", type(exc).__name__)

    def pause(self, key: str, seconds: float) -> None:
        try:
            self._pause(keys=self._keys(key)[:1], args=[seconds, shared.STATE_TTL])
        except self._errors as exc:
            # The retry itself still waits ``seconds`` (the transport sleeps them).
            logger.warning("budget: pause not recorded (%s)", type(exc).__name__)

    def in_flight(self, key: str) -> int:
        """Slots held now (expired ones included until the next ask); for tests and admin."""
        return int(self._redis.zcard(self._keys(key)[1]))

    def forget(self, key: str) -> None:
        """Drop a credential's state (tests)."""
        self._redis.delete(*self._keys(key))
