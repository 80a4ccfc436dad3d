"""Stats: customer ratings and operator analytics, derived from events only (issue 9, in progress).

`facts` merges a ticket's events (its snapshots and messages from websocket_notifications, its reviews from
reviews_topic) in any order and any number of times; `tally` keeps additive per-day cells that change by
a ticket's new contribution minus its old one; `figures` reads summaries, per-operator rows and daily
series from them; `desk` keeps the facts in MongoDB (`stats_tickets`) and the cells in memory (rebuilt
from the facts at start); `servicer` is the gRPC StatsService (8003), `app` the wiring.

Not yet started by `make up`: every message changes its ticket's facts (the set of message ids that
counts messages once), so at 1,000 msg/s the service would rewrite up to a thousand documents a second on
FerretDB. It waits for a count that stays idempotent without the ids (a message's position in its
ticket, from message_saver). Still to come as well: `replay` from the topics, the gateway's REST routes,
the console page, the read benchmark."""
