"""The ticket lists' read model in Redis, kept by message_saver as it writes tickets.

MongoDB stays the truth. FerretDB sorts and filters anything but an _id over the whole collection, so the
console's lists (queue, mine, closed, by category, by assignee) come from here, flat with size:
- `<prefix>doc` hash: ticket id -> its Ticket proto (what a list shows);
- `<prefix>meta` hash: ticket id -> JSON `[version, [view key, ...]]`, the views it is in;
- one sorted set per view, member ticket id, score last_message_at in ms (equal scores order by id, as
  the store's (last_message_at, _id) order does): all, s:<status>, a:<assignee>, a:<assignee>:s:<status>,
  c:<category>, s:<status>:c:<category>, and k:<chat id> (one customer's tickets);
- `<prefix>pending` set: tickets being written. An id enters before the store write and leaves with the
  view update, so a crash between the two leaves it there and `repair` (at start) reloads it from MongoDB;
- `<prefix>built:<LAYOUT>`: set once the views hold every ticket as this layout has them. Missing at
  start -> `rebuild` from MongoDB (so a layout with a new view, LAYOUT bumped, is filled from the store).

Tickets are shown by one Lua script call per batch, which applies only a version at least as new as the one
shown, so updates that reach Redis out of order cannot show an older ticket."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis_async

from services.message_saver import convert, domain
from t1.tickets.v1 import ticket_pb2 as pb

logger = logging.getLogger(__name__)

REBUILD_CHUNK = 1000
# The views' layout: bumped when a view is added, so that starting with it rebuilds them (2: k:<chat id>).
LAYOUT = 2

# KEYS: doc hash, meta hash, pending set. ARGV[1]: JSON [[id, version, score, [view key, ...]], ...];
# ARGV[1 + i]: the i-th ticket's proto. Shows each ticket unless a newer version is shown; returns how many
# it showed. A meta value is JSON [version, [view key, ...]] (keys may hold spaces: categories do); the
# space-separated "<version> <key> <key> ..." of earlier versions is still read.
PUT_SCRIPT = """
local function shown_as(meta)
  if string.sub(meta, 1, 1) == '[' then
    local decoded = cjson.decode(meta)
    return decoded[1], decoded[2]
  end
  local words = {}
  for word in string.gmatch(meta, '%S+') do table.insert(words, word) end
  local version = tonumber(table.remove(words, 1))
  return version, words
end
local shown = 0
for i, head in ipairs(cjson.decode(ARGV[1])) do
  local id, version, score, keys = head[1], head[2], head[3], head[4]
  local keep = {}
  for _, key in ipairs(keys) do keep[key] = true end
  local newer = false
  local old = redis.call('HGET', KEYS[2], id)
  if old then
    local old_version, old_keys = shown_as(old)
    if old_version > version then
      newer = true
    else
      for _, key in ipairs(old_keys) do
        if not keep[key] then redis.call('ZREM', key, id) end
      end
    end
  end
  if not newer then
    for _, key in ipairs(keys) do redis.call('ZADD', key, score, id) end
    redis.call('HSET', KEYS[1], id, ARGV[i + 1])
    redis.call('HSET', KEYS[2], id, cjson.encode({version, keys}))
    shown = shown + 1
  end
  redis.call('SREM', KEYS[3], id)
end
return shown
"""


@dataclass(frozen=True)
class ViewQuery:
    """What a list asks for; empty strings mean no restriction."""

    status: str = ""
    assignee_id: str = ""
    category: str = ""
    visible_to_operator_id: str = ""
    customer_chat_id: int = 0


@dataclass(frozen=True)
class Position:
    """Where a page ends: the last ticket's last_message_at (ms) and id."""

    millis: int
    ticket_id: str


class TicketViews:
    def __init__(self, client: redis_async.Redis, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix
        self._doc = prefix + "doc"
        self._meta = prefix + "meta"
        self._pending = prefix + "pending"
        self._built = f"{prefix}built:{LAYOUT}"
        self._put = client.register_script(PUT_SCRIPT)

    # --- writing ------------------------------------------------------------------------------------

    async def begin(self, ticket_ids: Sequence[str]) -> None:
        """Mark tickets as being written (before the store write)."""
        if ticket_ids:
            await self._redis.sadd(self._pending, *ticket_ids)

    async def put(self, ticket: Mapping[str, Any]) -> None:
        """Show the ticket as stored (after the store write)."""
        await self.put_many([ticket])

    async def put_many(self, tickets: Sequence[Mapping[str, Any]]) -> list[pb.Ticket]:
        """Show many stored tickets with one script call; returns their protos, in order (built once:
        the notifications of the same writes carry them too)."""
        if not tickets:
            return []
        protos = [convert.ticket_proto(ticket) for ticket in tickets]
        heads: list[list[Any]] = []
        for ticket in tickets:
            moment = ticket.get("last_message_at") or ticket.get("created_at") or domain.EPOCH
            version = int(ticket.get("version", 0))
            heads.append([str(ticket["_id"]), version, domain.to_millis(moment), self.view_keys(ticket)])
        await self._put(
            keys=[self._doc, self._meta, self._pending],
            args=[json.dumps(heads, ensure_ascii=False), *(proto.SerializeToString() for proto in protos)],
        )
        return protos

    async def done(self, ticket_id: str) -> None:
        """The write changed nothing: the view is still right."""
        await self._redis.srem(self._pending, ticket_id)

    def view_keys(self, ticket: Mapping[str, Any]) -> list[str]:
        status = str(ticket.get("status", ""))
        assignee = str(ticket.get("assignee_id") or "")
        category = str(ticket.get("category") or "")
        keys = [self._key("all"), self._key("s", status)]
        if assignee:
            keys += [self._key("a", assignee), self._key("a", assignee, "s", status)]
        if category:
            keys += [self._key("c", category), self._key("s", status, "c", category)]
        chat_id = ticket.get("chat_id") or (ticket.get("customer") or {}).get("chat_id")
        if chat_id:
            keys.append(self._key("k", str(chat_id)))
        return keys

    def _key(self, *parts: str) -> str:
        return self._prefix + "v:" + ":".join(parts)

    # --- recovery -----------------------------------------------------------------------------------

    async def is_built(self) -> bool:
        return bool(await self._redis.exists(self._built))

    async def pending(self) -> list[str]:
        members = await self._redis.smembers(self._pending)
        return sorted(member.decode() if isinstance(member, bytes) else str(member) for member in members)

    async def rebuild(self, tickets: AsyncIterable[Mapping[str, Any]]) -> int:
        """Drop every view and show `tickets` (all of the store's); returns how many."""
        started = time.monotonic()
        await self._redis.delete(self._built)
        stale = [key async for key in self._redis.scan_iter(match=self._prefix + "*", count=1000)]
        for start in range(0, len(stale), REBUILD_CHUNK):
            await self._redis.unlink(*stale[start : start + REBUILD_CHUNK])
        count = 0
        chunk: list[Mapping[str, Any]] = []
        async for ticket in tickets:
            chunk.append(ticket)
            count += 1
            if len(chunk) == REBUILD_CHUNK:
                await self.put_many(chunk)
                chunk = []
        await self.put_many(chunk)
        await self._redis.set(self._built, str(count))
        logger.info(
            "ticket views rebuilt",
            extra={"fields": {"tickets": count, "seconds": round(time.monotonic() - started, 1)}},
        )
        return count

    # --- reading ------------------------------------------------------------------------------------

    async def page(self, query: ViewQuery, after: Position | None, limit: int) -> list[pb.Ticket]:
        """Up to `limit` tickets matching `query`, newest activity first, after `after`."""
        sources = self._sources(query)
        picked: list[pb.Ticket] = []
        cursor = after
        # Candidates come from the narrowest view; what it cannot tell apart is checked on the protos.
        while len(picked) < limit:
            batch = await self._merged(sources, cursor, max(limit - len(picked), 1) * 2)
            if not batch:
                break
            tickets = await self._load([ticket_id for ticket_id, _score in batch])
            for (ticket_id, score), ticket in zip(batch, tickets, strict=True):
                cursor = Position(score, ticket_id)
                if ticket is not None and self._keeps(query, ticket):
                    picked.append(ticket)
                    if len(picked) == limit:
                        break
        return picked

    def _sources(self, query: ViewQuery) -> list[str]:
        status, assignee, category = query.status, query.assignee_id, query.category
        operator = query.visible_to_operator_id
        if query.customer_chat_id:
            # A customer has a few tickets: the rest of the query is checked on the protos.
            return [self._key("k", str(query.customer_chat_id))]
        if operator and not assignee:
            # An operator sees the queue (open tickets) and their own.
            mine = self._key("a", operator, "s", status) if status else self._key("a", operator)
            if status == domain.Status.OPEN:
                return [self._key("s", status)]
            if status:
                return [mine]
            return [self._key("s", str(domain.Status.OPEN)), mine]
        if assignee:
            return [self._key("a", assignee, "s", status) if status else self._key("a", assignee)]
        if category:
            return [self._key("s", status, "c", category) if status else self._key("c", category)]
        return [self._key("s", status) if status else self._key("all")]

    @staticmethod
    def _keeps(query: ViewQuery, ticket: pb.Ticket) -> bool:
        status = convert.STATUS_FROM_PROTO.get(ticket.status)
        if query.status and status != query.status:
            return False
        if query.assignee_id and ticket.assignee_id != query.assignee_id:
            return False
        if query.category and ticket.category != query.category:
            return False
        operator = query.visible_to_operator_id
        return not operator or domain.visible_to(str(status or ""), ticket.assignee_id, operator)

    async def _merged(self, sources: list[str], after: Position | None, count: int) -> list[tuple[str, int]]:
        """The next `count` (id, score) of the union of `sources` after `after`, newest first."""
        found: dict[str, int] = {}
        for key in sources:
            for ticket_id, score in await self._after(key, after, count):
                found[ticket_id] = score
        ordered = sorted(found.items(), key=lambda item: (item[1], item[0]), reverse=True)
        return ordered[:count]

    async def _after(self, key: str, after: Position | None, count: int) -> list[tuple[str, int]]:
        top = "+inf" if after is None else after.millis
        skip = 0
        while True:
            rows: list[tuple[bytes | str, float]] = await self._redis.zrevrangebyscore(  # type: ignore[assignment]
                key, top, "-inf", start=0, num=count + skip, withscores=True
            )
            result: list[tuple[str, int]] = []
            for member, score in rows:
                ticket_id = member.decode() if isinstance(member, bytes) else str(member)
                millis = int(score)
                if after is not None and millis == after.millis and ticket_id >= after.ticket_id:
                    continue  # at or before the cursor among equal times
                result.append((ticket_id, millis))
            if len(result) >= count or len(rows) < count + skip:
                return result[:count]
            skip = len(rows) - len(result)  # many equal times at the cursor: look further

    async def _load(self, ticket_ids: list[str]) -> list[pb.Ticket | None]:
        raw = await self._redis.hmget(self._doc, ticket_ids)
        tickets: list[pb.Ticket | None] = []
        for value in raw:
            if value is None:
                tickets.append(None)
                continue
            ticket = pb.Ticket()
            ticket.ParseFromString(value if isinstance(value, bytes) else str(value).encode())
            tickets.append(ticket)
        return tickets
