// BatonClient: the Swift client library of the Baton broker.
//
// - `Publisher`: batches messages into Publish requests over one TCP session,
//   keeps every unacknowledged message in a buffer allocated once, bounds the
//   messages in flight and resends them (same producer id and sequences) after
//   `reconnect()` or a `backPressure` answer.
// - `Subscriber`: subscribes to one stream (or all), checks every delivered
//   frame's CRC32C and position, hands frames out as zero-copy views and
//   returns credit as they are consumed; `messages()` is an `AsyncSequence`
//   of copies for application code.
// - `BatonConnection`: the session underneath both (Hello/Welcome, a fixed
//   receive buffer split by `ClientFrameScanner`, heartbeats, Error messages
//   as `BatonClientError`).
// - `GeneratedPayload`: self-verifying test payloads (producer id, sequence,
//   CRC32C) used by `baton publish --count` and `baton subscribe --verify`.
//
// Nothing on the publish or delivery path uses Swift concurrency, allocates
// per message once warmed up, or blocks: every call returns a code or throws a
// typed `BatonClientError`. docs/PROTOCOL.md is the wire reference.
