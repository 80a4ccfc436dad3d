"""The ticket lists' read model in Redis, kept by message_saver as it writes tickets.

MongoDB stays the truth. FerretDB sorts and filters anything but an _id over the whole collection, so the
console's lists (queue, mine, closed, by category, by assignee) come from here, flat with size:
- `<prefix>doc` hash: ticket id -> its Ticket proto (what a list shows);
- `<prefix>meta` hash: ticket id -> JSON `[version, [view key, ...]]`, the views it is in;
- one sorted set per view, member ticket id, score last_message_at in ms (equal scores order by id, as
  the store's (last_message_at, _id) order does): all, s:<status>, a:<assignee>, a:<assignee>:s:<status>,
  c:<category>, s:<status>:c:<category>, and k:<chat id> (one customer's tickets);
- for the views with a status that is not closed (s:<status>, a:<assignee>:s:<status>,
  s:<status>:c:<category>), the same tickets split in two, for the lists ordered by waiting time:
  w:<view> the tickets whose customer waits for an answer, score waiting_since in ms, and i:<view> the
  others, score last_message_at in ms. Their sizes are the console's counters (ZCARD);
- `<prefix>pending` set: tickets being written. An id enters before the store write and leaves with the
  view update, so a crash between the two leaves it there and `repair` (at start) reloads it from MongoDB;
- `<prefix>built:<layout>`: set once the views hold every ticket. Missing at start -> `rebuild` from
  MongoDB (a new layout of the views has a new name, so it is rebuilt once).

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
from services.message_saver.desk_metrics import DeskFigures
from t1.tickets.v1 import ticket_pb2 as pb

logger = logging.getLogger(__name__)

REBUILD_CHUNK = 1000
# The views' layout; a new one is rebuilt from the store once at start (2: the waiting sets; 3: k:<chat id>).
LAYOUT = "3"
ACTIVE = frozenset(str(status) for status in domain.ACTIVE_STATUSES)

# KEYS: doc hash, meta hash, pending set. ARGV[1]: JSON [[id, version, [[view key, score], ...]], ...];
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
  local id, version, scored = head[1], head[2], head[3]
  local keys, keep = {}, {}
  for _, pair in ipairs(scored) do
    table.insert(keys, pair[1])
    keep[pair[1]] = true
  end
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
    for _, pair in ipairs(scored) do redis.call('ZADD', pair[1], pair[2], id) end
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
    """Where a page ends: the last ticket's score (ms) and id; `waiting`: in the waiting part of a list
    ordered by waiting time (score waiting_since), else last_message_at."""

    millis: int
    ticket_id: str
    waiting: bool = False


@dataclass(frozen=True)
class Counts:
    """The sizes of an operator's lists."""

    queue: int
    queue_waiting: int
    mine: int
    mine_waiting: int
    all_active: int


class TicketViews:
    def __init__(self, client: redis_async.Redis, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix
        self._doc = prefix + "doc"
        self._meta = prefix + "meta"
        self._pending = prefix + "pending"
        self._built = prefix + "built:" + LAYOUT
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
            version = int(ticket.get("version", 0))
            heads.append([str(ticket["_id"]), version, self.view_scores(ticket)])
        await self._put(
            keys=[self._doc, self._meta, self._pending],
            args=[json.dumps(heads, ensure_ascii=False), *(proto.SerializeToString() for proto in protos)],
        )
        return protos

    async def done(self, ticket_id: str) -> None:
        """The write changed nothing: the view is still right."""
        await self._redis.srem(self._pending, ticket_id)

    def view_keys(self, ticket: Mapping[str, Any]) -> list[str]:
        return [key for key, _score in self.view_scores(ticket)]

    def view_scores(self, ticket: Mapping[str, Any]) -> list[tuple[str, int]]:
        """The views the ticket is in, each with its score there."""
        status = str(ticket.get("status", ""))
        assignee = str(ticket.get("assignee_id") or "")
        category = str(ticket.get("category") or "")
        activity = domain.to_millis(ticket.get("last_message_at") or ticket.get("created_at") or domain.EPOCH)
        views: list[tuple[str, ...]] = [("all",), ("s", status)]
        split: list[tuple[str, ...]] = [
            ("s", status)
        ]  # the views with a status, split by waiting when it is not closed
        if assignee:
            views += [("a", assignee), ("a", assignee, "s", status)]
            split.append(("a", assignee, "s", status))
        if category:
            views += [("c", category), ("s", status, "c", category)]
            split.append(("s", status, "c", category))
        chat_id = ticket.get("chat_id") or (ticket.get("customer") or {}).get("chat_id")
        if chat_id:
            views.append(("k", str(chat_id)))
        scores = [(self._key(*parts), activity) for parts in views]
        if status in ACTIVE:
            since = domain.waiting_since(ticket)
            for parts in split:
                if since is None:
                    scores.append((self._key("i", *parts), activity))
                else:
                    scores.append((self._key("w", *parts), domain.to_millis(since)))
        return scores

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

    async def page(
        self, query: ViewQuery, after: Position | None, limit: int, *, waiting_first: bool = False
    ) -> list[tuple[pb.Ticket, Position]]:
        """Up to `limit` tickets matching `query` after `after`, each with its position: newest activity
        first, or (`waiting_first`) the waiting ones longest waiting first, then the others newest
        activity first."""
        if not waiting_first:
            return await self._collect(query, self._sources(query), after, limit, waiting=False)
        waiting, idle = self._split_sources(query)
        picked: list[tuple[pb.Ticket, Position]] = []
        if after is None or after.waiting:
            picked = await self._collect(query, waiting, after, limit, waiting=True)
            after = None
        if len(picked) < limit:
            picked += await self._collect(query, idle, after, limit - len(picked), waiting=False)
        return picked

    async def counts(self, operator_id: str, include_all: bool) -> Counts:
        """The sizes of the queue, the operator's tickets and (include_all) every active ticket."""
        opened, assigned = str(domain.Status.OPEN), str(domain.Status.ASSIGNED)
        keys = [
            self._key("s", opened),
            self._key("w", "s", opened),
            self._key("a", operator_id, "s", assigned),
            self._key("w", "a", operator_id, "s", assigned),
            self._key("s", assigned),
        ]
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.zcard(key)
            queue, queue_waiting, mine, mine_waiting, others = (int(size) for size in await pipe.execute())
        return Counts(queue, queue_waiting, mine, mine_waiting, queue + others if include_all else 0)

    async def desk_figures(self) -> DeskFigures:
        """The desk's gauges (desk_metrics.py): the sizes of the active status views, the first member
        of their waiting views, and the assignees of the assigned tickets (read from their protos:
        as many as there are assigned tickets, never the whole store)."""
        statuses = [str(status) for status in domain.ACTIVE_STATUSES]
        async with self._redis.pipeline(transaction=False) as pipe:
            for status in statuses:
                pipe.zcard(self._key("s", status))
            for status in statuses:
                pipe.zrange(self._key("w", "s", status), 0, 0, withscores=True)
            pipe.zrange(self._key("s", str(domain.Status.ASSIGNED)), 0, -1)
            answers = await pipe.execute()
        sizes, firsts, assigned = answers[: len(statuses)], answers[len(statuses) : -1], answers[-1]
        waiting_since = [int(score) for first in firsts for _member, score in first]
        by_operator: dict[str, int] = {}
        ids = [member.decode() if isinstance(member, bytes) else str(member) for member in assigned]
        for start in range(0, len(ids), REBUILD_CHUNK):
            for ticket in await self._load(ids[start : start + REBUILD_CHUNK]):
                if ticket is not None and ticket.assignee_id:
                    by_operator[ticket.assignee_id] = by_operator.get(ticket.assignee_id, 0) + 1
        return DeskFigures(
            open_by_status=dict(zip(statuses, (int(size) for size in sizes), strict=True)),
            oldest_waiting_since_ms=min(waiting_since, default=None),
            open_by_operator=by_operator,
        )

    async def _collect(
        self, query: ViewQuery, sources: list[str], after: Position | None, limit: int, *, waiting: bool
    ) -> list[tuple[pb.Ticket, Position]]:
        """Up to `limit` tickets of the union of `sources` that match `query`, after `after`: oldest
        score first when `waiting`, else newest first."""
        picked: list[tuple[pb.Ticket, Position]] = []
        cursor = after
        # Candidates come from the narrowest view; what it cannot tell apart is checked on the protos.
        while len(picked) < limit and sources:
            batch = await self._merged(sources, cursor, max(limit - len(picked), 1) * 2, ascending=waiting)
            if not batch:
                break
            tickets = await self._load([ticket_id for ticket_id, _score in batch])
            for (ticket_id, score), ticket in zip(batch, tickets, strict=True):
                cursor = Position(score, ticket_id, waiting)
                if ticket is not None and self._keeps(query, ticket):
                    picked.append((ticket, cursor))
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

    def _split_sources(self, query: ViewQuery) -> tuple[list[str], list[str]]:
        """The views of a list ordered by waiting time: (waiting, the others). A list of any status is
        the union of its lists of each status; a closed ticket never waits."""
        statuses = [query.status] if query.status else [str(status) for status in domain.Status]
        waiting: list[str] = []
        idle: list[str] = []
        for status in statuses:
            for parts in self._status_views(query, status):
                if status in ACTIVE:
                    waiting.append(self._key("w", *parts))
                    idle.append(self._key("i", *parts))
                else:
                    idle.append(self._key(*parts))
        return waiting, idle

    @staticmethod
    def _status_views(query: ViewQuery, status: str) -> list[tuple[str, ...]]:
        """The views that hold the tickets of `query` in `status` (as `_sources` picks them)."""
        operator = query.visible_to_operator_id
        if operator and not query.assignee_id:
            return [("s", status)] if status == domain.Status.OPEN else [("a", operator, "s", status)]
        if query.assignee_id:
            return [("a", query.assignee_id, "s", status)]
        if query.category:
            return [("s", status, "c", query.category)]
        return [("s", status)]

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

    async def _merged(
        self, sources: list[str], after: Position | None, count: int, *, ascending: bool = False
    ) -> list[tuple[str, int]]:
        """The next `count` (id, score) of the union of `sources` after `after`, newest first (or
        oldest first when `ascending`)."""
        found: dict[str, int] = {}
        for key in sources:
            for ticket_id, score in await self._after(key, after, count, ascending):
                found[ticket_id] = score
        ordered = sorted(found.items(), key=lambda item: (item[1], item[0]), reverse=not ascending)
        return ordered[:count]

    async def _after(
        self, key: str, after: Position | None, count: int, ascending: bool = False
    ) -> list[tuple[str, int]]:
        skip = 0
        while True:
            rows: list[tuple[bytes | str, float]]
            if ascending:
                bottom = "-inf" if after is None else after.millis
                rows = await self._redis.zrangebyscore(  # type: ignore[assignment]
                    key, bottom, "+inf", start=0, num=count + skip, withscores=True
                )
            else:
                top = "+inf" if after is None else after.millis
                rows = await self._redis.zrevrangebyscore(  # type: ignore[assignment]
                    key, top, "-inf", start=0, num=count + skip, withscores=True
                )
            result: list[tuple[str, int]] = []
            for member, score in rows:
                ticket_id = member.decode() if isinstance(member, bytes) else str(member)
                millis = int(score)
                if (
                    after is not None
                    and millis == after.millis
                    and (ticket_id <= after.ticket_id if ascending else ticket_id >= after.ticket_id)
                ):
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
