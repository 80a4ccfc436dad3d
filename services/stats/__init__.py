"""Stats: customer ratings and operator analytics, derived from events only (issue 9, in progress).

So far: the domain. `facts` merges a ticket's events (its snapshots from websocket_notifications, its
messages, its reviews from reviews_topic) in any order and any number of times; `tally` keeps additive
per-day cells that change by a ticket's new contribution minus its old one; `figures` reads summaries,
per-operator rows and daily series from them. Still to come: the consumer, the MongoDB store of facts
and reviews, replay, and the gRPC API."""
