"""The Telegram bot: customers' messages (text, photos, files, voice, edits) become `ticket_created` events
with their files copied to S3; `operator_replies` events are delivered back to the customer, once per event
id."""
