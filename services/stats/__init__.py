"""Stats: customer ratings and operator analytics, derived from events only (issue 9, in progress).

`facts` merges a ticket's events (its snapshots and messages from websocket_notifications, its reviews from
reviews_topic) in any order and any number of times; `tally` keeps additive per-day cells that change by
a ticket's new contribution minus its old one; `figures` reads summaries, per-operator rows and daily
series from them; `desk` keeps the facts in MongoDB (`stats_tickets`) and the cells in memory (rebuilt
from the facts at start); `servicer` is the gRPC StatsService (8003), `app` the wiring.

A ticket's document is written when its durable facts change (opened, first reply, assigned, categorised,
closed, rated), not for every message: messages are counted by message_saver (`Ticket.message_count`).
`make up` runs it niced, like ml and the summarizer. `python -m services.stats replay` (with the service
stopped) rebuilds every figure from the topics at the next start. Still to come: the console page, the
read benchmark."""
